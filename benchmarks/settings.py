"""The production settings, served over plain HTTP on loopback for ``benchmarks/pages.py``.

Only what needs TLS or a build step differs: no redirect to HTTPS and no HSTS, cookies
without the Secure flag (the load driver speaks HTTP), and static files from the finders
(no ``collectstatic``; the driver fetches no static file anyway). DEBUG stays off,
connections persist (``CONN_MAX_AGE``), tasks go to Redis, as in production.
"""

from b2b_portal.settings.production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
