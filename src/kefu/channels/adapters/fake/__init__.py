"""A fake provider for tests and staging."""
