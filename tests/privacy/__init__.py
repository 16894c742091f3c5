"""Tests of the privacy domain."""
