"""Intent models: features, heads, calibration."""
