"""Routing: queues, skills, capacity, presence and the assignment strategies."""
