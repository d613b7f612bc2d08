"""Django's SQLite backend whose write transactions queue on a lock file instead of SQLite's busy sleeps
(see base.py). settings.py selects it for every SQLite DATABASE_URL."""
