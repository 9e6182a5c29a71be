"""The web layer: the Flask app, the ``/api/`` and ``/__admin/`` blueprints, the request pipeline, error handlers,
the journal middleware and serving. It parses, calls the service facade and serializes; nothing else."""
