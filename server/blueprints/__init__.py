"""The server's blueprints, one per concern."""
