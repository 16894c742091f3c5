"""Workspaces (tenants), agents, teams, roles, authentication and API tokens."""
