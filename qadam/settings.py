"""The one settings module. Every knob is an environment variable.

SQLite in a git-ignored ``var/`` folder is the embedded default; set DATABASE_URL
for PostgreSQL in production.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


STATE_DIR = Path(os.environ.get("QADAM_STATE_DIR", BASE_DIR / "var"))
STATE_DIR.mkdir(parents=True, exist_ok=True)

# Real public data is read in place, never copied into the repository.
QADAM_DATA_DIR = Path(os.environ.get("QADAM_DATA_DIR", BASE_DIR.parent / "shared" / "data"))

PRODUCTION = env_bool("QADAM_PRODUCTION")
DEBUG = env_bool("DEBUG")


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when QADAM_PRODUCTION is on")
    # Development: generate once and keep it, so sessions survive restarts.
    path = STATE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    # Qadam apps, in the order data flows (see ARCHITECTURE.md).
    "qadam.audit",
    "qadam.taxonomy",
    "qadam.accounts",
    "qadam.registry",
    "qadam.labelling",
    "qadam.indicators",
    "qadam.qol",
    "qadam.tracking",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "qadam.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "qadam" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "qadam.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{STATE_DIR / 'qadam.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker write while the web process reads.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "registry:recommendation-list"
LOGOUT_REDIRECT_URL = "registry:recommendation-list"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("kk", _("Kazakh")),
    ("ru", _("Russian")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "qadam" / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Almaty"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "qadam" / "static"]

# Uploaded originals stay private: they are stored outside any served folder and
# reached only through views that check permissions.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("QADAM_PRIVATE_MEDIA", STATE_DIR / "private"))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": "/files/"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Largest file an importer accepts, in bytes.
QADAM_MAX_IMPORT_BYTES = int(os.environ.get("QADAM_MAX_IMPORT_BYTES", str(50 * 1024 * 1024)))
QADAM_MAX_EVIDENCE_BYTES = int(os.environ.get("QADAM_MAX_EVIDENCE_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

TASKS = {
    "default": {
        "BACKEND": os.environ.get("QADAM_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Absolute links in emails (digests) point here.
QADAM_SITE_URL = os.environ.get("QADAM_SITE_URL", "").rstrip("/")  # "" = emails carry no links
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "qadam@localhost")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True

# Trained labelling models, one folder per version (see docs/labelling.md). Outside the
# repository: they are built from the database and QADAM_DATA_DIR by `qadam train`.
QADAM_MODEL_DIR = Path(os.environ.get("QADAM_MODEL_DIR", STATE_DIR / "models"))
# Labelling reads at most this many characters of one text; the rest is ignored, and said so.
QADAM_MAX_LABEL_CHARS = int(os.environ.get("QADAM_MAX_LABEL_CHARS", "20000"))
# The quality-of-life standard the pages and `qadam qol` use when none is named.
QADAM_QOL_STANDARD = os.environ.get("QADAM_QOL_STANDARD", "kz-sufficient-qol")
