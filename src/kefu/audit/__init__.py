"""Append-only audit log of security-relevant actions (logins, roles, 2FA, exports, settings)."""
