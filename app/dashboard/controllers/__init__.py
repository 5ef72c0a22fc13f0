"""Dashboard views, one module per use case. Thin: read the request, call an operation,
render or redirect. Each view reads ``current_owner()`` and nothing of anyone else's."""
