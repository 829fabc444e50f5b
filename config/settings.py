"""Settings for Alliance Share, read from the environment (12-factor).

Every value that differs between a laptop and production comes from an environment
variable. The defaults are production's and fail closed: DEBUG is off unless the
environment turns it on (``make run`` does), and with DEBUG off the project refuses to start
on the development secret key, serves no host until ALLOWED_HOSTS names it, and speaks HTTPS
only (see the Security section).
"""

import base64
import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "django-insecure-alliance-share-development-only"  # noqa: S105


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET_KEY
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in the environment when DEBUG is off "
        "(the development key is public)."
    )
# Key for secrets stored encrypted because they must be read back (alliance.crypto): a
# Fernet key (32 random bytes, URL-safe base64). Empty: derived from SECRET_KEY, so that
# changing SECRET_KEY only makes such secrets (the WeChat access token) be fetched again.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")
if FIELD_ENCRYPTION_KEY:
    try:  # binascii.Error and UnicodeEncodeError are ValueErrors
        _key_length = len(base64.urlsafe_b64decode(FIELD_ENCRYPTION_KEY.encode("ascii")))
    except ValueError:
        _key_length = 0
    if _key_length != 32:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be a Fernet key: 32 bytes in URL-safe base64"
        )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "alliance",
    "resources",
    "bookings",
    "notifications",
    "api",
    "web",
]

MIDDLEWARE = [
    # First: load-balancer probes are answered before host checks and redirects.
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from the app itself, also with DEBUG off: one command serves a whole site.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before every middleware that reads the database: an unreachable database becomes a
    # 503 whichever middleware or view noticed it.
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "api.idempotency.IdempotencyMiddleware",  # Idempotency-Key on /api/v1/ writes
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "web.context_processors.web_frame",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# SQLite by default so that a new user needs nothing but Python; PostgreSQL in production.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
_db = DATABASES["default"]
# No ATOMIC_REQUESTS: services open their own short transactions (docs/bookings-concurrency.md).
_db["ATOMIC_REQUESTS"] = False
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers: every transaction takes the write lock at BEGIN (IMMEDIATE),
    # WAL lets readers go on meanwhile, and a busy timeout makes writers queue, not fail.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 60)
    _db["CONN_HEALTH_CHECKS"] = True
    # Fail fast while the server is unreachable (503 database_unavailable) rather than
    # holding every worker for the operating system's TCP timeout.
    _db.setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DB_CONNECT_TIMEOUT_SECONDS", 5)
    )
    _db.setdefault("TEST", {})
    if os.environ.get("TEST_DATABASE_NAME"):
        _db["TEST"]["NAME"] = os.environ["TEST_DATABASE_NAME"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------
# Limits (failed sign-ins, booking ceilings, the WeChat circuit breaker) are counted in the
# default cache, so it must be one that every worker and server shares. By default it is the
# database (table ``cache``, made by ``manage.py createcachetable``; alliance.cache makes its
# counters atomic); CACHE_URL=redis://host:6379/0 uses Redis instead (``pip install
# '.[prod]'`` brings the client).
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL in ("", "db://"):
    CACHES = {
        "default": {
            "BACKEND": "alliance.cache.CounterDatabaseCache",
            "LOCATION": "cache",
            # Culling only deletes expired rows (alliance.cache); this is when it runs.
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }
elif CACHE_URL == "locmem://":  # one process only: limits are not shared
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured("CACHE_URL must be empty, db://, locmem:// or redis://...")

# --- Auth ---------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if env_bool("FAST_PASSWORD_HASHER", False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Time and language --------------------------------------------------------------------
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# WhiteNoise serves the apps' static folders directly (no collectstatic needed to start);
# after `collectstatic` it serves STATIC_ROOT, compressed, with far-future caching of the
# hashed names that the manifest storage writes.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "STATICFILES_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# The web app signs people in with a Django session; the API keeps its bearer tokens.
LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "web:home"

# --- Uploaded files (resource photos) -----------------------------------------------------
# Stored through Django's storage API (STORAGES["default"]): a folder under MEDIA_ROOT here;
# S3-compatible storage is a settings change only (django-storages' S3 backend as "default").
# Django serves MEDIA_URL itself with DEBUG on only; in production the web server (or the
# object store) serves it.
MEDIA_URL = os.environ.get("MEDIA_URL", "media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A photo upload larger than this is refused (photo_too_large), while it streams in.
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 8 * 1024 * 1024)
# More pixels than this is refused (photo_too_many_pixels) before it is decoded: a small
# file may declare a huge image (a decompression bomb). 40 megapixels fits any phone camera.
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 40_000_000)
# Fault reports (issue 10, bookings.faults): who booked a resource within this many days may
# report a fault on it; a stopping report closes it this many days until a manager sets the
# expected return date.
FAULT_REPORT_WINDOW_DAYS = env_int("FAULT_REPORT_WINDOW_DAYS", 180)
FAULT_DEFAULT_OUT_OF_SERVICE_DAYS = env_int("FAULT_DEFAULT_OUT_OF_SERVICE_DAYS", 7)
# Sample orders (issue 10, bookings.samples): report files are kept outside MEDIA_ROOT (which
# the web server serves to anyone) and read only through access-checked views.
SAMPLE_REPORT_ROOT = Path(os.environ.get("SAMPLE_REPORT_ROOT", BASE_DIR / "private" / "samples"))
SAMPLE_REPORT_MAX_BYTES = env_int("SAMPLE_REPORT_MAX_BYTES", 20 * 1024 * 1024)
SAMPLE_REPORT_MAX_FILES = env_int("SAMPLE_REPORT_MAX_FILES", 10)

# --- Security (production) ----------------------------------------------------------------
# With DEBUG off the site speaks HTTPS only; each default can be turned down from the
# environment (say, a first deployment with a short SECURE_HSTS_SECONDS). With DEBUG on they
# are off, so that runserver works on plain HTTP. `make lint` runs `check --deploy` on them.
_production = not DEBUG
# Plain-HTTP requests are redirected to HTTPS (behind the proxy, as it reports the scheme).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _production)
# HSTS: browsers use HTTPS only for this long (a year); include subdomains and allow the
# domain onto the browsers' preload lists. Both commit every subdomain to HTTPS too.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if _production else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", _production)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", _production)
# Session and CSRF cookies travel over HTTPS only.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", _production)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", _production)
if _production:
    # The TLS-terminating proxy in front says which scheme the client used (and must
    # overwrite a client's own X-Forwarded-Proto).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Expected refusals (4xx) and deliberate 503s are logged at DEBUG, not one WARNING each;
    # 500s keep their traceback (config.log_filters).
    "filters": {"expected_answers": {"()": "config.log_filters.ExpectedAnswersFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"filters": ["expected_answers"]}},
}

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    # The mini-program signs in with a Bearer token (first, so that a request without
    # credentials is answered 401 with WWW-Authenticate); the back office uses the session.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Alliance Share API",
    "DESCRIPTION": "REST API of the Guangming Science City alliance's shared resources.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No calls to swagger.io for the validity badge: the docs work offline.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # The Idempotency-Key header on every write (api.idempotency), after the default hook.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.idempotency_schema.idempotency_postprocess",
    ],
    # Choice sets that share a field name get stable schema names.
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "alliance.models.UnitKind",
        "ResourceKindEnum": "resources.models.ResourceKind",
        "MemberRoleEnum": "alliance.models.MemberRole",
        "BookingStatusEnum": "bookings.models.BookingStatus",
        "NotificationKindEnum": "notifications.models.NotificationKind",
        "QualificationStatusEnum": "resources.models.QualificationStatus",
        "QualificationActionEnum": "resources.models.QualificationEvent.Action",
        "FaultStatusEnum": "bookings.models.FaultStatus",
        "FaultUrgencyEnum": "bookings.models.FaultUrgency",
        "SampleStatusEnum": "bookings.models.SampleStatus",
        "SampleHazardEnum": "bookings.models.SampleHazard",
        "PurchaseOutcomeEnum": "bookings.models.PurchaseOutcome",
        "SeriesModeEnum": "bookings.series.MODES",
        "BookingModeEnum": "bookings.models.BOOKING_MODE_CHOICES",
    },
}

# --- WeChat -------------------------------------------------------------------------------
# The mini-program's credentials come from the environment only; without them sign-in and
# subscription messages answer "WeChat unavailable". Tests point the base at a loopback fake.
WECHAT_API_BASE = os.environ.get("WECHAT_API_BASE") or "https://api.weixin.qq.com"
WECHAT_APPID = os.environ.get("WECHAT_APPID", "")
WECHAT_SECRET = os.environ.get("WECHAT_SECRET", "")
# Seconds to wait for WeChat to accept a connection (TLS included), then for each read.
WECHAT_CONNECT_TIMEOUT_SECONDS = float(os.environ.get("WECHAT_CONNECT_TIMEOUT_SECONDS") or 3)
WECHAT_TIMEOUT_SECONDS = float(os.environ.get("WECHAT_TIMEOUT_SECONDS") or 5)
# Circuit breaker (alliance.wechat): after this many failed calls in a row (unreachable,
# timeouts, HTTP errors, "busy"), calls fail at once for OPEN_SECONDS, then one is tried.
WECHAT_BREAKER_FAILURES = env_int("WECHAT_BREAKER_FAILURES", 5)
WECHAT_BREAKER_OPEN_SECONDS = env_int("WECHAT_BREAKER_OPEN_SECONDS", 30)

# --- Sign-in ------------------------------------------------------------------------------
# API bearer tokens and invite codes expire after this many days.
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30)
INVITE_CODE_TTL_DAYS = env_int("INVITE_CODE_TTL_DAYS", 14)
# A Django superuser without a Member signs in as secretariat of this unit (created if missing).
SECRETARIAT_UNIT_NAME = os.environ.get("SECRETARIAT_UNIT_NAME") or "光明区委组织部"
# Failed sign-ins (API password, back office, WeChat code, invite code; alliance.ratelimit)
# allowed per account and address, and per address across accounts, within the window.
SIGN_IN_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5)
SIGN_IN_ADDRESS_FAILURE_LIMIT = env_int("SIGN_IN_ADDRESS_FAILURE_LIMIT", 50)
SIGN_IN_FAILURE_WINDOW_SECONDS = env_int("SIGN_IN_FAILURE_WINDOW_SECONDS", 900)
# Web sign-in by scanning (alliance.web_sign_in, issue 8): a challenge's lifetime, and how
# many challenges one client address may create per SIGN_IN_FAILURE_WINDOW_SECONDS.
WEB_SIGN_IN_CHALLENGE_TTL_SECONDS = env_int("WEB_SIGN_IN_CHALLENGE_TTL_SECONDS", 120)
WEB_SIGN_IN_CHALLENGE_LIMIT = env_int("WEB_SIGN_IN_CHALLENGE_LIMIT", 30)
# Booking requests one member may make per minute (0: no ceiling).
BOOKING_CREATE_RATE_PER_MINUTE = env_int("BOOKING_CREATE_RATE_PER_MINUTE", 30)

# --- Alliance Share -----------------------------------------------------------------------
# How far around a refused slot the scheduler looks for alternatives, in days.
BOOKING_ALTERNATIVES_SEARCH_DAYS = env_int("BOOKING_ALTERNATIVES_SEARCH_DAYS", 14)
BOOKING_ALTERNATIVES_COUNT = env_int("BOOKING_ALTERNATIVES_COUNT", 3)
# PostgreSQL: how long a writer waits for a resource's row lock before giving up.
BOOKING_LOCK_TIMEOUT_MS = env_int("BOOKING_LOCK_TIMEOUT_MS", 5000)
# Lifecycle, in minutes.
BOOKING_CHECKIN_OPENS_MINUTES = env_int("BOOKING_CHECKIN_OPENS_MINUTES", 15)
BOOKING_NO_SHOW_GRACE_MINUTES = env_int("BOOKING_NO_SHOW_GRACE_MINUTES", 15)
BOOKING_LATE_CANCEL_MINUTES = env_int("BOOKING_LATE_CANCEL_MINUTES", 24 * 60)
BOOKING_REMINDER_LEAD_MINUTES = env_int("BOOKING_REMINDER_LEAD_MINUTES", 60)
# Credit score (信用积分, issue 12: bookings.credit). Points; days.
CREDIT_SCORE_START = env_int("CREDIT_SCORE_START", 100)
CREDIT_SCORE_MAX = env_int("CREDIT_SCORE_MAX", 100)
CREDIT_NO_SHOW_POINTS = env_int("CREDIT_NO_SHOW_POINTS", 10)
# A late cancellation by the booker: (hours before the start, points), the closest tier first.
CREDIT_LATE_CANCEL_COSTS = ((2, 8), (6, 5), (24, 2))
CREDIT_RECOVERY_POINTS = env_int("CREDIT_RECOVERY_POINTS", 5)
CREDIT_RECOVERY_DAYS = env_int("CREDIT_RECOVERY_DAYS", 30)
# Booking is suspended for CREDIT_SUSPENSION_DAYS when a cost leaves the score below
# CREDIT_SUSPEND_BELOW, or at CREDIT_NO_SHOW_LIMIT no-shows within CREDIT_NO_SHOW_WINDOW_DAYS.
CREDIT_SUSPEND_BELOW = env_int("CREDIT_SUSPEND_BELOW", 60)
CREDIT_NO_SHOW_LIMIT = env_int("CREDIT_NO_SHOW_LIMIT", 3)
CREDIT_NO_SHOW_WINDOW_DAYS = env_int("CREDIT_NO_SHOW_WINDOW_DAYS", 90)
CREDIT_SUSPENSION_DAYS = env_int("CREDIT_SUSPENSION_DAYS", 30)
# Waitlist (issue 12: bookings.waitlist): how long a freed slot is held for the first in
# line, and how many waiting or offered entries one member may have at once.
WAITLIST_HOLD_MINUTES = env_int("WAITLIST_HOLD_MINUTES", 30)
WAITLIST_MAX_ACTIVE_PER_MEMBER = env_int("WAITLIST_MAX_ACTIVE_PER_MEMBER", 20)
# Recorded use (issue 10, bookings.usage): a session left running is closed by the jobs this
# long after its booking ends; a walk-up session (no booking) after this many minutes.
USAGE_SESSION_GRACE_MINUTES = env_int("USAGE_SESSION_GRACE_MINUTES", 30)
USAGE_WALK_UP_MAX_MINUTES = env_int("USAGE_WALK_UP_MAX_MINUTES", 4 * 60)
# Instrument power control (issue 10, bookings.interlock): one relay call's bound, seconds.
INTERLOCK_TIMEOUT_SECONDS = float(os.environ.get("INTERLOCK_TIMEOUT_SECONDS") or 3)
# Qualifications (issue 10): a member is reminded this many days before a grant lapses.
QUALIFICATION_REMINDER_DAYS = env_int("QUALIFICATION_REMINDER_DAYS", 7)

# --- Notifications ------------------------------------------------------------------------
# WeChat subscription-message template ids (订阅消息模板), one per booking event; an empty id
# means that event is told in the in-app inbox only.
WECHAT_TEMPLATE_BOOKING_APPROVED = os.environ.get("WECHAT_TEMPLATE_BOOKING_APPROVED", "")
WECHAT_TEMPLATE_BOOKING_REJECTED = os.environ.get("WECHAT_TEMPLATE_BOOKING_REJECTED", "")
WECHAT_TEMPLATE_BOOKING_EXPIRED = os.environ.get("WECHAT_TEMPLATE_BOOKING_EXPIRED", "")
WECHAT_TEMPLATE_BOOKING_CANCELLED = os.environ.get("WECHAT_TEMPLATE_BOOKING_CANCELLED", "")
WECHAT_TEMPLATE_BOOKING_REMINDER = os.environ.get("WECHAT_TEMPLATE_BOOKING_REMINDER", "")
WECHAT_TEMPLATE_BOOKING_NO_SHOW = os.environ.get("WECHAT_TEMPLATE_BOOKING_NO_SHOW", "")
# Which template keyword carries what, per event, as JSON: {"approved": {"thing1":
# "resource", "time2": "start", ...}, ...}; other events use notifications.messages' default.
WECHAT_TEMPLATE_FIELDS = json.loads(os.environ.get("WECHAT_TEMPLATE_FIELDS") or "{}")
if not isinstance(WECHAT_TEMPLATE_FIELDS, dict):
    raise ImproperlyConfigured("WECHAT_TEMPLATE_FIELDS must be a JSON object")
# Which version of the mini-program a message opens: formal, trial or developer.
WECHAT_MINIPROGRAM_STATE = os.environ.get("WECHAT_MINIPROGRAM_STATE") or "formal"
if WECHAT_MINIPROGRAM_STATE not in {"formal", "trial", "developer"}:
    raise ImproperlyConfigured("WECHAT_MINIPROGRAM_STATE must be formal, trial or developer")
# The mini-program page a message opens; {booking_id} is replaced.
WECHAT_MESSAGE_PAGE = (
    os.environ.get("WECHAT_MESSAGE_PAGE") or "pages/booking/detail?id={booking_id}"
)
# Where the access token comes from: "stable_token" (recommended) or "token".
WECHAT_ACCESS_TOKEN_ENDPOINT = os.environ.get("WECHAT_ACCESS_TOKEN_ENDPOINT") or "stable_token"
if WECHAT_ACCESS_TOKEN_ENDPOINT not in {"stable_token", "token"}:
    raise ImproperlyConfigured("WECHAT_ACCESS_TOKEN_ENDPOINT must be stable_token or token")
# Fetch a new access token this long before the current one expires.
WECHAT_ACCESS_TOKEN_MARGIN_SECONDS = env_int("WECHAT_ACCESS_TOKEN_MARGIN_SECONDS", 300)
# Try to send right after the booking's transaction commits (else only the run_jobs worker).
NOTIFICATIONS_DELIVER_ON_COMMIT = env_bool("NOTIFICATIONS_DELIVER_ON_COMMIT", False)
# Transient send failures are retried after RETRY_SECONDS * 2**(attempt-1) (capped at
# RETRY_MAX_SECONDS) until MAX_ATTEMPTS attempts; then the message is given up.
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 6)
NOTIFICATIONS_RETRY_SECONDS = env_int("NOTIFICATIONS_RETRY_SECONDS", 60)
NOTIFICATIONS_RETRY_MAX_SECONDS = env_int("NOTIFICATIONS_RETRY_MAX_SECONDS", 3600)
# How long a worker's claim on a message lasts; a worker that dies frees it after this.
NOTIFICATIONS_CLAIM_SECONDS = env_int("NOTIFICATIONS_CLAIM_SECONDS", 120)
