"""Lintas settings: every value comes from the environment, in this one module.

``LINTAS_ENV`` selects the profile: ``development`` (default), ``test`` or ``production``. Production refuses to
start without its secrets and refuses demo mode. See docs/configuration.md for every variable.
"""

import os
import sys
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int, *, within: tuple[int, int] | None = None, unit: str = "") -> int:
    """A whole number from the environment; with ``within`` (lowest, highest), refused outside that range."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if within is not None and not within[0] <= number <= within[1]:
        unit = f" {unit}" if unit else ""
        raise ImproperlyConfigured(f"{name} must be {within[0]} to {within[1]}{unit}, not {number}")
    return number


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent

LINTAS_ENV = env_str("LINTAS_ENV", "development")
if LINTAS_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("LINTAS_ENV must be development, test or production")
PRODUCTION = LINTAS_ENV == "production"
TESTING = LINTAS_ENV == "test" or "pytest" in sys.modules

DATA_DIR = Path(env_str("LINTAS_DATA_DIR", "/var/lib/lintas" if PRODUCTION else str(PROJECT_DIR / "var"))).resolve()
# The embedded defaults (SQLite database, SQLite job queue, uploaded files) live here.
DATA_DIR.mkdir(parents=True, exist_ok=True)

# --- secrets and hosts -------------------------------------------------------------------------------------------
SECRET_KEY = env_str("LINTAS_SECRET_KEY")
if PRODUCTION:
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "LINTAS_SECRET_KEY must be set to a random value of at least 50 characters in production "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(64))')"
        )
    if not env_list("LINTAS_ALLOWED_HOSTS"):
        raise ImproperlyConfigured("LINTAS_ALLOWED_HOSTS must list the host names Lintas is served under")
elif not SECRET_KEY:
    SECRET_KEY = "development-only-insecure-key-do-not-use-in-production-0123456789"  # noqa: S105

DEBUG = env_bool("LINTAS_DEBUG", LINTAS_ENV == "development") and not PRODUCTION
ALLOWED_HOSTS = env_list("LINTAS_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("LINTAS_CSRF_TRUSTED_ORIGINS")

# Demo mode seeds demo users and lets them skip the second factor; never in production.
DEMO_MODE = env_bool("LINTAS_DEMO", False)
if PRODUCTION and DEMO_MODE:
    raise ImproperlyConfigured("LINTAS_DEMO cannot be enabled with LINTAS_ENV=production")

# --- applications --------------------------------------------------------------------------------------------------
INSTALLED_APPS = [
    # First: its audited changepassword, addstatictoken, shell and dbshell stand in for Django's and django-otp's.
    "lintas.core",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "huey.contrib.djhuey",
    "ninja",
    "lintas.agencies",
    "lintas.accounts",
    "lintas.audit",
    "lintas.dashboard",
    "lintas.identify",
    "lintas.cases",
    "lintas.matching",
    "lintas.notifications",
    "lintas.assistance",
    "lintas.programmes",
    "lintas.insights",
    "lintas.live",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files keep their long cache) and before everything else, so every answer of the
    # application, error pages included, gets no-store and the Content-Security-Policy.
    "lintas.core.middleware.ResponseHeadersMiddleware",
    "lintas.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before the session rules, so an expired session answers an HTMX request with HX-Redirect, not a login page
    # swapped into part of the page.
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "lintas.accounts.middleware.IdleTimeoutMiddleware",
    "lintas.accounts.middleware.UserPreferencesMiddleware",
    # After the user and their language: a refused page is the friendly 400 page in the user's language.
    "lintas.core.middleware.InputGuardMiddleware",
    "lintas.accounts.middleware.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "lintas.urls"
WSGI_APPLICATION = "lintas.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lintas.core.context_processors.lintas",
            ],
        },
    }
]

# --- data ----------------------------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("LINTAS_DB_CONN_MAX_AGE", 60))}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend but for the health check, which skips a connection that ran a query less than a second
        # ago (lintas.core.postgresql, decision 0027).
        DATABASES["default"]["ENGINE"] = "lintas.core.postgresql"
        # The few statements run on every request (token check, single-value lookup, audit insert) go through
        # lintas.core.db.prepared_cursor: parsed and planned once per connection, not per request. Django's own
        # cursors bind client-side and never prepare, so 0 here ("prepare on first use") touches only those, and so
        # does plan_cache_mode: left to choose, PostgreSQL planned the lookup's query afresh on every run (0.3 ms,
        # five times the run). Both off with LINTAS_DB_PREPARE=0, e.g. behind a PgBouncer older than 1.21 in
        # transaction mode, or one that refuses the options startup parameter.
        _options = DATABASES["default"].setdefault("OPTIONS", {})
        if env_bool("LINTAS_DB_PREPARE", True):
            _options["prepare_threshold"] = 0
            _options["options"] = f"{_options.get('options', '')} -c plan_cache_mode=force_generic_plan".strip()
        else:
            _options["prepare_threshold"] = None
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "lintas.sqlite3",
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so two writers
                # queue on busy_timeout instead of failing with "database is locked" on lock upgrade.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                    "PRAGMA busy_timeout=10000; PRAGMA cache_size=-65536;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("LINTAS_REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # An unreachable Redis must fail fast, not hold requests for the operating system's connect timeout.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lintas"}}

# --- jobs (huey) ---------------------------------------------------------------------------------------------------
HUEY_IMMEDIATE = env_bool("LINTAS_JOBS_IMMEDIATE", TESTING)
if REDIS_URL:
    from redis import ConnectionPool as RedisConnectionPool

    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "lintas",
        # A pool with timeouts: an unreachable Redis fails fast instead of holding a request.
        "connection": {
            "connection_pool": RedisConnectionPool.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=10)
        },
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("LINTAS_WORKERS", 2), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "lintas",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "consumer": {"workers": env_int("LINTAS_WORKERS", 2), "worker_type": "thread"},
    }

# --- authentication ------------------------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 by design costs ~50 ms; the test suite creates hundreds of users. Production keeps Argon2 first.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOCKOUT_THRESHOLD = env_int("LINTAS_LOCKOUT_THRESHOLD", 5)
LOCKOUT_MINUTES = env_int("LINTAS_LOCKOUT_MINUTES", 10)
IDLE_TIMEOUT_MINUTES = env_int("LINTAS_IDLE_TIMEOUT_MINUTES", 30)
API_TOKEN_MAX_DAYS = env_int("LINTAS_API_TOKEN_MAX_DAYS", 365)
OTP_TOTP_ISSUER = "Lintas"
MFA_REQUIRED = not DEMO_MODE

# Sessions live in the database (one indexed read a request): a cache or Redis outage never signs anyone out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("LINTAS_SESSION_MAX_HOURS", 12) * 60 * 60  # absolute cap, enforced by the middleware too
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True  # HTMX sends the token from the page (hx-headers on <body>), never from the cookie.

# --- security headers ----------------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto and appends X-Forwarded-For.
BEHIND_PROXY = env_bool("LINTAS_BEHIND_PROXY", PRODUCTION)
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("LINTAS_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
    SECURE_HSTS_SECONDS = env_int("LINTAS_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("LINTAS_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("LINTAS_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- internationalisation ------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("ko", "한국어"),
    ("ms", "Bahasa Melayu"),
    ("id", "Bahasa Indonesia"),
    ("th", "ไทย"),
    ("vi", "Tiếng Việt"),
    ("km", "ខ្មែរ"),  # Cambodia (CNP)
    ("lo", "ລາວ"),  # Laos (Lao MPS)
    ("my", "မြန်မာ"),  # Myanmar (MPF)
    ("pt", "Português"),  # Timor-Leste (PNTL): European Portuguese
]
# Django knows no Lao, and names Khmer in English: give the switcher, get_language_info and {% get_language_info %}
# each language's own name. (Set here, before anything reads LANG_INFO; decision 0050.)
from django.conf.locale import LANG_INFO  # noqa: E402

# "Lao" is marked for the catalogues in lintas.assistance.views (written_in), not here: gettext_noop reads
# settings.USE_I18N, and reading settings while this module is imported set Django's settings to this half-run module
# (production's refusal without its secrets then went unseen).
LANG_INFO.setdefault("lo", {"bidi": False, "code": "lo", "name": "Lao", "name_local": "ລາວ"})
LANG_INFO["km"] = {**LANG_INFO["km"], "name_local": "ខ្មែរ"}
LANG_INFO["my"] = {**LANG_INFO["my"], "name_local": "မြန်မာ"}
# Numbers: Django's formats for Khmer (1.234,56) and Portuguese (1.234,56); Lao and Burmese have none and read
# 1,234.56 (the defaults, as glibc's lo_LA and my_MM write them). The money filter groups by three in all four.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- static and media ----------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns on every request until collectstatic has run
MEDIA_ROOT = DATA_DIR / "media"
# Bodies of queued bulk imports (POST /api/v1/cases/imports) until their job has ingested them. Tests use a
# directory of their own, so no run leaves files under the data directory.
IMPORTS_DIR = Path(tempfile.mkdtemp(prefix="lintas-test-imports-")) if TESTING else DATA_DIR / "imports"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- mail ----------------------------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "LINTAS_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("LINTAS_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("LINTAS_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("LINTAS_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("LINTAS_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("LINTAS_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("LINTAS_EMAIL_FROM", "lintas@localhost")

# --- audit ---------------------------------------------------------------------------------------------------------
# Events are inserted freely and sealed into the hash chain by a short background step; this is how long a burst may
# wait before the seal job runs.
AUDIT_SEAL_DELAY_SECONDS = env_int("LINTAS_AUDIT_SEAL_DELAY_SECONDS", 2)
# Events of reads (lookups) are written by a thread of each process in batches this often, not one by one in the
# request (lintas.audit.reads, decision 0025); 0 writes each at once, as the tests do. At most a second: a process
# killed outright loses the reads of its last interval.
AUDIT_READ_FLUSH_SECONDS = (
    env_int("LINTAS_AUDIT_READ_FLUSH_MS", 0 if TESTING else 50, within=(0, 1000), unit="milliseconds") / 1000
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LINTAS_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "huey": {"level": "WARNING"},
        # PDF rendering (lintas.core.pdf) logs every step at INFO and every SVG presentation attribute it skips as a
        # warning: noise, not news. Errors still show.
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
        "matplotlib": {"level": "WARNING"},
    },
}

WEB_WORKERS = env_int("LINTAS_WEB_WORKERS", 2)
ASGI_APPLICATION = "lintas.asgi.application"

# --- live alerts (decision 0045) -----------------------------------------------------------------------------------
# The carrier of "something changed" signals: redis, postgres or table; empty chooses Redis when LINTAS_REDIS_URL is
# set, else PostgreSQL's NOTIFY on PostgreSQL, else the LiveEvent table (SQLite). Tests use "local" (this process's
# own commits: the test server runs in the test's process); the carriers' own tests name theirs.
LIVE_BACKEND = env_str("LINTAS_LIVE_BACKEND", "local" if TESTING else "")
# A stream ends after this long and the browser opens a new one (its session is checked again then).
LIVE_STREAM_SECONDS = env_int("LINTAS_LIVE_STREAM_SECONDS", 2 if TESTING else 300)
LIVE_HEARTBEAT_SECONDS = env_int("LINTAS_LIVE_HEARTBEAT_SECONDS", 1 if TESTING else 20)
LIVE_RETRY_MS = env_int("LINTAS_LIVE_RETRY_MS", 500 if TESTING else 3000)
# Under WSGI (the test server, runserver) /live/stream/ holds a thread per connection: fine there, not in a
# production WSGI deployment, which answers 204 so pages poll. `lintas serve` is ASGI and never asks.
LIVE_WSGI_STREAMS = env_bool("LINTAS_LIVE_WSGI_STREAMS", not PRODUCTION)
# Seconds each web process keeps what it read of a recently used API token (its row, its user's and agency's), so a
# client calling many times a second costs one token query per interval (decision 0028). The secret is still
# checked on every request. A token revoked or a user disabled in another process stops within this time; in the
# same process at once. 0 reads the token on every request, as the tests do.
API_TOKEN_CACHE_SECONDS = env_int("LINTAS_API_TOKEN_CACHE_SECONDS", 0 if TESTING else 2, within=(0, 60), unit="seconds")
ATTACHMENT_MAX_MB = env_int("LINTAS_ATTACHMENT_MAX_MB", 50)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # form fields; files stream to disk past FILE_UPLOAD_MAX_MEMORY_SIZE

# --- matching ------------------------------------------------------------------------------------------------------
# A value linked to more cases than this is "hot": one notice instead of a hit for every pair (MISP's cap is 20).
MATCHING_HOT_CASE_CAP = env_int("LINTAS_HOT_VALUE_CAP", 50)
# Processes validating a queued import's rows (POST /api/v1/cases/imports), at lower priority than web requests:
# one per core up to 4 as for `lintas import cases`, none on one core; 0 validates in the job's own thread. Tests
# spawn them only where they ask to.
cpu_cores = os.cpu_count() or 1  # lower case: a helper, not a setting
IMPORT_WORKERS = env_int("LINTAS_IMPORT_WORKERS", 0 if TESTING or cpu_cores < 2 else min(cpu_cores, 4), within=(0, 16))
allowance_range = (0, 10**12)  # lower case: a helper, not a setting (an allowance below 0 would refuse all)
# Values one user may look up in an hour (page and API together; 0: no limit). Lookups answer who holds a value, so
# an unlimited stream of them would enumerate number ranges. Counted once for all processes and nodes: in Redis when
# LINTAS_REDIS_URL is set, else in the database (lintas.matching.allowance, decision 0031). Off in tests, which set
# it where they test it.
LOOKUP_VALUES_PER_HOUR = env_int("LINTAS_LOOKUP_VALUES_PER_HOUR", 0 if TESTING else 50_000, within=allowance_range)
# The same for all users of one agency together: ten users' allowances by default.
LOOKUP_VALUES_PER_AGENCY_HOUR = env_int(
    "LINTAS_LOOKUP_VALUES_PER_AGENCY_HOUR", 0 if TESTING else 500_000, within=allowance_range
)
# Identifiers one user may record in an hour (case form, API, bulk ingest, queued imports; 0: no limit): each one
# recorded gets a hit/no-hit answer like a lookup, so recording is an allowance of its own, sized for bulk loads
# (a million identifiers in an hour) rather than for people. `lintas import cases` (the server's operator) is not
# counted.
RECORDED_IDENTIFIERS_PER_HOUR = env_int(
    "LINTAS_RECORDED_IDENTIFIERS_PER_HOUR", 0 if TESTING else 1_000_000, within=allowance_range
)
# The same for all users of one agency together: five users' allowances by default.
RECORDED_IDENTIFIERS_PER_AGENCY_HOUR = env_int(
    "LINTAS_RECORDED_IDENTIFIERS_PER_AGENCY_HOUR", 0 if TESTING else 5_000_000, within=allowance_range
)
# The agency's admins hear (once an hour) when a user or the agency has used this share of an allowance, and again
# when it is used up.
ALLOWANCE_ALERT_PERCENT = env_int("LINTAS_ALLOWANCE_ALERT_PERCENT", 80, within=(1, 100), unit="percent")
# Where the allowances are counted in Redis: keys start with this (tests give each run its own).
ALLOWANCE_REDIS_PREFIX = "lintas:allowance:"
_community_key = env_str("LINTAS_COMMUNITY_KEY")
if PRODUCTION and not _community_key:
    raise ImproperlyConfigured("LINTAS_COMMUNITY_KEY must be set in production: 64 hex characters shared by members")
if _community_key and (len(_community_key) < 64 or any(c not in "0123456789abcdefABCDEF" for c in _community_key)):
    raise ImproperlyConfigured("LINTAS_COMMUNITY_KEY must be at least 64 hexadecimal characters (32 bytes)")

# --- trends ----------------------------------------------------------------------------------------------------------
# A community-wide cell of the trends page is shown only when the cases (hits, requests) it counts besides the
# viewer's own agency's number at least TRENDS_MIN_CASES, from at least TRENDS_MIN_AGENCIES agencies; else it is
# suppressed, with complementary cells so that no total gives it away (lintas.insights.suppression, decision 0043).
TRENDS_MIN_CASES = env_int("LINTAS_TRENDS_MIN_CASES", 5, within=(2, 10_000))
TRENDS_MIN_AGENCIES = env_int("LINTAS_TRENDS_MIN_AGENCIES", 2, within=(2, 100))

# --- programmes ----------------------------------------------------------------------------------------------------
# A confirmed participant qualifies for a certificate after attending at least this share of the edition's sessions
# (and at least one); 0 means any attendance (decision 0042).
PROGRAMME_CERTIFICATE_MIN_PERCENT = env_int("LINTAS_PROGRAMME_CERTIFICATE_MIN_PERCENT", 0, within=(0, 100))
# Requests a minute per client address to the pages anyone may open without signing in (certificate verification,
# published summaries); past it, 429 with Retry-After. Counted in Redis when configured, else per process.
PUBLIC_PAGES_PER_MINUTE = env_int("LINTAS_PUBLIC_PAGES_PER_MINUTE", 30, within=(1, 100_000))

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
PAGE_SIZE = 50

# Labels used in the UI for the deployment; not secrets.
LINTAS_SITE_NAME = _("Lintas")
