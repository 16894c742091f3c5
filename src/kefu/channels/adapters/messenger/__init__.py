"""Messenger and Instagram messaging (Graph webhooks)."""
