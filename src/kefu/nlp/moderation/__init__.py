"""Abuse detection for human review."""
