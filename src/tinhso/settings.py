"""Settings of tinhso: one file, every knob read from the environment.

Environment variables (all optional for the embedded default):
  DATABASE_URL          sqlite:////abs/path.db | postgres://user@host:port/name (default: SQLite in var/)
  TINHSO_VAR_DIR        where the SQLite database, uploads and job queue live (default: ./var)
  TINHSO_SECRET_KEY     the secret key (default: generated once into var/secret_key)
  TINHSO_DEBUG          1 to turn debug on (default 0)
  TINHSO_ALLOWED_HOSTS  comma-separated host names (default: 127.0.0.1,localhost)
  TINHSO_PROVINCE_CODE  the province this installation serves (default 19, Thái Nguyên)
  TINHSO_OLD_ADDRESS_PROVINCES  2025 province codes old addresses convert into, comma-separated (default: the
                        installation's province), or "all" for the whole country (~75 MB more per process)
  TINHSO_REDIS_URL      redis://... to run background jobs on Redis (default: SQLite queue in var/)
  TINHSO_EMAIL_URL      smtp://user:pass@host:port, or file:///dir (default: e-mails printed on the console)
  TINHSO_SMS_BACKEND    dotted path of the SMS adapter (default: console)
  TINHSO_SECURE         1 behind HTTPS: secure cookies, HSTS, SSL redirect; TINHSO_SECRET_KEY then required
  TINHSO_RATELIMIT      0 to switch every rate limit off (benchmarks); TINHSO_RATELIMIT_<GROUP>="<per IP>,<per account>"
                        overrides one group's rates (groups and defaults: tinhso/security/ratelimits.py)
  TINHSO_CLIENT_IP_HEADER  the header the reverse proxy sets to the client's address (e.g. X-Real-IP)
  TINHSO_MAX_PENDING_UPLOADS  unused papers uploaded ahead of a submission one user may hold within 24 h (default 100)
  TINHSO_ORPHAN_GRACE_HOURS  uploaded files no row names are swept only once older than this (default 24, at least 1)
  TINHSO_ORPHAN_QUARANTINE_DAYS  days a swept file stays in var/orphans/ before it is deleted (default 7; 0: at once)
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

import dj_database_url
from django.utils.translation import gettext_lazy as _


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("TINHSO_VAR_DIR", PROJECT_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = os.environ.get("TINHSO_SECRET_KEY")
    if key:
        return key
    if env_bool("TINHSO_SECURE"):
        # In production the key comes from the environment only: a key generated into var/ would differ
        # between servers and travel with every copy of var/ (backups).
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "TINHSO_SECURE=1 cần TINHSO_SECRET_KEY: đặt biến môi trường này thành một chuỗi ngẫu nhiên dài ít nhất "
            "50 ký tự, ví dụ: python3 -c 'import secrets; print(secrets.token_urlsafe(64))'. "
            "(TINHSO_SECURE=1 requires TINHSO_SECRET_KEY in the environment.)")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("TINHSO_DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("TINHSO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("TINHSO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

PROVINCE_CODE = os.environ.get("TINHSO_PROVINCE_CODE", "19")
# The converter of old addresses holds only the old provinces merged into these (tinhso/places/old_units.py).
OLD_ADDRESS_PROVINCES = [c.strip() for c in os.environ.get("TINHSO_OLD_ADDRESS_PROVINCES", PROVINCE_CODE).split(",")
                         if c.strip()]
# The address citizens reach this installation at: printed in QR codes of slips and in e-mails.
PUBLIC_URL = os.environ.get("TINHSO_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "axes",
    "huey.contrib.djhuey",
    "ninja",  # serves Swagger UI from its own static files (no CDN)
    "django_ratelimit",
    "tinhso.events",
    "tinhso.places",
    "tinhso.people",
    "tinhso.workcal",
    "tinhso.catalog",
    "tinhso.dossiers",
    "tinhso.feedback",
    "tinhso.datastore",
    "tinhso.scoring",
    "tinhso.ioc",
    "tinhso.audit",
    "tinhso.ops",
    "tinhso.security",
    "tinhso.demo",
    "tinhso.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Headers on every response, static files included (these two run outside WhiteNoise); the CSP is
    # set by SecurityHeadersMiddleware from CONTENT_SECURITY_POLICY (django-csp's builder, built once).
    "tinhso.security.middleware.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tinhso.web.middleware.PageMethodsMiddleware",  # pages: GET, HEAD, POST only (405 otherwise)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tinhso.web.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tinhso.people.middleware.OfficialMfaRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
    "tinhso.security.middleware.RateLimitMiddleware",  # after CSRF and authentication: counts real attempts
]

ROOT_URLCONF = "tinhso.urls"
WSGI_APPLICATION = "tinhso.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tinhso.web.context.site",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'tinhso.sqlite3'}"
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN so that two
    # writers queue on busy_timeout instead of failing with "database is locked" mid-transaction.
    _db["CONN_MAX_AGE"] = 0 if _db["NAME"] == ":memory:" else 600
    _db["OPTIONS"] = {
        # A 32 MB page cache per connection (SQLite's default is 2 MB): the sweep's and simulate's bulk
        # writes update several indexes of million-row tables; temporary B-trees stay in memory.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                        "PRAGMA cache_size=-32768; PRAGMA temp_store=MEMORY;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    _db["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    # Django's backend whose write transactions queue on a lock file (the kernel wakes the next writer at once)
    # instead of SQLite's busy handler sleeping 1-25 ms between tries: tinhso/ops/sqlitebackend/base.py.
    _db["ENGINE"] = "tinhso.ops.sqlitebackend"
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend whose health check (kept on) skips its `SELECT 1` while the connection is busy and its
    # socket quiet: tinhso/ops/pgbackend/base.py (0 = check before every request, as Django does).
    _db["ENGINE"] = "tinhso.ops.pgbackend"
    _db["IDLE_CHECK_SECONDS"] = float(os.environ.get("TINHSO_DB_IDLE_CHECK_SECONDS", "5"))
if _db["ENGINE"] == "tinhso.ops.pgbackend" and env_bool("TINHSO_PG_PREPARED", True):
    # psycopg prepares a statement on the server only when asked (execute(..., prepare=True): the public
    # report page, feedback.selectors._fetch_prepared), never by itself (a threshold out of reach). Django's
    # default (None) turns preparing off altogether, for poolers in transaction mode older than pgbouncer 1.21.
    _db.setdefault("OPTIONS", {})["prepare_threshold"] = 1_000_000_000
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and authentication ------------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "tinhso.people.backends.AuthenticationBackend",  # allauth's, the per-request user read built once
    "allauth.account.auth_backends.AuthenticationBackend",  # sessions signed in before 30/11/2026
]
SESSION_ENGINE = "tinhso.people.sessions"  # database sessions, the per-request read built once
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Sessions expire: 8 hours at most, and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("TINHSO_SESSION_SECONDS", 8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# django-allauth
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_ADAPTER = "tinhso.people.adapters.AccountAdapter"
ACCOUNT_FORMS = {"signup": "tinhso.web.people.forms.CitizenSignupForm", "login": "tinhso.web.people.forms.CitizenLoginForm"}
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PRESERVE_USERNAME_CASING = False
# Messages name the person, never the username (a citizen's username is their CCCD number).
ACCOUNT_USER_DISPLAY = "tinhso.people.adapters.user_display"
ACCOUNT_RATE_LIMITS = {"login_failed": "30/m/ip,20/5m/key"}  # django-axes locks first (5 failures)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Tỉnh số] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Tinh so"
MFA_ADAPTER = "tinhso.people.adapters.MfaAdapter"
SOCIALACCOUNT_ONLY = False

# django-axes: lock an account (per user name and IP) after 5 failures for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("TINHSO_LOCKOUT_FAILURES", 5))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/locked.html"
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "tinhso.people.lockout.axes_username"
AXES_VERBOSE = False

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

# --- Static and uploaded files --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Orphan uploads (written before a transaction that rolled back or was killed): tinhso.ops.services.media_orphans_sweep
ORPHAN_GRACE_HOURS = float(os.environ.get("TINHSO_ORPHAN_GRACE_HOURS", 24))
ORPHAN_QUARANTINE_DAYS = float(os.environ.get("TINHSO_ORPHAN_QUARANTINE_DAYS", 7))
ORPHAN_QUARANTINE_DIR = VAR_DIR / "orphans"
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024

# --- Security headers ----------------------------------------------------------------------------
SECURE = env_bool("TINHSO_SECURE")
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_SECURE = SECURE
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
if SECURE:
    # "__Host-": the browser keeps the cookie only if it came over HTTPS, for this exact host and path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
# The CSRF cookie stays readable by the page's own script (static/tinhso/js/feedback.js sends offline
# drafts with it): it is not a session token, and the token is in every form anyway (Django's advice).
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "tinhso.web.errors.csrf_failure"
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Shared cache and rate limits ------------------------------------------------------------------
# Rate-limit counters must be shared by every worker process: Redis when configured, else the database
# (table tinhso_cache, created by the migrations of tinhso.security; increments taken under a row lock).
if _redis_url := os.environ.get("TINHSO_REDIS_URL", ""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url,
                          "KEY_PREFIX": "tinhso-cache"}}
else:
    CACHES = {"default": {"BACKEND": "tinhso.security.cache.DatabaseCache", "LOCATION": "tinhso_cache",
                          "OPTIONS": {"MAX_ENTRIES": 100_000, "CULL_FREQUENCY": 4}}}
RATELIMIT_ENABLE = env_bool("TINHSO_RATELIMIT", True)
RATELIMIT_USE_CACHE = "default"
CLIENT_IP_HEADER = ("HTTP_" + os.environ["TINHSO_CLIENT_IP_HEADER"].strip().upper().replace("-", "_")
                    if os.environ.get("TINHSO_CLIENT_IP_HEADER", "").strip() else "")
RATE_LIMITS = {}  # group -> (per IP, per account); defaults in tinhso/security/ratelimits.py
for _group in ("signin", "code_send", "code_check", "submit", "upload", "report", "open311"):
    if _rates := os.environ.get(f"TINHSO_RATELIMIT_{_group.upper()}", "").strip():
        _ip, _, _account = _rates.partition(",")
        RATE_LIMITS[_group] = (_ip.strip(), _account.strip())
# django-ratelimit lists only memcached and django-redis as supported caches: W001 says only that its
# authors did not test the others. Both caches above are shared by all processes and increment atomically
# (Redis INCRBY; tinhso.security.cache.DatabaseCache.incr under a row lock), which is what it checks for.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# --- E-mail and SMS -------------------------------------------------------------------------------
_email_url = os.environ.get("TINHSO_EMAIL_URL", "")
if _email_url.startswith("smtp"):
    _e = urlparse(_email_url)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _e.hostname or "localhost"
    EMAIL_PORT = _e.port or 25
    EMAIL_HOST_USER = unquote(_e.username or "")
    EMAIL_HOST_PASSWORD = unquote(_e.password or "")
    EMAIL_USE_TLS = _e.scheme == "smtp+tls"
elif _email_url.startswith("file://"):
    # file:///abs/dir: each message written to a file there (a mail drop for a local MTA, or tests).
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = unquote(urlparse(_email_url).path)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("TINHSO_FROM_EMAIL", "Tỉnh số <khong-tra-loi@tinhso.local>")
# A warning e-mail claimed by a sender that died before marking it sent is sent again after this lease
# (with the same Message-ID, so the recipient's mail system shows it once).
WARNINGS_EMAIL_LEASE_SECONDS = int(os.environ.get("TINHSO_WARNINGS_EMAIL_LEASE", 600))
SMS_BACKEND = os.environ.get("TINHSO_SMS_BACKEND", "tinhso.people.sms.ConsoleSmsBackend")
SMS_HTTP_URL = os.environ.get("TINHSO_SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = os.environ.get("TINHSO_SMS_HTTP_TOKEN", "")
SMS_HTTP_TIMEOUT = float(os.environ.get("TINHSO_SMS_HTTP_TIMEOUT", 5))

# --- Background jobs -----------------------------------------------------------------------------
_redis_url = os.environ.get("TINHSO_REDIS_URL", "")
if _redis_url:
    HUEY = {"huey_class": "huey.RedisHuey", "name": "tinhso", "url": _redis_url, "immediate": False}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "tinhso",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": env_bool("TINHSO_JOBS_IMMEDIATE"),
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TINHSO_LOG_LEVEL", "WARNING")},
}

# --- Payments (VietQR) ------------------------------------------------------------------------------
# The account citizens pay fees into (the province's state-budget collection account), by bank BIN.
PAYMENT_BANK_BIN = os.environ.get("TINHSO_PAYMENT_BANK_BIN", "970415")
PAYMENT_ACCOUNT_NUMBER = os.environ.get("TINHSO_PAYMENT_ACCOUNT", "113000000019")
PAYMENT_ACCOUNT_NAME = os.environ.get("TINHSO_PAYMENT_ACCOUNT_NAME", "KHO BAC NHA NUOC THAI NGUYEN")
DOSSIER_UPLOAD_MAX_MB = int(os.environ.get("TINHSO_UPLOAD_MAX_MB", 10))
# Papers uploaded ahead of their submission (POST /api/v1/uploads) that one user may hold unused within 24 hours
# (0: no limit; the benchmarks upload thousands a second from one account, as they switch the rate limits off).
MAX_PENDING_UPLOADS = int(os.environ.get("TINHSO_MAX_PENDING_UPLOADS", 100))

# --- Population registry and OpenID Connect (people) -----------------------------------------------
# TINHSO_REGISTRY_URL      base URL of the national population database API (unset: identity checks
#                          answer "unavailable"; the demo uses the stand-in `python -m tools.registry_standin`)
# TINHSO_REGISTRY_TOKEN    bearer token of that API
# TINHSO_REGISTRY_TIMEOUT  seconds per attempt (default 1); TINHSO_REGISTRY_RETRIES further attempts on
#                          5xx/connection errors (default 2); TINHSO_REGISTRY_BUDGET total seconds (default 3)
REGISTRY_URL = os.environ.get("TINHSO_REGISTRY_URL", "").rstrip("/")
REGISTRY_TOKEN = os.environ.get("TINHSO_REGISTRY_TOKEN", "")
REGISTRY_TIMEOUT = float(os.environ.get("TINHSO_REGISTRY_TIMEOUT", 1))
REGISTRY_RETRIES = int(os.environ.get("TINHSO_REGISTRY_RETRIES", 2))
REGISTRY_BUDGET = float(os.environ.get("TINHSO_REGISTRY_BUDGET", 3))

# Sign-in with an external identity provider over OpenID Connect (VNeID, a provincial SSO), linked by CCCD.
# TINHSO_OIDC_SERVER_URL     issuer URL (discovery at /.well-known/openid-configuration); unset: no button
# TINHSO_OIDC_CLIENT_ID, TINHSO_OIDC_CLIENT_SECRET, TINHSO_OIDC_NAME (shown on the button),
# TINHSO_OIDC_CCCD_CLAIM     the claim carrying the CCCD number (default "cccd")
INSTALLED_APPS += ["allauth.socialaccount.providers.openid_connect"]
SOCIALACCOUNT_ADAPTER = "tinhso.people.oidc.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"  # the identity provider vouches for the person
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_STORE_TOKENS = False
OIDC_PROVIDER_ID = "dinh-danh"
OIDC_CCCD_CLAIM = os.environ.get("TINHSO_OIDC_CCCD_CLAIM", "cccd")
OIDC_SERVER_URL = os.environ.get("TINHSO_OIDC_SERVER_URL", "").rstrip("/")
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [{
            "provider_id": OIDC_PROVIDER_ID,
            "name": os.environ.get("TINHSO_OIDC_NAME", "VNeID (thử nghiệm)"),
            "client_id": os.environ.get("TINHSO_OIDC_CLIENT_ID", "tinhso"),
            "secret": os.environ.get("TINHSO_OIDC_CLIENT_SECRET", ""),
            "settings": {"server_url": OIDC_SERVER_URL, "token_auth_method": "client_secret_post"},
        }] if OIDC_SERVER_URL else [],
    },
}
