"""Kefu (客服): self-hostable intelligent customer-service platform."""

__version__ = "0.1.0"
