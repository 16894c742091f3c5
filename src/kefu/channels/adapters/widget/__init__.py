"""The web/app chat widget: visitor messages over its WebSocket, replies pushed back on it."""
