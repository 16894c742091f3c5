"""Inboxes, the inbound ledger (store raw, dedupe, retry, park, replay) and outbound delivery."""
