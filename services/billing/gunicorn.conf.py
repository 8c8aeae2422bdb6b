"""gunicorn settings for billing's web process (see shared/gunicorn_settings.py for the variables)."""
from shared.gunicorn_settings import gunicorn_settings

globals().update(gunicorn_settings("billing", default_port=8004))
