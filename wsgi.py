"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from sitesys import create_app

app = create_app()
