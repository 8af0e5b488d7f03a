"""Django settings. Defaults give an embedded SQLite set-up; env variables switch to PostgreSQL/Redis."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("SSJ_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("SSJ_DEBUG", "1") == "1"
PRODUCTION = os.environ.get("SSJ_PRODUCTION", "0") == "1"
# Demo set-up (demo accounts allowed, 2FA relaxed, marked on every page): on by default in development,
# always off in production (a system check and the login refuse demo accounts there).
SSJ_DEMO = (not PRODUCTION) and os.environ.get("SSJ_DEMO", "1") == "1"
# TOTP second factor for administrators and for publishing / confirming draws.
SSJ_REQUIRE_2FA = PRODUCTION or os.environ.get("SSJ_REQUIRE_2FA", "0" if SSJ_DEMO else "1") == "1"
SECRET_KEY = os.environ.get("SSJ_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
# Key for field-level encryption of personal data (ID numbers, phones): 32 bytes, urlsafe base64.
DEV_FIELD_ENCRYPTION_KEY = "ZGV2LW9ubHktZmllbGQta2V5LTMyLWJ5dGVzLWxvbmc="
FIELD_ENCRYPTION_KEY = os.environ.get("SSJ_FIELD_KEY", DEV_FIELD_ENCRYPTION_KEY)
# Previous keys, comma separated, still accepted for reading during a key rotation (`ssj crypto rotate-key`).
FIELD_ENCRYPTION_OLD_KEYS = [k for k in os.environ.get("SSJ_FIELD_OLD_KEYS", "").split(",") if k.strip()]
# Ed25519 key signing the transparency log's daily tree head: 32-byte seed, urlsafe base64.
DEV_TREE_SIGNING_KEY = "ZGV2LW9ubHktdHJlZS1zaWduaW5nLWtleS0zMmJ5dGU="
TREE_SIGNING_KEY = os.environ.get("SSJ_TREE_SIGNING_KEY", DEV_TREE_SIGNING_KEY)
# Key deriving each frozen pool's secret salt of the public risk-class commitments (core.draw.public):
# keep it secret and never change it once draws are published (the public digests depend on it).
DEV_RISK_COMMITMENT_KEY = "dev-only-risk-commitment-key-change-me"
RISK_COMMITMENT_KEY = os.environ.get("SSJ_RISK_COMMITMENT_KEY", DEV_RISK_COMMITMENT_KEY)
ALLOWED_HOSTS = os.environ.get("SSJ_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "simple_history",
    "huey.contrib.djhuey",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "shuangsuiji.common",
    "shuangsuiji.audit",
    "shuangsuiji.accounts",
    "shuangsuiji.directory",
    "shuangsuiji.planning",
    "shuangsuiji.draws",
    "shuangsuiji.inspections",
    "shuangsuiji.disclosure",
    "shuangsuiji.deadlines",
    "shuangsuiji.oversight",
    "shuangsuiji.supervision",
    "shuangsuiji.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Answers cached public pages before the rest runs (README 部署, disclosure/page_cache.py).
    "shuangsuiji.disclosure.page_cache.PortalCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shuangsuiji.common.security_headers.SecurityHeadersMiddleware",
    "shuangsuiji.accounts.security.AccountSecurityMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "shuangsuiji.common.middleware.RequestContextMiddleware",
    "shuangsuiji.common.middleware_errors.ApplicationErrorMiddleware",
    # Must stay last: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shuangsuiji.urls"
WSGI_APPLICATION = "shuangsuiji.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

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
                "shuangsuiji.accounts.navigation.navigation",
                "shuangsuiji.deadlines.context_processors.notifications",
                "shuangsuiji.accounts.context_processors.security",
            ],
        },
    },
]

DB_ENGINE = os.environ.get("SSJ_DB_ENGINE", "sqlite")
if DB_ENGINE == "postgresql":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("SSJ_DB_NAME", "shuangsuiji"),
            "USER": os.environ.get("SSJ_DB_USER", "postgres"),
            "PASSWORD": os.environ.get("SSJ_DB_PASSWORD", ""),
            "HOST": os.environ.get("SSJ_DB_HOST", "127.0.0.1"),
            "PORT": os.environ.get("SSJ_DB_PORT", "5432"),
            "CONN_MAX_AGE": 60,
            "TEST": {"NAME": "test_" + os.environ.get("SSJ_DB_NAME", "shuangsuiji")},
        }
    }
    # A streaming read replica (hot standby) for the portal and dashboards (common/db_router.py, README 部署).
    # Unset parts default to the primary's: usually only the host (or port) differs.
    if os.environ.get("SSJ_DB_REPLICA_HOST"):
        primary = DATABASES["default"]
        DATABASES["replica"] = {
            **primary,
            "NAME": os.environ.get("SSJ_DB_REPLICA_NAME", primary["NAME"]),
            "USER": os.environ.get("SSJ_DB_REPLICA_USER", primary["USER"]),
            "PASSWORD": os.environ.get("SSJ_DB_REPLICA_PASSWORD", primary["PASSWORD"]),
            "HOST": os.environ["SSJ_DB_REPLICA_HOST"],
            "PORT": os.environ.get("SSJ_DB_REPLICA_PORT", primary["PORT"]),
            # tests: the replica serves the primary's test database (through real streaming, or the same server)
            "TEST": {"MIRROR": "default"},
        }
        DATABASE_ROUTERS = ["shuangsuiji.common.db_router.ReplicaRouter"]
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SSJ_SQLITE_PATH", str(VAR_DIR / "shuangsuiji.sqlite3")),
            "OPTIONS": {
                # WAL lets the web server read while background jobs write; IMMEDIATE avoids
                # "database is locked" upgrades inside write transactions.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; "
                    "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"  # 64 MB page cache: bulk imports, dashboards
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "shuangsuiji.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "shuangsuiji.accounts.validators.PasswordHistoryValidator", "OPTIONS": {"history": 5}},
]
PASSWORD_MAX_AGE_DAYS = 90
PASSWORD_WARNING_DAYS = 14

# Lockout (django-axes): 5 failures lock the user name for 30 minutes, whatever the address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "shuangsuiji.accounts.backends.AccountBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 suggests locking addresses too: a whole bureau behind one NAT address would then be locked
# out by five typos. The login form has a per-address rate limit instead (accounts.views.login_view).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # logins are in the audit log already
OTP_TOTP_ISSUER = "双随机一公开"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files live outside static and are never served by a public URL: only through
# `shuangsuiji.common.files.serve_protected`, which checks permission first.
MEDIA_URL = "/files/"
MEDIA_ROOT = Path(os.environ.get("SSJ_PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
PRIVATE_MEDIA_ROOT = MEDIA_ROOT
# Optional: let the front web server send files after the permission check ("X-Accel-Redirect" prefix).
SSJ_X_ACCEL_REDIRECT_PREFIX = os.environ.get("SSJ_X_ACCEL_REDIRECT_PREFIX", "")
WHITENOISE_USE_FINDERS = True

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024
IMPORT_MAX_BYTES = 300 * 1024 * 1024  # a province register of 1,000,000 rows is ~220 MB as .csv

# Inspection evidence (photos, scans, PDFs, audio/video): a private store outside MEDIA/STATIC, served only by a
# permission-checking view; files are named by their SHA-256. Size limits per kind, and a pixel limit that
# refuses decompression bombs before an image is decoded (also set as Pillow's MAX_IMAGE_PIXELS).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("SSJ_PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
EVIDENCE_MAX_BYTES = {
    "image": 20 * 1024 * 1024,
    "pdf": 30 * 1024 * 1024,
    "audio": 50 * 1024 * 1024,
    "video": 300 * 1024 * 1024,
    "signature": 2 * 1024 * 1024,
}
EVIDENCE_MAX_IMAGE_PIXELS = 50_000_000
# Base of the links printed on documents (QR code of the public draw verification page).
PUBLIC_BASE_URL = os.environ.get("SSJ_PUBLIC_BASE_URL", "http://127.0.0.1:8000")

EMAIL_BACKEND = os.environ.get("SSJ_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("SSJ_FROM_EMAIL", "shuangsuiji@localhost")
# Absolute address of the site, for links in reminder emails.
SITE_URL = os.environ.get("SSJ_SITE_URL", "http://127.0.0.1:8000")

REDIS_URL = os.environ.get("SSJ_REDIS_URL", "")
# Prefix of every Redis key (cache and job queue): several installations (or test runs) can share one Redis.
REDIS_KEY_PREFIX = os.environ.get("SSJ_REDIS_KEY_PREFIX", "")
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": REDIS_KEY_PREFIX + "shuangsuiji", "url": REDIS_URL,
            "immediate": False}
else:
    # Embedded default: a SQLite-backed queue file next to the database; tests run jobs immediately.
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "shuangsuiji",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": os.environ.get("SSJ_HUEY_IMMEDIATE", "0") == "1",
    }

# Every log line goes through MaskingFormatter: no ID-card or mobile number reaches a log (README 安全).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "masked": {"()": "shuangsuiji.common.log_masking.MaskingFormatter",
                   "format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "masked_server": {"()": "shuangsuiji.common.log_masking.MaskingFormatter", "format": "[%(asctime)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "masked"},
        # replaces Django's own handler of the request log (runserver), whose lines carry query strings
        "django.server": {"class": "logging.StreamHandler", "formatter": "masked_server"},
    },
    "loggers": {"django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# The cache holds rate-limit counters, fragments and the portal's shared pages (disclosure/page_cache.py). Redis
# makes it one cache for all app servers (required with several: invalidation after a publication and rate
# limits must reach every server); the default is each process's own memory.
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "shuangsuiji.common.redis_cache.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": REDIS_KEY_PREFIX}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ssj",
                          "OPTIONS": {"MAX_ENTRIES": 2000}}}
# Life of a cached public page in seconds (0: no page cache); publications drop the cache at once anyway.
SSJ_PORTAL_CACHE_SECONDS = int(os.environ.get("SSJ_PORTAL_CACHE_SECONDS", "300"))
# With a read replica: pages rendered this many seconds after a publication are not cached (replication lag).
SSJ_PORTAL_CACHE_REPLICA_GRACE = float(os.environ.get("SSJ_PORTAL_CACHE_REPLICA_GRACE", "5"))

# ---------------------------------------------------------------- security (README "安全")
# Idle timeout: the session ends 15 minutes after the last request (AccountSecurityMiddleware renews
# the expiry at most once a minute instead of writing the session on every request).
SESSION_COOKIE_AGE = 15 * 60
SESSION_SAVE_EVERY_REQUEST = False
SSJ_SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy: no inline or eval'd script anywhere (a test scans the templates).
SSJ_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    # style="" attributes (progress bars) carry no script; <style> blocks stay forbidden.
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Rate limit of the public search (requests per minute per client address), see common.ratelimit.
SSJ_PUBLIC_SEARCH_RATE = (30, 60)
# Number of reverse proxies in front of the application whose X-Forwarded-For entries are trusted.
SSJ_TRUSTED_PROXY_COUNT = int(os.environ.get("SSJ_TRUSTED_PROXY_COUNT", "0"))
# Audit retention: entries younger than this are never archived/pruned.
AUDIT_RETENTION_DAYS = 180
if PRODUCTION:
    DEBUG = False
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("SSJ_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
