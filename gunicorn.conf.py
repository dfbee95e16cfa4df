"""Gunicorn's settings for the portal's web process (Dockerfile, docker-compose.yml).

Gunicorn reads ``./gunicorn.conf.py`` by itself; the image's commands also name it.
"""

import gc
import os

from gunicorn.http import wsgi

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
accesslog = "-"
errorlog = "-"
# Nothing uses gunicornc; without the socket, two servers on one host cannot collide on
# ~/.gunicorn/gunicorn.ctl either.
control_socket_disable = True


def without_server_header(default_headers):
    """Gunicorn writes ``Server: gunicorn`` on every response and has no setting to leave it
    out (its maintainers declined one, benoitc/gunicorn#825), so the response's default
    headers are filtered instead. No banner: nothing tells a scanner what serves the portal."""

    def headers(self):
        return [line for line in default_headers(self) if not line.lower().startswith("server:")]

    return headers


def on_starting(server):
    """In the master, before the workers fork: they inherit the patched class."""
    wsgi.Response.default_headers = without_server_header(wsgi.Response.default_headers)


def post_worker_init(worker):
    """Once the worker has loaded the portal, its objects (Django, the apps, the URL
    patterns) are moved out of the garbage collector's reach: a full collection no longer
    walks them, which took about 110 ms of a page's time under load (docs/benchmarks.md)."""
    from importlib import import_module

    from django.conf import settings

    import_module(settings.ROOT_URLCONF)  # every view imported now, not on a first request
    gc.freeze()
