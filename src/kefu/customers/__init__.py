"""Customers: identities (email, phone, channel handles), resolution, merge, tags and fields."""
