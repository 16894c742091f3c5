"""Training the shipped models and reading their data (CLI only, never imported at run time)."""
