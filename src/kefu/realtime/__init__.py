"""Realtime: one WebSocket per console tab, fed from outbox events, fanned out per workspace."""
