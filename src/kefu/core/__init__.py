"""Kernel shared by every package: ids, clock, errors, events, paging. Imports nothing else of kefu."""
