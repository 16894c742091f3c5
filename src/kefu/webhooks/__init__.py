"""Outbound webhooks: per-workspace endpoints that receive signed copies of domain events."""
