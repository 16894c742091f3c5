"""Telegram Bot API."""
