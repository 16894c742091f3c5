"""Single sign-on: OpenID Connect login of agents (authorization code flow with PKCE)."""
