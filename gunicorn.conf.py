"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py 'portal:create_app()'`."""

import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
preload_app = True
timeout = 30
graceful_timeout = 20
# The access log goes to stdout (ACCESS_LOG=off turns it off), masked like the portal's own log.
accesslog = None if os.environ.get("ACCESS_LOG") == "off" else os.environ.get("ACCESS_LOG", "-")
logger_class = "portal.log.GunicornLogger"
# Behind a reverse proxy that sets X-Forwarded-*; the app trusts only the first hop.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    """Each worker opens its own database connections; inherited ones would be shared."""
    from portal.extensions import db

    app = server.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)
