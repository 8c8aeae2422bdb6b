"""gunicorn settings every service's web process uses; each service's gunicorn.conf.py names itself.

Environment (NAME is the service in upper case): NAME_BIND (host:port), NAME_WEB_WORKERS
(processes, default 2: one per core here), NAME_WEB_THREADS (threads per process, default 8),
NAME_ACCESS_LOG (unset: none; "-": stdout).
"""
from __future__ import annotations

import os


def gunicorn_settings(service: str, default_port: int) -> dict:
    prefix = service.upper()
    return {
        "wsgi_app": f"services.{service}.web.app:create_app()",
        "bind": os.environ.get(f"{prefix}_BIND", f"127.0.0.1:{default_port}"),
        "workers": int(os.environ.get(f"{prefix}_WEB_WORKERS", "2")),
        "worker_class": "gthread",
        "threads": int(os.environ.get(f"{prefix}_WEB_THREADS", "8")),
        "timeout": 30,
        "graceful_timeout": 20,
        "keepalive": 5,
        "accesslog": os.environ.get(f"{prefix}_ACCESS_LOG"),
        "proc_name": f"dpd-{service}",
        # gunicorn's control socket sits at one path per user: several services would fight over it.
        "control_socket_disable": True,
    }
