"""Descent settings: one module, driven by the environment, loud about bad values."""

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

_DEV_SECRET = "dev-only-insecure-secret-key-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = _DEV_SECRET

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "accounts",
    "quizzes",
    "optimlab",
    "grading",
    "progress",
    "courses",
    "lti.apps.PlatformRegistrationsConfig",  # pylti1p3's platform registrations and tool keys
    "lti",
    "ops",
    "ninja",  # serves the API docs page's assets from our own static files (no CDN)
    "api",
]

MIDDLEWARE = [
    # Production and deployment: a request id first, so every later log line carries it.
    "ops.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "ops.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages of LMS-launched sessions may be framed by that LMS, with SameSite=None cookies (lti.frame).
    "lti.middleware.LmsFrameMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "progress.middleware.AchievementNoticeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "accounts.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        # A kept connection is checked before reuse, so a database restart costs one retry, not errors.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web server, grading workers) share the file: wait for locks
    # instead of failing, and let readers proceed while a writer commits.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters travel apart from the SQL (no quoting of every value into the text), and a statement
    # a connection has run DATABASE_PREPARE_THRESHOLD times is prepared: PostgreSQL parses and plans
    # it once per connection. Together they took 31-43% off the database's CPU and 6-17% off the
    # web processes' in the load benchmark (docs/benchmarks.md). Behind PgBouncer in transaction
    # mode set DATABASE_PREPARE_THRESHOLD=0 (no prepared statements); DATABASE_SERVER_SIDE_BINDING=0
    # goes back to quoting in the client.
    server_side_binding = env_bool("DATABASE_SERVER_SIDE_BINDING", True)
    prepare_threshold = env_int("DATABASE_PREPARE_THRESHOLD", 5)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "server_side_binding": server_side_binding,
            "prepare_threshold": prepare_threshold if server_side_binding and prepare_threshold > 0 else None,
        }
    )
    # How long a statement waits for a lock before it gives up. Set by `make serve` for `migrate`
    # only (MIGRATION_LOCK_TIMEOUT), so that a migration waiting for a busy table does not hold up
    # every request queued behind it; empty (the default) waits as long as PostgreSQL's own setting.
    lock_timeout = os.environ.get("DATABASE_LOCK_TIMEOUT", "").strip()
    if lock_timeout:
        if not re.fullmatch(r"\d+(ms|s|min)?", lock_timeout):
            raise ImproperlyConfigured(
                f"DATABASE_LOCK_TIMEOUT={lock_timeout!r}: give a duration such as 500ms, 5s or 1min"
            )
        DATABASES["default"]["OPTIONS"]["options"] = f"-c lock_timeout={lock_timeout}"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id at OWASP's parameters first; older hashes (PBKDF2) still verify and are upgraded at log-in.
PASSWORD_HASHERS = [
    "accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")

# Grading queue (grading.services.queue, grading.services.throttle, grading.worker).
# CPU seconds of one grading run; the wall limit is this plus half a second (grading.grader).
GRADING_CPU_SECONDS = env_int("GRADING_CPU_SECONDS", 1)
# How long a worker's claim lives without a heartbeat before another worker takes it over.
GRADING_LEASE_SECONDS = env_int("GRADING_LEASE_SECONDS", 30)
# Queued-or-running submissions a student may have per exercise (0: no limit).
GRADING_MAX_PENDING_PER_EXERCISE = env_int("GRADING_MAX_PENDING_PER_EXERCISE", 2)
# Seconds an author's validation or preview waits behind students before it may go first
# (grading.services.queue_authoring).
GRADING_AUTHORING_MAX_WAIT = env_int("GRADING_AUTHORING_MAX_WAIT", 60)

# Bank imports (pages, API, importbank): the largest file, the most questions and the longest single
# text one import accepts (docs/moodle-import.md). Bigger files are refused before they are parsed.
BANK_IMPORT_MAX_BYTES = env_int("BANK_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
BANK_IMPORT_MAX_QUESTIONS = env_int("BANK_IMPORT_MAX_QUESTIONS", 5000)
BANK_IMPORT_MAX_TEXT_CHARS = env_int("BANK_IMPORT_MAX_TEXT_CHARS", 100_000)
# Images and files embedded in a Moodle XML (or bank YAML) file, decoded: each one, and all of one import.
BANK_IMPORT_MAX_MEDIA_BYTES = env_int("BANK_IMPORT_MAX_MEDIA_BYTES", 1024 * 1024)
BANK_IMPORT_MAX_MEDIA_TOTAL_BYTES = env_int("BANK_IMPORT_MAX_MEDIA_TOTAL_BYTES", 3 * 1024 * 1024)
# Larger files are read, checked and imported by a job whose page shows its progress (quizzes.services.import_jobs).
BANK_IMPORT_BACKGROUND_BYTES = env_int("BANK_IMPORT_BACKGROUND_BYTES", 512 * 1024)
BANK_IMPORT_JOBS = env_int("BANK_IMPORT_JOBS", 2)  # such jobs running at once in one web process
# Submission posts a student may make per window (0: no limit); beyond, HTTP 429.

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
# HTTPS is usually terminated by a proxy in front of the site; these opt in where it is not.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)

# Serve static files straight from the app and project folders, so a fresh checkout works
# without a collectstatic step. Production (`make serve` sets STATIC_MANIFEST=1) runs collectstatic
# into STATIC_ROOT with compressed, content-hashed names that browsers may cache for ever.
WHITENOISE_USE_FINDERS = True


# ---------------------------------------------------------------------------------------------
# Production and deployment (static files, shared state, proxy, security headers, logs). Everything here is
# driven by the environment; README's "Deploying" section lists the production environment.
# ---------------------------------------------------------------------------------------------

if env_bool("STATIC_MANIFEST", False):
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "ops.storage.StaticFilesStorage"},
    }
    WHITENOISE_USE_FINDERS = False

# Shared by every web process on every host: sessions in the database, and the cache (throttle
# counters, cached pages and plots) in the database, or in Redis when REDIS_URL is set.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # The table is created by `migrate` (ops' post_migrate hook) and by `manage.py createcachetable`.
    # ops.cache.DatabaseCache is Django's, with an increment that concurrent processes cannot lose.
    CACHES = {
        "default": {
            "BACKEND": "ops.cache.DatabaseCache",
            "LOCATION": "descent_cache",
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 20000)},
        }
    }

# django-ratelimit (when installed) warns about any cache it has not listed, including Django's own
# RedisCache and the database cache above; both are shared by every process and count atomically.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# Behind a TLS-terminating proxy (deploy/nginx.conf): trust its X-Forwarded-Proto header. Opt-in,
# because without such a proxy a client could claim HTTPS by sending the header itself.
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Load balancers probe the health endpoints over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"


def _admin_path(raw: str) -> str:
    cleaned = raw.strip().strip("/")
    if not re.fullmatch(r"[A-Za-z0-9._~-]+(/[A-Za-z0-9._~-]+)*", cleaned):
        raise ImproperlyConfigured(
            f"ADMIN_PATH={raw!r} is not a URL path (letters, digits, '.', '_', '~', '-' and '/')"
        )
    return cleaned + "/"


# Where the Django admin lives (default "admin/"); moving it keeps drive-by log-in attempts away.
ADMIN_PATH = _admin_path(os.environ.get("ADMIN_PATH", "admin"))

# Content-Security-Policy (Django's own middleware). Scripts only from this site, never inline:
# there are no inline scripts, keep it so. Styles allow inline: the server-drawn SVG plots embedded
# in grading results carry style attributes and a <style> element, and bars use style="--share:..".
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Permissions-Policy (ops.headers): none of these browser features is used by any page.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# Logs: one JSON object per line on stdout in production (text in development), each with the
# request id of the request it belongs to. LOG_FORMAT=json|text overrides; LOG_LEVEL the level.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not json or text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ops.request_id.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # One line per request (method, path, status, duration) when ACCESS_LOG is on (`make serve`).
    "loggers": {
        "descent.request": {"level": "INFO" if env_bool("ACCESS_LOG", False) else "WARNING"},
    },
}

# --- Throttles (throttling/; README "Throttles") -------------------------------------------
# Log-in lockout by django-axes: after LOGIN_FAILURE_LIMIT wrong passwords for one username from one
# address, log-ins for that pair are refused with HTTP 429 for LOGIN_COOLOFF_MINUTES. Keyed by
# username *and* address: by address alone one student's typos would lock a whole classroom behind
# one NAT; by username alone anyone could lock a classmate out from anywhere.
INSTALLED_APPS = [*INSTALLED_APPS, "axes"]
# Last, so its lockout page replaces the log-in page before the other middleware add their headers.
MIDDLEWARE = [*MIDDLEWARE, "axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out pair before any password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # a correct password clears the pair's failures
# Attempts refused during the cool-off do not restart it, so the wait the page states is the real one.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True  # successful log-ins need no table of their own; failures are still kept
AXES_LOCKOUT_CALLABLE = "throttling.login_lockout_response"
AXES_CLIENT_IP_CALLABLE = "throttling.client_ip"

# Behind N reverse proxies that each append to X-Forwarded-For, the client is the N-th address from the
# right; 0 (the default) trusts no header and uses the connection's address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Request rate limits (django-ratelimit, counted in the default cache): per group, the rate for a
# signed-in user (counted per user) and for an anonymous visitor (counted per address). "N/Mu" means
# N requests per M units (s, m, h, d); None means no limit. Only POSTs count, except for the preview
# (each GET) and the playground (each comparison that is not already cached).
RATELIMITS = {
    # Failed log-ins per address, any username (password spraying); successful ones are not counted.
    "login": {"user": "100/10m", "anonymous": "100/10m"},
    "signup": {"user": None, "anonymous": "50/h"},  # a class signing up together shares one address
    "password_change": {"user": "5/15m", "anonymous": None},
    "answer": {"user": "30/m", "anonymous": None},
    "draft": {"user": "120/m", "anonymous": None},  # saved as a student types, at most every 1.5 s per item
    "preview": {"user": "120/m", "anonymous": None},
    "submission": {"user": "6/m", "anonymous": None},
    "playground": {"user": "30/m", "anonymous": "10/m"},
}
RATELIMIT_IP_META_KEY = "throttling.client_ip"
# django_ratelimit is deliberately not an installed app: it needs none, and its system check rejects
# the local-memory cache (counts per process) and the database cache (increments are not atomic, so a
# concurrent burst may be undercounted by a few). Both are good enough for throttling; README says to
# use a cache shared by all web processes in production.
# A cache that fails lets requests through rather than locking every student out.
RATELIMIT_FAIL_OPEN = True
# The most optimizer steps (optimizers x steps x dimension) one playground request may run.
PLAYGROUND_WORK_LIMITS = {"user": 8000, "anonymous": 2400}

# --- LTI 1.3 (the LMS launches Descent; see lti/) ---
# Launches and logins over plain HTTP are refused unless this is off (development, tests).
LTI_REQUIRE_HTTPS = env_bool("LTI_REQUIRE_HTTPS", not DEBUG)
# Outgoing calls to a platform (its key set, tokens, scores, rosters) give up after this long.
LTI_HTTP_TIMEOUT_SECONDS = env_int("LTI_HTTP_TIMEOUT_SECONDS", 10)
# A platform's key set is fetched once and kept this long (a key it rotates in is fetched on a miss).
LTI_JWKS_CACHE_SECONDS = env_int("LTI_JWKS_CACHE_SECONDS", 3600)
# A used launch nonce is remembered this long, longer than any id_token lives, so replays fail.
LTI_NONCE_SECONDS = env_int("LTI_NONCE_SECONDS", 2 * 3600)
# Origins allowed to frame LMS-launched pages besides each registration's own (its issuer's and OIDC
# login URL's origins), for an LMS whose course pages are served elsewhere, e.g. a Canvas school
# domain: "https://school.instructure.com". Comma-separated.
LTI_FRAME_ANCESTORS = env_list("LTI_FRAME_ANCESTORS", [])
# LMS service tokens (lti/) are checked by this function when the JSON API (api/) is called with one.
API_SERVICE_TOKEN_LOOKUP = "lti.services.service_tokens.course_for_token"
