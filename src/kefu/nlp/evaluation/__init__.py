"""Evaluation and benchmarks of the models (CLI only, never imported at run time)."""
