"""Settings for the fact sheet CMS, read from the environment with safe local defaults.

DJANGO_DEBUG (off), DJANGO_SECRET_KEY (required unless debugging), DJANGO_ALLOWED_HOSTS,
DATABASE_URL (SQLite file by default), REDIS_URL (local-memory cache when unset).
"""

import json
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production mode (DJANGO_DEBUG off) refuses to start "
            "without a real secret key; set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if not DEBUG else "*")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "axes",
    "csp",
    "factsheets",
    "reviews",
]

MIDDLEWARE = [
    "config.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # The language of a public page comes from its address alone (/es/...); nothing else switches it.
    "factsheets.public.middleware.PathLanguageMiddleware",
    # Cached anonymous public responses, before sessions/CSRF/auth (factsheets/middleware.py).
    "factsheets.public.middleware.PublicResponseCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    # Axes must come last: it turns a locked-out login into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        # A persistent connection is checked before a request reuses it: after a database restart the next
        # request reconnects instead of failing on the dead connection.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # An unreachable database fails a request within seconds instead of hanging it for the TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DJANGO_DB_CONNECT_TIMEOUT", "5"))
    )

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, but a Redis outage is logged and served around instead of raised.
            "BACKEND": "config.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_PREFIX", "factsheets"),
        }
    }
elif DEBUG:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # Production without Redis: one cache directory shared by every worker process on this machine, so a
    # publish or withdrawal done in one worker is seen by all of them at once. Past one machine, set REDIS_URL.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("DJANGO_CACHE_DIR", str(BASE_DIR / ".cache")),
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }

AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a login attempt from a locked-out user/address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
# Site chrome is translated (locale/<lang>/LC_MESSAGES/django.po, compiled to .mo by `make`).
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "admin:login"

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "factsheets@localhost")

# Absolute base of links in emails and feeds ("https://factsheets.example.org").
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

SIMPLE_HISTORY_REVERT_DISABLED = True

# The fewest approvals any committee may require to publish (never below 2: nobody publishes alone).
REVIEWS_MIN_APPROVALS = int(os.environ.get("REVIEWS_MIN_APPROVALS", "2"))
# Authenticator apps show this as the account's issuer.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Patient Drug Fact Sheets")

# Searches per client address per minute (0: no limit).
_search_per_minute = int(os.environ.get("DJANGO_SEARCH_THROTTLE_PER_MINUTE", "60"))

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "factsheets.api.errors.api_exception_handler",
    # Rate limits per client address, e.g. "120/min", "5000/day"; empty (or 0 searches) disables one. One
    # mechanism for all (factsheets.public.throttling): `anon` for the API and the Infobutton, `search` for /search/.
    "DEFAULT_THROTTLE_CLASSES": ["factsheets.public.throttling.ClientRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("DJANGO_API_ANON_RATE", "120/min") or None,
        "search": f"{_search_per_minute}/min" if _search_per_minute else None,
    },
    # The client address of every rate limit: behind N trusted proxies/load balancers, the Nth entry from the
    # end of X-Forwarded-For; unset, one proxy when DJANGO_SECURE_PROXY_SSL_HEADER says there is one (as the
    # login lockout counts), else none, and the connection's own address counts (never what a client sends).
    "NUM_PROXIES": int(os.environ["DJANGO_API_NUM_PROXIES"])
    if os.environ.get("DJANGO_API_NUM_PROXIES")
    else (1 if len(env_list("DJANGO_SECURE_PROXY_SSL_HEADER")) == 2 else 0),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Patient drug fact sheets API",
    "DESCRIPTION": (
        "Read-only access to published, committee-approved patient drug fact sheets. Only published content "
        'is served. Errors are JSON `{"status", "message"}` (plus `errors` on 400). Dates are ISO 8601; '
        "times are UTC with an explicit offset. Detail responses carry `ETag` and `Last-Modified`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # validatorUrl null: Swagger UI would otherwise send the schema address to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
}

# Partner sites call the API from browsers: anonymous GET from any origin, on /api/ only.
CORS_ALLOW_ALL_ORIGINS = True
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]

# Cache-Control max-age of API detail responses (browsers and CDNs).
FACTSHEETS_API_MAX_AGE = int(os.environ.get("FACTSHEETS_API_MAX_AGE", "60"))

# Printed under every public sheet; a society can set its own wording.
FACTSHEETS_DISCLAIMER = os.environ.get(
    "FACTSHEETS_DISCLAIMER",
    "This fact sheet is for general education only. It is not medical advice. Talk to a qualified "
    "health care provider about your own diagnosis and treatment.",
)
FACTSHEETS_SITE_NAME = os.environ.get("FACTSHEETS_SITE_NAME", "Patient Drug Fact Sheets")
# The staff screens' header and browser-tab title: the product's name, never "Django administration".
ADMIN_SITE_HEADER = os.environ.get("ADMIN_SITE_HEADER", f"{FACTSHEETS_SITE_NAME}: editorial workspace")
ADMIN_SITE_TITLE = os.environ.get("ADMIN_SITE_TITLE", f"{FACTSHEETS_SITE_NAME} workspace")
# On: a version needs an RxNorm RXCUI to be submitted or published (for sites whose EHR finds sheets by it).
FACTSHEETS_REQUIRE_RXNORM = os.environ.get("FACTSHEETS_REQUIRE_RXNORM", "").lower() in ("1", "true", "yes", "on")
# Cache-Control max-age of public pages, and how long the shared cache keeps a whole public response.
FACTSHEETS_CACHE_SECONDS = int(os.environ.get("FACTSHEETS_CACHE_SECONDS", "300"))
# Bytes of public answers each app worker keeps a copy of, to serve repeats before Django (0: none;
# config/worker_copies.py).
FACTSHEETS_WORKER_COPY_BYTES = int(os.environ.get("FACTSHEETS_WORKER_COPY_BYTES", str(32 * 1024 * 1024)))
# A sheet's public answers kept whole in the database, built after each publish and served before Django by a
# worker with no copy of its own (factsheets/public/answers.py; "off": never kept or served). They are served
# only by the build that made them: FACTSHEETS_ANSWER_BUILD names it (a release id), else a digest of the code.
FACTSHEETS_STORED_ANSWERS = os.environ.get("FACTSHEETS_STORED_ANSWERS", "on").lower() not in ("0", "false", "no", "off")
FACTSHEETS_ANSWER_BUILD = os.environ.get("FACTSHEETS_ANSWER_BUILD", "")
# A copy of them on this server's disk, read by a worker's first request for a sheet instead of the database
# (factsheets/public/answer_files.py; needs FACTSHEETS_ANSWER_NOTIFY): a directory only the app's user can
# write, e.g. /var/lib/factsheets/answers. Empty (the default): none.
FACTSHEETS_ANSWER_FILES = os.environ.get("FACTSHEETS_ANSWER_FILES", "")
# Their lookup is a statement prepared on each PostgreSQL connection; turn off ("off") behind a pooler in
# transaction mode that does not keep prepared statements (PgBouncer before 1.21, or max_prepared_statements 0).
FACTSHEETS_PREPARED_LOOKUP = os.environ.get("FACTSHEETS_PREPARED_LOOKUP", "on").lower() not in (
    "0",
    "false",
    "no",
    "off",
)
# Each worker listens for renewals (PostgreSQL LISTEN/NOTIFY, factsheets/public/renewals.py), so a repeat of a sheet
# whose copy is current costs no query ("off": the generations are read on every request).
FACTSHEETS_ANSWER_NOTIFY = os.environ.get("FACTSHEETS_ANSWER_NOTIFY", "on").lower() not in ("0", "false", "no", "off")
# Shared caches (CDN, nginx) in front of the app: s-maxage and stale-while-revalidate of public pages and
# API documents (factsheets/http_cache.py). Publishing purges them when FACTSHEETS_PURGE_URL is set.
FACTSHEETS_SHARED_MAX_AGE = int(os.environ.get("FACTSHEETS_SHARED_MAX_AGE", str(FACTSHEETS_CACHE_SECONDS)))
FACTSHEETS_STALE_WHILE_REVALIDATE = int(os.environ.get("FACTSHEETS_STALE_WHILE_REVALIDATE", "60"))
# POSTed {"tags": [...]} after a publish, reaffirmation or withdrawal (factsheets/purge.py); headers as JSON.
FACTSHEETS_PURGE_URL = os.environ.get("FACTSHEETS_PURGE_URL", "")
FACTSHEETS_PURGE_HEADERS = json.loads(os.environ.get("FACTSHEETS_PURGE_HEADERS") or "{}")
FACTSHEETS_PURGE_TIMEOUT = float(os.environ.get("FACTSHEETS_PURGE_TIMEOUT", "3"))
# A directory for `export_site`'s static copy of the public site, re-exported for each publish (empty: off).
FACTSHEETS_EXPORT_DIR = os.environ.get("FACTSHEETS_EXPORT_DIR", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"message": {"format": "%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        # One JSON line per request on stdout (config.middleware.RequestLogMiddleware).
        "requests": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "message"},
    },
    "loggers": {"factsheets.requests": {"handlers": ["requests"], "level": "INFO", "propagate": False}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# Production hardening -----------------------------------------------------------------------------
# Secure by default when DJANGO_DEBUG is off; `manage.py check --deploy` reports nothing. Local
# development (DJANGO_DEBUG=1) keeps working over plain http.

# Behind a TLS-terminating proxy or load balancer: DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https".
# Only set it when the proxy always overwrites that header, or clients could claim to be on https.
_proxy_header = env_list("DJANGO_SECURE_PROXY_SSL_HEADER")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_header) if len(_proxy_header) == 2 else None

# Redirect http to https in production. Turn off (DJANGO_SECURE_SSL_REDIRECT=0) only when the proxy in
# front already redirects; /healthz stays on http so a load balancer can probe the app server directly.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # the admin reads the token from the form, never from the cookie
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_COOKIE_AGE", str(8 * 3600)))

# Switching these off is a deliberate operator choice (e.g. the proxy redirects to https); don't warn about it.
SILENCED_SYSTEM_CHECKS = []
if not DEBUG and not SECURE_SSL_REDIRECT:
    SILENCED_SYSTEM_CHECKS.append("security.W008")
if not DEBUG and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Content Security Policy (django-csp 4): nothing inline, nothing from elsewhere. The only relaxation is
# style-src 'unsafe-inline' under /admin/ (config.middleware.ContentSecurityPolicyMiddleware), never scripts.
# A page that really needs an inline script uses the per-request nonce ({{ request.csp_nonce }}).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
CSP_ADMIN_PATH_PREFIX = "/admin/"

# Login rate limiting (django-axes): after AXES_FAILURE_LIMIT failed logins for one username from one
# address, that pair is locked out for AXES_COOLOFF_TIME hours. Attempts live in the database, so every
# app server sees them.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("DJANGO_AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.middleware.client_ip"
AXES_LOCKOUT_TEMPLATE = "axes_lockout.html"
AXES_VERBOSE = False  # no "AXES: BEGIN ..." banner on every manage.py call

# Request limits: bodies above this answer 400 before any view runs. File uploads are limited separately.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", str(5 * 1024 * 1024)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = int(os.environ.get("DJANGO_DATA_UPLOAD_MAX_NUMBER_FIELDS", "2000"))
