"""Settings come from the environment so one code base serves a newcomer's laptop,
CI and production. See docs/adr/0003-settings-from-environment.md."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Off unless asked for: a deployment that forgets a variable must not run in debug (whose
# error page shows the settings and the request) with a key everyone can read here.
DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY が設定されていません。本番では長いランダムな値を設定してください"
            "（開発用の鍵は DJANGO_DEBUG=1 のときだけ使われます）。 / "
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off "
            "(DJANGO_DEBUG=1 uses a development key)."
        )
    SECRET_KEY = "dev-only-insecure-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "zaitaku_portal.admin_site.PortalAdminConfig",  # django.contrib.admin with Japanese names
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",  # one-time recovery codes beside the authenticator app
    "zaitaku_portal",
    "hubs",
    "hospitals",
    "subsidies",
    "reports",
    "django_tasks",  # the backport of Django 6's django.tasks (docs/adr/0014)
    "django_tasks_db",  # its database backend: the task rows, the `db_worker` command
]

MIDDLEWARE = [
    # Before anything reads the request (docs/operations.md): the proxy headers only from our
    # proxies, a request id for the logs, the answering host's name, the health checks.
    "zaitaku_portal.middleware.PortalHostMiddleware",
    "zaitaku_portal.middleware.ProxyHeadersMiddleware",
    "zaitaku_portal.request_id.RequestIdMiddleware",
    "zaitaku_portal.health.HealthCheckMiddleware",  # /healthz, /readyz: no login, no 2FA
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zaitaku_portal.middleware.NoStoreForSignedInMiddleware",  # wraps every later answer
    "django_otp.middleware.OTPMiddleware",
    "zaitaku_portal.two_factor.TwoFactorRequiredMiddleware",  # docs/adr/0010
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
    "zaitaku_portal.error_pages.PortalErrorPagesMiddleware",  # PORTAL_DEBUG_PAGES=0: real 404/500
    "reports.middleware.DocumentFailureMiddleware",  # a document over its limit: a page
    "zaitaku_portal.request_limits.RequestBodyLimitMiddleware",  # before any view reads it
    "zaitaku_portal.middleware.DownloadAuditMiddleware",
]

# Content Security Policy (django-csp, docs/adr/0008): scripts only from our own static
# files, never inline; styles may be inline only because Django's admin uses style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "zaitaku_portal.urls"

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
                "zaitaku_portal.context_processors.portal",
            ],
            "builtins": ["zaitaku_portal.templatetags.ja_format"],
        },
    },
]

# Plain inputs rendered without a template each (a national plan form has 2,800 of them)
FORM_RENDERER = "zaitaku_portal.form_renderer.PortalFormRenderer"

WSGI_APPLICATION = "zaitaku_portal.wsgi.application"

# SQLite for a newcomer; DATABASE_URL (postgres://...) for CI and production.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=0
        if env_bool("DATABASE_POOL", False)
        else int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=not env_bool("DATABASE_POOL", False),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    if env_bool("DATABASE_POOL", False):
        # psycopg 3 connection pool (Django 5.1+); one pool per gunicorn worker process.
        DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": 1, "max_size": 8}
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("DATABASE_TEST_NAME", "test_zaitaku")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

AUTH_USER_MODEL = "zaitaku_portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out login before checking it
    "django.contrib.auth.backends.ModelBackend",
]
# Login lockout (django-axes, docs/adr/0007): 5 failures for one user name from one address
# lock that pair for 15 minutes; a success resets the count.
AXES_FAILURE_LIMIT = int(os.environ.get("PORTAL_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The client's real address behind our proxies (zaitaku_portal/client_address.py): the
# addresses or CIDR networks of the proxies in front of gunicorn (nginx, a load balancer).
# Empty: X-Forwarded-* headers are ignored and REMOTE_ADDR is the client.
PORTAL_TRUSTED_PROXIES = env_list("PORTAL_TRUSTED_PROXIES")
AXES_CLIENT_IP_CALLABLE = "zaitaku_portal.client_address.client_ip"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "zaitaku_portal" / "static"]


# Every file (attachments, minutes, batch results, the admin import held between preview and
# confirmation) goes through Django's storage API (tests/zaitaku_portal/test_storage_only.py):
# the file system under MEDIA_ROOT by default; S3-compatible object storage (django-storages)
# when PORTAL_S3_BUCKET is set, so that every web host and worker sees the same files. The
# bucket stays private: files are handed out only by the portal's scoped, audited views.
def _default_storage() -> dict:
    bucket = os.environ.get("PORTAL_S3_BUCKET", "")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    options = {
        "bucket_name": bucket,
        "location": os.environ.get("PORTAL_S3_PREFIX", ""),
        "region_name": os.environ.get("PORTAL_S3_REGION") or None,
        "endpoint_url": os.environ.get("PORTAL_S3_ENDPOINT_URL") or None,
        "addressing_style": os.environ.get("PORTAL_S3_ADDRESSING_STYLE") or None,
        "default_acl": "private",
        "file_overwrite": False,  # a second upload of the same name gets its own name
        "querystring_auth": True,  # never used: no view hands out a bucket URL
    }
    # Without keys boto3 takes the usual AWS chain (AWS_* variables, an instance role).
    if os.environ.get("PORTAL_S3_ACCESS_KEY_ID"):
        options["access_key"] = os.environ["PORTAL_S3_ACCESS_KEY_ID"]
        options["secret_key"] = os.environ.get("PORTAL_S3_SECRET_ACCESS_KEY", "")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": _default_storage(),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Uploads (docs/security.md). A request body above REQUEST_BODY_MAX_BYTES is refused with a
# 413 page before anything reads it (zaitaku_portal/request_limits.py; nginx refuses the same
# size first, docs/nginx.conf.example): the largest upload is the 20 MB registry workbook.
# Django's DATA_UPLOAD_MAX_MEMORY_SIZE counts only the fields that are not files; larger
# files than FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file. Each application holds at
# most ATTACHMENT_MAX_COUNT attachments, ATTACHMENT_MAX_TOTAL_BYTES in all; each results
# report at most MINUTES_MAX_COUNT minutes (a meeting a month and more), MINUTES_MAX_TOTAL_BYTES.
REQUEST_BODY_MAX_BYTES = 25 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 10  # every form takes one file
ATTACHMENT_MAX_COUNT = int(os.environ.get("PORTAL_ATTACHMENT_MAX_COUNT", "20"))
ATTACHMENT_MAX_TOTAL_BYTES = int(os.environ.get("PORTAL_ATTACHMENT_MAX_TOTAL_MB", "50")) * 1024**2
MINUTES_MAX_COUNT = int(os.environ.get("PORTAL_MINUTES_MAX_COUNT", "60"))
MINUTES_MAX_TOTAL_BYTES = int(os.environ.get("PORTAL_MINUTES_MAX_TOTAL_MB", "200")) * 1024**2

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Dashboard sums (ADR 0006). REDIS_URL (redis://host:6379/0): one cache shared by every web
# host; otherwise a file cache shared by the gunicorn workers of one host. Logins, lockouts
# (django-axes' database handler) and sessions (database sessions) are in the database, so
# neither needs the cache to work across hosts.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "zaitaku_portal.cache.RedisCache",  # Django's, its clients kept
            "LOCATION": os.environ["REDIS_URL"],
            "TIMEOUT": 300,
            "KEY_PREFIX": os.environ.get("PORTAL_CACHE_PREFIX", "zaitaku"),
            # A dead Redis must not hang a request (or /readyz) for long.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("PORTAL_CACHE_DIR", str(BASE_DIR / ".cache")),
            "TIMEOUT": 300,
        }
    }

# Sessions stay in the database; with the shared cache (REDIS_URL) they are read through it,
# one query a request less (issue 21). Not with the file cache: each host would keep its own
# copy of a session another host has ended (a logout) or changed (the second factor passed).
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if os.environ.get("REDIS_URL")
    else "django.contrib.sessions.backends.db"
)

# Dashboards, coverage and to-dos are kept in that cache until a write changes what they read,
# and at most this many seconds whatever happens (zaitaku_portal/figures.py, ADR 0018); 0: off.
PORTAL_FIGURES_MAX_AGE = int(os.environ.get("PORTAL_FIGURES_MAX_AGE", "60"))

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "zaitaku-portal@localhost")
# The SMTP server (DJANGO_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend). Mail is
# sent by a task worker, never in a request (docs/adr/0014): a slow server holds a worker for
# at most EMAIL_TIMEOUT seconds an attempt; a failed attempt is tried again after each of
# PORTAL_MAIL_RETRY_DELAYS (seconds), then given up and logged.
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = float(os.environ.get("DJANGO_EMAIL_TIMEOUT", "10"))
PORTAL_MAIL_RETRY_DELAYS = [
    float(delay) for delay in env_list("PORTAL_MAIL_RETRY_DELAYS", "60,300,1800")
]

# Background tasks (docs/adr/0014): Django's task API (the django-tasks backport of Django
# 6's django.tasks) stored in the portal's own database by django-tasks-db; `manage.py
# task_worker` processes run them, on any number of hosts. A worker writes a heartbeat every
# PORTAL_WORKER_HEARTBEAT_SECONDS; a running task whose worker has not been seen for
# PORTAL_WORKER_DEAD_SECONDS is taken again by another worker, at most
# PORTAL_TASK_MAX_ATTEMPTS times. A batch is made PORTAL_BATCH_CHUNK_SIZE documents a task.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PORTAL_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("PORTAL_WORKER_HEARTBEAT_SECONDS", "10"))
PORTAL_WORKER_DEAD_SECONDS = float(os.environ.get("PORTAL_WORKER_DEAD_SECONDS", "60"))
PORTAL_TASK_MAX_ATTEMPTS = int(os.environ.get("PORTAL_TASK_MAX_ATTEMPTS", "3"))
PORTAL_BATCH_CHUNK_SIZE = int(os.environ.get("PORTAL_BATCH_CHUNK_SIZE", "4"))

# One prefecture per deployment (docs/adr/0002-roles-and-scoping.md).
PREFECTURE_CODE = os.environ.get("PORTAL_PREFECTURE_CODE", "47")
PREFECTURE_NAME = os.environ.get("PORTAL_PREFECTURE_NAME", "沖縄県")
GOVERNOR_TITLE = os.environ.get("PORTAL_GOVERNOR_TITLE", "沖縄県知事")
GOVERNOR_NAME = os.environ.get("PORTAL_GOVERNOR_NAME", "（知事氏名）")
PORTAL_TITLE = "在宅医療連携拠点 補助事業ポータル"
# DEBUG on: Django's debug pages for 400/404/500; 0: the portal's (zaitaku_portal/error_pages.py)
PORTAL_DEBUG_PAGES = env_bool("PORTAL_DEBUG_PAGES", True)
# Where e-mailed links point when there is no request (the daily reminder command).
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")

# Optional TOTP two-factor for prefecture staff (django-otp, docs/adr/0010). Our own lock
# (5 wrong codes per user in 15 minutes) replaces django-otp's per-device backoff, and the
# admin never shows a device's secret or QR code.
OTP_TOTP_ISSUER = f"{PREFECTURE_NAME} 補助事業ポータル"
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Administrators always need two-factor; this makes it required for every prefecture staff
# member too (zaitaku_portal.access.requires_two_factor, issue 12).
PORTAL_REQUIRE_TWO_FACTOR_FOR_ALL_STAFF = env_bool("PORTAL_REQUIRE_TWO_FACTOR_FOR_ALL_STAFF", False)

IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# The admin import's file between preview and confirmation: in the default storage (folder
# django-import-export/), not a host's /tmp, so the confirmation may reach another host.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"

# The web host's name on every answer (X-Portal-Host) and in /healthz, when set.
PORTAL_HOST_NAME = os.environ.get("PORTAL_HOST_NAME", "")

# Logs to standard error: one JSON object a line in production (PORTAL_LOG_FORMAT=json, the
# default when DJANGO_DEBUG is off), plain text in development; both carry the request id
# (zaitaku_portal/request_id.py), also in a task worker's lines for the request's tasks.
LOG_FORMAT = os.environ.get("PORTAL_LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "zaitaku_portal.request_id.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "zaitaku_portal.request_id.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # WeasyPrint logs every layout step at INFO; only its warnings matter.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
PDF_FONT_DIR = os.environ.get("PORTAL_PDF_FONT_DIR", "/usr/share/fonts/truetype/bizud-gothic")
# Time limits (reports/pdf_sandbox.py): one document, under gunicorn's --timeout 60 so the
# page can still say why; a whole batch, counted from its start across all its tasks.
PORTAL_DOCUMENT_TIMEOUT_SECONDS = float(os.environ.get("PORTAL_DOCUMENT_TIMEOUT_SECONDS", "30"))
PORTAL_BATCH_TIMEOUT_SECONDS = float(os.environ.get("PORTAL_BATCH_TIMEOUT_SECONDS", "540"))

if not DEBUG:
    if PORTAL_TRUSTED_PROXIES:
        # Believed only from a trusted proxy: ProxyHeadersMiddleware drops it from anyone else.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # Only a local load benchmark over plain-HTTP loopback turns this off.
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REFERRER_POLICY = "same-origin"
    SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
