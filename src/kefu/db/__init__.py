"""Persistence: engine and sessions, declarative base, column types, tenancy guard, outbox."""
