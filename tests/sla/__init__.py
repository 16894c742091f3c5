"""Tests of the sla domain."""
