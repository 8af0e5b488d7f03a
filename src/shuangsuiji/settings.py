"""Django settings. Defaults give an embedded SQLite set-up; env variables switch to PostgreSQL/Redis."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("SSJ_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("SSJ_DEBUG", "1") == "1"
PRODUCTION = os.environ.get("SSJ_PRODUCTION", "0") == "1"
SECRET_KEY = os.environ.get("SSJ_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
# Key for field-level encryption of personal data (ID numbers, phones): 32 bytes, urlsafe base64.
FIELD_ENCRYPTION_KEY = os.environ.get("SSJ_FIELD_KEY", "ZGV2LW9ubHktZmllbGQta2V5LTMyLWJ5dGVzLWxvbmc=")
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
    "shuangsuiji.common",
    "shuangsuiji.audit",
    "shuangsuiji.accounts",
    "shuangsuiji.directory",
    "shuangsuiji.planning",
    "shuangsuiji.draws",
    "shuangsuiji.inspections",
    "shuangsuiji.disclosure",
    "shuangsuiji.oversight",
    "shuangsuiji.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "shuangsuiji.common.middleware.RequestContextMiddleware",
    "shuangsuiji.common.middleware_errors.ApplicationErrorMiddleware",
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
                "shuangsuiji.common.context_processors.navigation",
                "shuangsuiji.oversight.context_processors.notifications",
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
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SSJ_SQLITE_PATH", str(VAR_DIR / "shuangsuiji.sqlite3")),
            "OPTIONS": {
                # WAL lets the web server read while background jobs write; IMMEDIATE avoids
                # "database is locked" upgrades inside write transactions.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 H:i"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = True

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024
IMPORT_MAX_BYTES = 60 * 1024 * 1024

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
if REDIS_URL:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "shuangsuiji", "url": REDIS_URL, "immediate": False}
else:
    # Embedded default: a SQLite-backed queue file next to the database; tests run jobs immediately.
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "shuangsuiji",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": os.environ.get("SSJ_HUEY_IMMEDIATE", "0") == "1",
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if PRODUCTION:
    DEBUG = False
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("SSJ_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
