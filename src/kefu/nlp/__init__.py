"""Language understanding: language, tokens, embeddings, intent, sentiment, abuse, readability."""
