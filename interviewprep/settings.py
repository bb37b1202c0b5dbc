"""Settings for InterviewPrep, read from the environment (see README.md, "Configuration")."""

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from interviewprep.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", "False")

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "127.0.0.1,localhost"
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "django_tasks_db",
    "accounts",
    "questions",
    "sessions.apps.InterviewSessionsConfig",
    "progress",
    # The project package holds the schedule of periodic work (interviewprep/periodic.py).
    "interviewprep.apps.InterviewPrepConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware, so that a request refused by a later middleware (a
    # Host header not in ALLOWED_HOSTS, refused by CommonMiddleware) is framed and policed too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "interviewprep.middleware.PermissionsPolicyMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "interviewprep.middleware.NullByteHeaderMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "interviewprep.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "interviewprep.middleware.HtmxLoginRedirectMiddleware",
    "interviewprep.middleware.MethodNotAllowedPageMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "interviewprep.urls"
WSGI_APPLICATION = "interviewprep.wsgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", "60", minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when their transaction starts, so concurrent requests
    # wait for each other instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # A database that does not answer fails a request (and /readyz) in seconds, not after
    # the operating system's two-minute TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DJANGO_DB_CONNECT_TIMEOUT", "5", minimum=1
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache: this process's memory by default (nothing to install); Redis, shared by every
# web process and node, with DJANGO_CACHE_URL=redis://host:6379/0. Cached pages are keyed by
# versions kept in the database (interviewprep/cache_versions.py), so a per-process cache is never stale.
_cache_url = env_str("DJANGO_CACHE_URL")
if _cache_url.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": env_str("DJANGO_CACHE_KEY_PREFIX", "interviewprep"),
            "TIMEOUT": 60 * 60 * 24,
        }
    }
elif _cache_url:
    raise ImproperlyConfigured(
        f"DJANGO_CACHE_URL must start with redis://, rediss:// or unix://; got {_cache_url!r}."
    )
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "TIMEOUT": 60 * 60 * 24,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }
# Sessions live in the database, which every web process and node shares: a log-out or a
# change to the session is seen by the next request wherever it lands. With a shared Redis
# they are also read from it (written through to the database): one query less per request.
# Never from a per-process cache, where another worker would keep a logged-out session alive.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if _cache_url
    else "django.contrib.sessions.backends.db"
)
# The per-address throttles count in a store every process and node shares, from which no
# counter is evicted to make room: Redis when there is one, the database otherwise
# (accounts/throttling.py).
THROTTLE_STORE = "cache" if _cache_url else "database"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, counting each password it checks against the client address.
    "accounts.backends.CountedModelBackend",
    # Only to recognise the sessions begun when it checked the passwords itself; the backend
    # above answers every password check first (and ends the check on a wrong one).
    "django.contrib.auth.backends.ModelBackend",
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

# Argon2id first: new passwords and old ones at their next log-in are hashed with it; the
# others stay so that passwords hashed before still verify.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# The client address comes from X-Forwarded-For only behind DJANGO_PROXY_COUNT proxies of
# ours (accounts/client_address.py); otherwise a client could name any address it likes.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", "False")
TRUSTED_PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", "1", minimum=1) if BEHIND_PROXY else 0
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_address"
# An IPv6 client is counted by its network of this many bits (a subscriber usually holds a
# whole /64), for the throttles and django-axes alike.
IPV6_PREFIX_LENGTH = env_int("DJANGO_IPV6_PREFIX", "64", minimum=1, maximum=128)

# Five failures for one username from one address pause it there for an hour...
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", "5", minimum=1)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# ...and, whatever the usernames, one address gets this many wrong passwords a minute (at
# any log-in, the admin's, changing a password or deleting an account), this many password
# checks of any outcome a minute (each one costs a slow hash), this many sign-ups an hour and
# this many password-reset requests (each sends an email) an hour before it is answered 429.
LOGIN_FAILURES_PER_ADDRESS_PER_MINUTE = env_int(
    "DJANGO_LOGIN_FAILURES_PER_ADDRESS", "10", minimum=1
)
PASSWORD_CHECKS_PER_ADDRESS_PER_MINUTE = env_int(
    "DJANGO_PASSWORD_CHECKS_PER_ADDRESS", "30", minimum=1
)
SIGN_UPS_PER_ADDRESS_PER_HOUR = env_int("DJANGO_SIGN_UPS_PER_ADDRESS", "10", minimum=1)
PASSWORD_RESETS_PER_ADDRESS_PER_HOUR = env_int(
    "DJANGO_PASSWORD_RESETS_PER_ADDRESS", "10", minimum=1
)
# ...and one email address, from any number of client addresses, this many an hour.
PASSWORD_RESETS_PER_EMAIL_PER_HOUR = env_int("DJANGO_PASSWORD_RESETS_PER_EMAIL", "3", minimum=1)

# Second opinions: review links one user may make a day, and (counted in the cache like the
# limits above) the invalid review links one client address may open an hour, to stop
# guessing, and the saves of a review it may send a minute.
REVIEW_LINKS_PER_USER_PER_DAY = env_int("DJANGO_REVIEW_LINKS_PER_DAY", "10", minimum=1)
REVIEW_LINK_FAILURES_PER_ADDRESS_PER_HOUR = env_int(
    "DJANGO_REVIEW_LINK_FAILURES_PER_ADDRESS", "30", minimum=1
)
REVIEW_SAVES_PER_ADDRESS_PER_MINUTE = env_int("DJANGO_REVIEW_SAVES_PER_ADDRESS", "120", minimum=1)
# Users' own decks: how many a user may have, how many questions each may hold, the largest
# file an import reads and how many imports a user may run an hour.
DECKS_PER_USER = env_int("DECKS_PER_USER", "50", minimum=1)
QUESTIONS_PER_DECK = env_int("QUESTIONS_PER_DECK", "500", minimum=1)
DECK_IMPORT_MAX_KB = env_int("DECK_IMPORT_MAX_KB", "2048", minimum=1)
DECK_IMPORTS_PER_HOUR = env_int("DECK_IMPORTS_PER_HOUR", "20", minimum=1)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Spoken answers: a private folder by default, never under STATIC_ROOT or a served media
# folder (they are played through an owner-checked view); an S3-compatible bucket when
# RECORDINGS_S3_BUCKET is set, so that several web nodes share them.
RECORDINGS_DIR = Path(env_str("RECORDINGS_DIR", str(BASE_DIR / "private" / "recordings")))
RECORDINGS_S3_BUCKET = env_str("RECORDINGS_S3_BUCKET")
RECORDINGS_S3_ENDPOINT_URL = env_str("RECORDINGS_S3_ENDPOINT_URL")
RECORDINGS_S3_REGION = env_str("RECORDINGS_S3_REGION", "us-east-1")
# Seconds a signed playback link to the bucket stays valid.
RECORDINGS_S3_URL_SECONDS = env_int("RECORDINGS_S3_URL_SECONDS", "300", minimum=10)
if RECORDINGS_S3_BUCKET:
    STORAGES["recordings"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": RECORDINGS_S3_BUCKET,
            "endpoint_url": RECORDINGS_S3_ENDPOINT_URL or None,
            "region_name": RECORDINGS_S3_REGION,
            "access_key": env_str("RECORDINGS_S3_ACCESS_KEY_ID"),
            "secret_key": env_str("RECORDINGS_S3_SECRET_ACCESS_KEY"),
            "location": "recordings",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": RECORDINGS_S3_URL_SECONDS,
            "file_overwrite": True,
            # A recording read back (for a zip) spills to a temporary file past this size.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
    RECORDINGS_MEDIA_ORIGINS = (
        [urlsplit(RECORDINGS_S3_ENDPOINT_URL)._replace(path="", query="").geturl()]
        if RECORDINGS_S3_ENDPOINT_URL
        else [
            f"https://{RECORDINGS_S3_BUCKET}.s3.amazonaws.com",
            f"https://{RECORDINGS_S3_BUCKET}.s3.{RECORDINGS_S3_REGION}.amazonaws.com",
        ]
    )
else:
    STORAGES["recordings"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": RECORDINGS_DIR,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
    RECORDINGS_MEDIA_ORIGINS = []
# Limits of one spoken answer and of one user's recordings, refused with a message.
RECORDINGS_MAX_MB = env_int("RECORDINGS_MAX_MB", "20", minimum=1)
RECORDINGS_UNTIMED_MAX_SECONDS = env_int("RECORDINGS_UNTIMED_MAX_SECONDS", "900", minimum=10)
RECORDINGS_USER_QUOTA_MB = env_int("RECORDINGS_USER_QUOTA_MB", "500", minimum=1)
# Bounds on joining one answer's pieces, so that crafted media cannot make the join slow:
# segments (a reload starts one) and chunks per answer, refused at upload and ignored past
# the limit when joining; packets copied per second of the answer's longest length (a
# browser sends one Opus or AAC packet per 20-23 ms, so 60 leaves room).
RECORDINGS_MAX_SEGMENTS = env_int("RECORDINGS_MAX_SEGMENTS", "50", minimum=1)
RECORDINGS_MAX_CHUNKS = env_int("RECORDINGS_MAX_CHUNKS", "1000", minimum=1)
RECORDINGS_JOIN_PACKETS_PER_SECOND = env_int("RECORDINGS_JOIN_PACKETS_PER_SECOND", "60", minimum=1)
# A join claimed this long ago that stored nothing died with its worker: it is recorded as
# failed, never started again.
RECORDINGS_JOIN_CLAIM_SECONDS = env_int("RECORDINGS_JOIN_CLAIM_SECONDS", "300", minimum=10)

# Email: SMTP once DJANGO_EMAIL_HOST is set. Console mail writes password-reset links into the
# server's log, so with debug off it must be asked for by name (and start-up warns).
_email_host = env_str("DJANGO_EMAIL_HOST")
if _email_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": env_int("DJANGO_EMAIL_PORT", "587", minimum=1),
                "username": env_str("DJANGO_EMAIL_HOST_USER"),
                "password": env_str("DJANGO_EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", "True"),
                # A mail server that does not answer fails the send (retried later), rather
                # than holding a task worker for good.
                "timeout": env_int("DJANGO_EMAIL_TIMEOUT", "20", minimum=1),
            },
        }
    }
else:
    if not DEBUG and not env_bool("DJANGO_EMAIL_CONSOLE", "False"):
        raise ImproperlyConfigured(
            "DJANGO_EMAIL_HOST must be set when DJANGO_DEBUG is off: without a mail server, "
            "password-reset links would be written into the server's log. For a trial run "
            "where that is intended, set DJANGO_EMAIL_CONSOLE=True."
        )
    MAILERS = {"default": {"BACKEND": "interviewprep.mail.ConsoleEmailBackend"}}
# The site's address as users reach it, for the links in emails (no trailing slash).
SITE_URL = env_str("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Review links are offered by email only through a real mail server.
REVIEW_LINKS_BY_EMAIL = bool(_email_host)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "InterviewPrep <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security headers. Our JavaScript and CSS live in static files, so the policy
# needs no 'unsafe-inline' and no 'unsafe-eval' (htmx is told not to eval).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    # Recordings play from the site (or a signed link to their bucket); blob: is the
    # page's own copy of what it just recorded.
    "media-src": [CSP.SELF, "blob:", *RECORDINGS_MEDIA_ORIGINS],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "interviewprep.views.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The microphone for spoken answers, from this site only; nothing else.
PERMISSIONS_POLICY = "microphone=(self), camera=(), geolocation=()"

# HTTPS: on by default in production; DJANGO_HTTPS=False for a plain-HTTP local run.
HTTPS = env_bool("DJANGO_HTTPS", "False" if DEBUG else "True")
SECURE_SSL_REDIRECT = HTTPS
# Health probes come straight to the server over plain HTTP; a redirect would count as healthy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("DJANGO_HSTS_PRELOAD", "True")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
INTERVIEW_GRACE_SECONDS = env_int("INTERVIEW_GRACE_SECONDS", "5", minimum=0)

# Work off the request path (joining recordings, building the recordings zip, every email,
# the periodic jobs) is queued in the project's own database and run by `manage.py
# run_worker` processes: any number of them, on any node; each task runs once.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A finished recordings zip is kept this many hours, then deleted by the hourly purge.
RECORDINGS_ZIP_HOURS = env_int("RECORDINGS_ZIP_HOURS", "24", minimum=1)
# Recordings older than this many days are deleted by the daily purge; 0 keeps them.
RECORDINGS_RETENTION_DAYS = env_int("RECORDINGS_RETENTION_DAYS", "0", minimum=0)
# Behind nginx: a finished zip is handed to it with X-Accel-Redirect under this internal
# location (see docs/OPERATIONS.md), so no web worker streams it. Empty: the web worker sends it.
RECORDINGS_ACCEL_REDIRECT_PREFIX = env_str("RECORDINGS_ACCEL_REDIRECT_PREFIX")
if RECORDINGS_ACCEL_REDIRECT_PREFIX and not RECORDINGS_ACCEL_REDIRECT_PREFIX.startswith("/"):
    raise ImproperlyConfigured(
        "RECORDINGS_ACCEL_REDIRECT_PREFIX must be an nginx internal location starting with /; "
        f"got {RECORDINGS_ACCEL_REDIRECT_PREFIX!r}."
    )
