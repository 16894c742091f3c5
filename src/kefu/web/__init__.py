"""Console pages, static assets and API composition above the domains."""
