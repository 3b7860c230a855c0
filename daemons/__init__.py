"""Daemons that talk to the amarcord server over HTTP (never to its database)."""
