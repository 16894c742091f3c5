"""Provider adapters: one folder per provider behind the contract of `base.py`."""
