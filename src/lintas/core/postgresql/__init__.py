"""Django's PostgreSQL backend, with a health check that skips connections in use a moment ago (see ``base``)."""
