"""Durable state for the memory store (``--state-file``): an embedded SQLite engine and the change set it commits.

Stdlib only (``sqlite3``); the service wires it to the store and the webhook log (``service/persistence.py``).
"""
