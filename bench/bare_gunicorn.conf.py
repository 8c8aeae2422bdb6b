"""gunicorn settings for the bare route of bench/registration_surge.py: the same settings as every
service's web process (shared/gunicorn_settings.py), read from BARE_BIND, BARE_WEB_WORKERS, BARE_WEB_THREADS."""
from shared.gunicorn_settings import gunicorn_settings

globals().update(gunicorn_settings("bare", default_port=8009), wsgi_app="bench.bare_registration:create_app()")
