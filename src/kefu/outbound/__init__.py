"""The one guarded outbound HTTP client: SSRF guard with the resolved IP pinned, timeouts, retries."""
