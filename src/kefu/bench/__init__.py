"""Benchmarks that print their numbers (`kefu bench ...`); never imported by the platform itself."""
