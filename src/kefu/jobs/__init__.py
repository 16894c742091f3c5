"""Job runtime seam: subscriptions, the outbox relay, background jobs and schedules."""
