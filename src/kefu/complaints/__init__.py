"""Complaints: the ledger, default escalation rules, follow-up after resolution, malicious screening."""
