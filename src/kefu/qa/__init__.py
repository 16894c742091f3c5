"""Automated quality inspection: scorecards, checks over transcripts, evaluations, review."""
