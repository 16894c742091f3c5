"""Deterministic demo data for `kefu demo`: a workspace with agents, customers and conversations."""
