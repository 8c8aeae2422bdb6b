"""gunicorn settings for matchmaking's web process (see shared/gunicorn_settings.py for the variables)."""
from shared.gunicorn_settings import gunicorn_settings

globals().update(gunicorn_settings("matchmaking", default_port=8002))
