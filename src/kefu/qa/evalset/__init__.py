"""The labelled conversation set that measures the default scorecard's checks (see README.md)."""
