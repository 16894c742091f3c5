"""Sentiment and anger."""
