"""Text primitives shared by every model: normalisation, tokens, bounded input, features, readability."""
