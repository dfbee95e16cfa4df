"""Test settings: PostgreSQL and Redis from the environment, fast password hashing."""

from .base import *  # noqa: F403
from .base import env, on_ssd

DATABASES = {
    "default": on_ssd(
        env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/b2b_portal")
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Unit tests run tasks in-process; the tests marked celery_worker start a real worker on Redis.
CELERY_TASK_ALWAYS_EAGER = True
# Every request counts the home page afresh, so a test sees the data it just made
# (tests/web/trace/test_dashboard_cache.py turns the cache on).
HOME_COUNTS_SECONDS = 0
# Serve static files from the apps and packages directly: no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
