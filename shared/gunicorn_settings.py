"""gunicorn settings every service's web process uses; each service's gunicorn.conf.py names itself.

Environment (NAME is the service in upper case): NAME_BIND (host:port), NAME_WEB_WORKERS
(processes, default 2: one per core here), NAME_WEB_THREADS (threads per process, default 8),
NAME_ACCESS_LOG (unset: none; "-": stdout). PROMETHEUS_MULTIPROC_DIR: where the workers keep
their metric files (cleared at start; unset: a temporary directory removed at exit).
"""
from __future__ import annotations

import os
import tempfile


def gunicorn_settings(service: str, default_port: int) -> dict:
    prefix = service.upper()
    # Before anything imports prometheus_client, which reads it then: the workers share metric files there.
    made_metrics_dir = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
    if made_metrics_dir:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix=f"dpd-{service}-metrics-")
    from shared.metrics_endpoints import gunicorn_hooks
    return {
        **gunicorn_hooks(created_dir=made_metrics_dir),
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
