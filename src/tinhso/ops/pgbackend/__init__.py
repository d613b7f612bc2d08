"""Django's PostgreSQL backend with a health check that costs no round trip while the connection is busy
(see base.py). settings.py selects it for every PostgreSQL DATABASE_URL."""
