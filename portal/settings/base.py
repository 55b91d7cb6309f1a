"""Jildi settings: one env-driven base; production differs only by environment.

Environment is read through tiny typed helpers that fail loudly on bad values
(the healthchecks pattern), so a typo in a deployment never silently becomes a
default.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default).strip()
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def envstr(name: str, default: str) -> str:
    return os.getenv(name, default)


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "0")

SECRET_KEY = envstr("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts.axes_app.AxesConfig",
    "accounts",
    "diseases",
    "diagnosis",
    "review",
    "records",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the body (the CSRF check does): 413 by Content-Length.
    "portal.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.middleware.PermissionsPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.PreferredLanguageMiddleware",
    # Clinicians and staff: no review queue, clinician API or Django admin without TOTP.
    "accounts.mfa.MfaRequiredMiddleware",
    # Axes must be last so it sees the final authentication result.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.preferences",
                "accounts.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jildi"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before anything else runs.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    # Authenticates nobody: gives members of the admin group every admin permission.
    "accounts.roles.AdminGroupBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- django-allauth (65.x) -------------------------------------------------
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# No page says whether an address has an account: sign-up with a registered address and
# a reset for an unknown one look like the normal case on screen; the address's owner is
# told plainly by email instead ("account already exists" / "no account"). Possible
# without a usability loss because verification is mandatory.
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_TIMEOUT = envint("ACCOUNT_CODE_TIMEOUT", "900")
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_TIMEOUT = envint("ACCOUNT_CODE_TIMEOUT", "900")
# allauth's default code: 8 letters from 20 unambiguous consonants, shown as "BCDF-GHJK"
# (20**8 = 2.6e10 codes; a 6-digit code has 1e6). Typed in any case, with or without
# the dash. At most 3 guesses per code and 5 codes a minute per address, counted in the
# shared cache: about 1 in 1.2 million per address per day (README, "Security").
ALLAUTH_USER_CODE_FORMAT = {"numeric": False, "length": 8, "dashed": True}
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Jildi] "
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
# Axes does the brute-force lockout; allauth's own limiter stays on for
# everything else (signup, reset, code entry).
ACCOUNT_RATE_LIMITS = {"login_failed": False}

# --- two-factor sign-in (allauth.mfa; accounts/mfa.py) ------------------------
# TOTP (authenticator app) plus 10 single-use recovery codes; mandatory for clinicians and
# staff (accounts.roles.requires_mfa) before the paths below, optional for patients.
MFA_ADAPTER = "accounts.mfa.MfaAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Jildi"
MFA_FORMS = {
    "authenticate": "accounts.forms_mfa.MfaAuthenticateForm",
    "reauthenticate": "accounts.forms_mfa.MfaReauthenticateForm",
    "activate_totp": "accounts.forms_mfa.MfaActivateTOTPForm",
}
MFA_ENFORCED_PATHS = envlist("MFA_ENFORCED_PATHS", "/clinician/,/admin/,/api/v1/clinician/")

# --- django-axes ------------------------------------------------------------
AXES_ENABLED = envbool("AXES_ENABLED", "1")
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_MINUTES = envint("AXES_COOLOFF_MINUTES", "15")
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.axes.username_from_request"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
# The one client-address rule (TRUSTED_PROXY_COUNT), not django-ipware's guesses.
AXES_CLIENT_IP_CALLABLE = "portal.client_ip.client_ip"

# --- client address behind reverse proxies -----------------------------------
# How many reverse proxies of ours stand in front of Django (nginx alone: 1; a load
# balancer plus nginx: 2). Axes, allauth and the API throttles all read the client from
# X-Forwarded-For through portal.client_ip with this number; 0 ignores the header.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", "0")
for _legacy in ("AXES_PROXY_COUNT", "API_PROXY_COUNT"):
    if os.getenv(_legacy) is not None:
        raise ImproperlyConfigured(f"{_legacy} was replaced by TRUSTED_PROXY_COUNT (one setting for all)")
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# --- i18n -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("ar", "العربية"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["portal.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = envstr("TIME_ZONE", "UTC")
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- static & media -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Media is private: never served by a static() URL; diagnosis serves files
# through permission-checked views.
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media-private/"
SENDFILE_NGINX = envbool("SENDFILE_NGINX", "0")
# Media on S3-compatible object storage (django-storages) instead of MEDIA_ROOT: private
# objects, handed out only by the same permission-checked views, either streamed through
# Django ("stream") or as a 302 to a presigned URL valid MEDIA_S3_URL_SECONDS ("redirect").
MEDIA_STORAGE = envstr("MEDIA_STORAGE", "filesystem").strip().lower()
MEDIA_S3_SERVE = envstr("MEDIA_S3_SERVE", "stream").strip().lower()
if MEDIA_STORAGE not in ("filesystem", "s3"):
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be filesystem or s3, got {MEDIA_STORAGE!r}")
if MEDIA_S3_SERVE not in ("stream", "redirect"):
    raise ImproperlyConfigured(f"MEDIA_S3_SERVE must be stream or redirect, got {MEDIA_S3_SERVE!r}")
if MEDIA_STORAGE == "s3":
    MEDIA_S3_BUCKET = envstr("MEDIA_S3_BUCKET", "")
    if not MEDIA_S3_BUCKET:
        raise ImproperlyConfigured("MEDIA_S3_BUCKET must be set when MEDIA_STORAGE=s3")
    MEDIA_S3_ENDPOINT_URL = envstr("MEDIA_S3_ENDPOINT_URL", "")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_S3_BUCKET,
            "endpoint_url": MEDIA_S3_ENDPOINT_URL or None,
            "region_name": envstr("MEDIA_S3_REGION", "") or None,
            "access_key": envstr("MEDIA_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": envstr("MEDIA_S3_SECRET_ACCESS_KEY", "") or None,
            "location": envstr("MEDIA_S3_PREFIX", ""),
            "addressing_style": envstr("MEDIA_S3_ADDRESSING_STYLE", "") or None,  # "path" for MinIO
            "default_acl": envstr("MEDIA_S3_ACL", "private") or None,
            "querystring_auth": True,  # never a plain public URL
            "querystring_expire": envint("MEDIA_S3_URL_SECONDS", "60"),
            "signature_version": "s3v4",
            "file_overwrite": False,
        },
    }
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", str(15 * 1024 * 1024))
# Photo limit (diagnosis.imaging) and the largest request body anyone may send: a photo
# plus the form around it. Checked by Content-Length before the body is read
# (portal.middleware); nginx's client_max_body_size must be the same (deploy/nginx.conf).
DIAGNOSIS_MAX_UPLOAD_BYTES = envint("DIAGNOSIS_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024))
MAX_REQUEST_BYTES = envint("MAX_REQUEST_BYTES", str(DIAGNOSIS_MAX_UPLOAD_BYTES + 1024 * 1024))
# Photos: the largest accepted (pixels), the smallest side, the stored master's longest side.
DIAGNOSIS_MAX_PIXELS = envint("DIAGNOSIS_MAX_PIXELS", str(64_000_000))
DIAGNOSIS_MIN_SIDE = envint("DIAGNOSIS_MIN_SIDE", "64")
DIAGNOSIS_STORED_MAX_SIDE = envint("DIAGNOSIS_STORED_MAX_SIDE", "1600")
# Decoding memory bound per photo, and the largest photo decoded at full size (a 24 MP phone
# photo, iPhone HEIC 5712 x 4284); larger JPEGs are decoded at a reduced DCT scale.
DIAGNOSIS_DECODE_BUDGET_BYTES = envint("DIAGNOSIS_DECODE_BUDGET_BYTES", str(200 * 1024 * 1024))
DIAGNOSIS_MAX_FULL_DECODE_PIXELS = envint("DIAGNOSIS_MAX_FULL_DECODE_PIXELS", str(25_000_000))
# A photo whose analysis was started this many times (worker crashes, timeouts) fails for good.
DIAGNOSIS_MAX_ATTEMPTS = envint("DIAGNOSIS_MAX_ATTEMPTS", "5")
# Uploads up to this size stay in memory (a phone photo is 2-6 MB): no temporary file written
# and read back per upload; larger ones (up to DIAGNOSIS_MAX_UPLOAD_BYTES) spool to disk.
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", str(8 * 1024 * 1024))
# One photo per upload; a few for the disease library's admin form.
DATA_UPLOAD_MAX_NUMBER_FILES = envint("DATA_UPLOAD_MAX_NUMBER_FILES", "5")
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", str(5 * 1024 * 1024))

# --- email -----------------------------------------------------------------
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "0")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "10")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Jildi <noreply@jildi.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ----------------------------------------------------------------
REDIS_URL = envstr("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = envstr("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", "120")
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_TASK_SOFT_TIME_LIMIT", "90")
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"diagnosis.tasks.*": {"queue": "inference"}}
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", "0")
CELERY_TIMEZONE = TIME_ZONE
# Celery beat (`make run` starts `celery -A portal beat`): the sweepers re-queue lost work,
# drop expired claims and re-send failed patient emails.
DIAGNOSIS_SWEEP_EVERY_SECONDS = envint("DIAGNOSIS_SWEEP_EVERY_SECONDS", "60")
DIAGNOSIS_SWEEP_OLDER_THAN_SECONDS = envint("DIAGNOSIS_SWEEP_OLDER_THAN_SECONDS", "300")
REVIEW_SWEEP_EVERY_SECONDS = envint("REVIEW_SWEEP_EVERY_SECONDS", "300")
CELERY_BEAT_SCHEDULE = {
    "diagnosis-sweep": {
        "task": "diagnosis.tasks.sweep_diagnoses",
        "schedule": float(DIAGNOSIS_SWEEP_EVERY_SECONDS),
        "kwargs": {"older_than_seconds": DIAGNOSIS_SWEEP_OLDER_THAN_SECONDS},
    },
    "diagnosis-review-sweep": {
        "task": "diagnosis.review.sweep",
        "schedule": float(REVIEW_SWEEP_EVERY_SECONDS),
    },
}

# --- cache: rate-limit counters shared by every web process -------------------
# DRF throttles and allauth's rate limits count here, so N processes (or a restart)
# never multiply a limit. portal.cache.RedisCache is Django's, except that clear()
# removes only its own keys (it may share a Redis database with the broker).
CACHES = {
    "default": {
        "BACKEND": "portal.cache.RedisCache",
        "LOCATION": envstr("CACHE_URL", REDIS_URL),
        "KEY_PREFIX": envstr("CACHE_KEY_PREFIX", "jildi"),
        "TIMEOUT": 300,
    }
}

# --- clinician review ------------------------------------------------------
# A claimed case returns to the review queue after this many minutes without feedback.
REVIEW_CLAIM_TIMEOUT_MINUTES = envint("REVIEW_CLAIM_TIMEOUT_MINUTES", "60")

# --- the patient's record: spots, reminders, retention ---------------------------------------
# Beat checks for due re-check reminders (and "result ready" emails to retry) this often.
REMINDER_CHECK_SECONDS = envint("REMINDER_CHECK_SECONDS", "300")
# A "result ready" email (if the patient asked for one) only when the analysis took this long.
RESULT_EMAIL_AFTER_SECONDS = envint("RESULT_EMAIL_AFTER_SECONDS", "30")
# Finished checks (done / not usable / failed) older than this many days are deleted with their
# photos by the daily records.purge task; 0 keeps them until the patient deletes them.
DIAGNOSIS_RETENTION_DAYS = envint("DIAGNOSIS_RETENTION_DAYS", "0")
RECORDS_PURGE_EVERY_SECONDS = envint("RECORDS_PURGE_EVERY_SECONDS", str(24 * 3600))
CELERY_BEAT_SCHEDULE |= {
    "diagnosis-spots-notifications": {
        "task": "diagnosis.spots.send_notifications",
        "schedule": float(REMINDER_CHECK_SECONDS),
    },
    "records-purge-expired": {
        "task": "records.purge_expired",
        "schedule": float(RECORDS_PURGE_EVERY_SECONDS),
    },
}

# --- DRF (the REST API under /api/v1/, see portal/api_urls.py) ------------
REST_FRAMEWORK = {
    # Token first: an anonymous API call gets 401 with `WWW-Authenticate: Token`.
    # Session authentication (with CSRF) serves the site's own JavaScript.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.IsVerifiedUser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    # Throttles are attached per view (uploads per user, sign-in attempts per client).
    "DEFAULT_THROTTLE_RATES": {
        "uploads": envstr("API_UPLOAD_RATE", "30/hour"),
        "auth": envstr("API_AUTH_RATE", "10/minute"),
    },
    # Never None: DRF would then key throttles on the client-supplied X-Forwarded-For.
    # Our throttles ask portal.client_ip; this covers any DRF default throttle.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# API tokens (django-rest-knox, accounts/tokens.py): stored as SHA-512 digests, one per
# sign-in (device), expiring; all revoked when the password changes or is reset.
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=envint("API_TOKEN_TTL_HOURS", str(30 * 24))),
    "AUTH_HEADER_PREFIX": "Token",
}
API_TOKENS_PER_USER = envint("API_TOKENS_PER_USER", "10")
SPECTACULAR_SETTINGS = {
    "TITLE": "Jildi API",
    "DESCRIPTION": (
        "REST API of the Jildi teledermatology portal (v1). Authenticate apps with "
        "`Authorization: Token <token>` (POST /api/v1/auth/token/: one token per sign-in, "
        "expiring, revoked on a password change); the site's JavaScript uses "
        'its session. Errors have the shape `{"error": {"code", "message", "fields"}}`. '
        "Screening support only; not a medical diagnosis."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DiseaseUrgencyEnum": "diseases.models.Urgency",
        "ReviewUrgencyEnum": "diagnosis.feedback.Urgency",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- security ----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", "0" if DEBUG else "1")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "1")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "0" if DEBUG else "1")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): only our own files; the one inline script (the
# theme, before first paint) carries the per-request nonce. Style attributes stay
# allowed (progress-bar widths) but no inline <style> element or script does.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        # With MEDIA_S3_SERVE=redirect the browser follows our 302 to the storage's origin.
        "img-src": ["'self'", "data:", "blob:"]
        + (
            [envstr("MEDIA_S3_PUBLIC_ORIGIN", "")]
            if MEDIA_STORAGE == "s3" and MEDIA_S3_SERVE == "redirect"
            else []
        ),
        "media-src": ["'self'", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy (camera on our own origin only) is set by
# portal.middleware.PermissionsPolicyMiddleware.
if envbool("SECURE_PROXY_SSL_HEADER", "0"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = envlist("SILENCED_SYSTEM_CHECKS", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Human-readable product name used in templates and emails.
SITE_NAME = _("Jildi")
