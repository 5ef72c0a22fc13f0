"""gunicorn settings; every value can be overridden on the command line or with env vars."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Embedded setup: each web process runs the periodic tasks (they claim work atomically)."""
    from app.jobs import start_scheduler_if_enabled

    start_scheduler_if_enabled(worker.wsgi)
