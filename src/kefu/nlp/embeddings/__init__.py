"""Sentence embeddings from the bundled offline models."""
