"""Settings shared by every environment; each value that differs comes from the environment."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
import xstatic.pkg.bootstrap

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-local-only-key")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_fsm",
    "simple_history",
    "django_celery_beat",
    "django_htmx",
    "django_bootstrap5",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "processes",
    "catalog",
    "orders",
    "inventory",
    "procurement",
    "receiving",
    "shipping",
    "invoicing",
    "orchestration",
    "searches",
    "suppliers",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "b2b_portal.security_headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inside the message middleware: its message of a run left unsent is stored with the rest.
    "processes.middleware.RunsWaitingForBrokerMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "b2b_portal.urls"
WSGI_APPLICATION = "b2b_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "b2b_portal.navigation.menu",
            ],
            # |money and |quantity, the one formatting rule of every page and print;
            # {% breadcrumbs %}, the trail base.html shows on every page.
            "builtins": [
                "b2b_portal.templatetags.formatting",
                "b2b_portal.templatetags.breadcrumbs",
            ],
        },
    },
]


def on_ssd(database: dict) -> dict:
    """A PostgreSQL connection that plans for solid-state storage: at PostgreSQL's default
    random_page_cost of 4 (a spinning disk's) it read all 50,000 orders to find the
    dashboard's 357 lines at risk rather than 357 index lookups (10 ms against 1 ms,
    docs/benchmarks.md). 1.1 is the usual value for SSD and cloud volumes."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        database.setdefault("OPTIONS", {})["options"] = "-c random_page_cost=1.1"
    return database


# SQLite is only the zero-setup laptop default; tests and production use PostgreSQL.
DATABASES = {
    "default": on_ssd(env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")),
}
# Services own their transactions (see docs/architecture.md), so requests are not atomic.
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` serves the web process beside a Celery worker and beat, all writing to one
    # file: WAL lets readers go on while one writes; IMMEDIATE takes the write lock at BEGIN,
    # so a transaction that would have to upgrade a read lock waits instead of failing at
    # once; and a writer waits up to 20 s for the lock instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling (docs/operations.md, "Sign-in lockout"): django-axes counts failed
# sign-ins per username, on the portal's and the admin's login alike (both go through
# authenticate()); the 5th failure locks that username for 15 minutes, whether or not such
# a user exists, so the lockout tells nothing about who has an account. Per username, not
# per address: behind the proxy every client would share one address. An administrator
# unlocks from the admin (Axes > Access attempts: delete the username's row).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with each user's permissions kept in the cache (b2b_portal/permission_cache.py).
    "b2b_portal.permission_cache.CachedPermissionsBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "b2b_portal.login_lockout.lockout_response"
# axes.W006 asks for the address among the lockout parameters, against clients that rotate
# user agents or cookies to dodge a lock on those; a lock on the username is not dodged that
# way, and one on the address would lock out every user behind the same proxy or office NAT.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Password reset mails (Django's auth views): the backend is set per environment.
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="B2B Order Portal <portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A reset link works for a day (Django's default is three; the reset pages and mail say a day).
PASSWORD_RESET_TIMEOUT = 24 * 3600

# Security headers, the same in every environment so that the tests run under production's
# policy (docs/decisions.md). No inline script or style anywhere: the portal's own behaviour
# is in static files. Bootstrap's CSS draws its icons from data: SVGs, hence img-src data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Features no page uses, switched off for the page and anything it embeds.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "usb": [],
}

# The REST API (docs/api.md): a personal token (api.authentication) or the portal's session;
# the pages' permissions per action (api.permissions); a service's refusal answered with
# its message (api.errors); decimals as strings.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HoldsRolePermission"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "COERCE_DECIMAL_TO_STRING": True,
}
# OpenAPI 3.1 at /api/schema/; Swagger UI and ReDoc from the sidecar's static files.
SPECTACULAR_SETTINGS = {
    "TITLE": "B2B Order Portal API",
    "DESCRIPTION": (
        "Sales orders, the Peg Trace, the run log and the supplier's POs, over the portal's "
        "services."
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/",
    "ENUM_NAME_OVERRIDES": {
        "LineStatusEnum": "orders.models.LineStatus",
        "RunStatusEnum": "processes.models.RunStatus",
        "AcknowledgementKindEnum": "suppliers.models.AcknowledgementKind",
        "ShipmentStatusEnum": "shipping.models.ShipmentStatus",
        "ShipNoticeStatusEnum": "suppliers.models.ShipNoticeStatus",
    },
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Bootstrap comes from its XStatic wheel and htmx from django-htmx: nothing from a CDN.
STATICFILES_DIRS = [
    ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
    BASE_DIR / "b2b_portal" / "static",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Celery: a Redis broker when REDIS_URL is set; otherwise tasks run in-process (laptop mode).
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
# The cache (once-only form tokens) is shared by every web process through Redis when
# there is one; the laptop default is the per-process memory cache.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "b2b_portal.redis_cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
        }
    }
    # A signed-in request reads its session from Redis, not from a table (still written to
    # both, so a Redis restart signs nobody out).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# How long a user's permission set is reused between requests (seconds; 0: read on every
# request). Only with a shared cache: a per-process memory cache would not hear of a change
# made in another process (b2b_portal/permission_cache.py).
PERMISSION_CACHE_SECONDS = env.int("PERMISSION_CACHE_SECONDS", default=300 if REDIS_URL else 0)
# How long the home page's pipeline and waiting counts are reused (seconds; 0: not at all).
HOME_COUNTS_SECONDS = env.int("HOME_COUNTS_SECONDS", default=60)
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A pool child killed mid-run (the OOM killer) gives its message back to the broker instead of
# acknowledging it, so the run is redelivered and resumed rather than left Running.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A run is one long task: a worker takes one message at a time, so nothing waits unseen behind
# it in a busy worker's buffer while another worker is idle.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis gives a message nobody acknowledged back to the queue after the visibility timeout:
# the run of a worker killed whole (SIGKILL, a lost host) starts again on another worker.
# Longer than the longest run a healthy worker finishes (a run over 100,000 lines takes about
# a minute, docs/benchmarks.md), or a live run is delivered a second time (harmless, the two
# share its chunks, but wasted); short enough that a dead worker's run is back within
# minutes, not kombu's hour. Swept every tenth of it. See docs/processes.md, "When a worker
# dies".
_visibility_timeout = env.int("CELERY_VISIBILITY_TIMEOUT", default=300)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _visibility_timeout,
    "unacked_restore_interval": max(1, _visibility_timeout // 10),
    "unacked_restore_throttle": 1,
}
CELERY_TASK_TRACK_STARTED = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
# Monitoring reads /processes/health.json with "Authorization: Bearer <HEALTH_TOKEN>"; unset,
# no token is accepted and only a signed-in operator reads it (docs/operations.md).
HEALTH_TOKEN = env("HEALTH_TOKEN", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # One line per task is the worker's business; the run log already says what happened.
    "loggers": {
        "celery.app.trace": {"level": "WARNING"},
        # WeasyPrint logs each rendering step and every CSS rule of Bootstrap it cannot use
        # (screen-only features); only its errors matter to us.
        "weasyprint": {"level": "ERROR"},
    },
}
# One queue name per deployment; the worker test listens on its own.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="b2b_portal")

# The most one sales order line may carry (docs/decisions.md): a slip such as 99,999,999 x
# 99,999,999 is refused at entry instead of being booked and bought. Never more than a money
# column holds (999,999,999,999.99).
ORDER_LINE_AMOUNT_LIMIT = Decimal(env("ORDER_LINE_AMOUNT_LIMIT", default="100000000.00"))

# Create Order warns before saving an order identical (same customer, same items and
# quantities) to one the same user entered within these many minutes: Chromium's Back brings
# the page again with a new submission token, so Save once more would make a second order.
ORDER_REPEAT_WINDOW_MINUTES = int(env("ORDER_REPEAT_WINDOW_MINUTES", default="10"))
