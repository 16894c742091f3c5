"""Data protection: export and erasure of one customer's data, retention of old conversations."""
