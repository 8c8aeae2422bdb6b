"""gunicorn settings for notification's web process (see shared/gunicorn_settings.py for the variables)."""
from shared.gunicorn_settings import gunicorn_settings

globals().update(gunicorn_settings("notification", default_port=8003))
