"""Qiming settings: one module, everything overridable from the environment.

Defaults need nothing installed (SQLite and a filesystem broker under var/). Production sets
DEBUG=false, SECRET_KEY, DATABASE_URL, CELERY_BROKER_URL and ALLOWED_HOSTS; see README.md.
"""

import re
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("QIMING_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)


def _secret_key() -> str:
    key = env_str("SECRET_KEY")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Local development: a random key kept in var/ so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "courses",
    "graders",
    "reports",
    "teaching",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web and worker share the file: wait for the other's write lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests start real worker processes, which must share the test database: a file, not memory.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# `manage.py collectstatic` fills this for production; whitenoise serves it (and, in DEBUG, the
# apps' own static folders directly).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
# Our stylesheet and scripts, and (in static/build/, made by `make assets`) the editor bundle.
STATICFILES_DIRS = [BASE_DIR / "static"]

# Behind a reverse proxy, the request header holding the client's address (e.g. HTTP_X_REAL_IP);
# sign-in limits count failures per address (accounts/throttle.py). Empty: REMOTE_ADDR.
ACCOUNTS_CLIENT_IP_HEADER = env_str("ACCOUNTS_CLIENT_IP_HEADER", "")

# Largest autosaved draft of a notebook exercise's answer cells.
GRADER_MAX_DRAFT_BYTES = env_int("GRADER_MAX_DRAFT_BYTES", 1_000_000)

# Reports: groups of fewer learners than this are left out (privacy), and the largest export
# written in the request; bigger ones run as a job on a worker.
REPORTS_MIN_GROUP_SIZE = env_int("REPORTS_MIN_GROUP_SIZE", 5)
REPORTS_INLINE_EXPORT_ROWS = env_int("REPORTS_INLINE_EXPORT_ROWS", 5000)
# Export files are deleted after this many days; an export running longer than this many minutes
# is failed (its worker died); each person may have this many exports unfinished at once.
REPORTS_EXPORT_KEEP_DAYS = env_int("REPORTS_EXPORT_KEEP_DAYS", 7)
REPORTS_EXPORT_STALE_MINUTES = env_int("REPORTS_EXPORT_STALE_MINUTES", 60)
REPORTS_EXPORT_MAX_UNFINISHED = env_int("REPORTS_EXPORT_MAX_UNFINISHED", 3)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Qiming API",
    "VERSION": "1.0.0",
    # Served from the sidecar package: nothing is fetched from a CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        # kombu's default is 1 s between looks at an empty queue (0.5 s added to every submission
        # on average); a directory listing ten times a second costs nothing measurable.
        "polling_interval": env_float("CELERY_BROKER_POLLING_INTERVAL", 0.1),
    }
# Work that must not be lost: ack after the task ran, requeue if its worker died, take one
# message at a time; time limits above the notebook's own deadline; the broker's visibility
# timeout (Redis) above the hard limit so a running task is never handed to a second worker.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_TIME_LIMIT = int(
    env_float("GRADER_NOTEBOOK_TIMEOUT", 120.0) + env_float("GRADER_STARTUP_TIMEOUT", 60.0) + 60
)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_TASK_ROUTES = {"graders.grade_submission": {"queue": "grading"}}
CELERY_TASK_DEFAULT_QUEUE = "default"
# Publishing must not hang a web request when the broker is down: fail fast, the sweeper retries.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **globals().get("CELERY_BROKER_TRANSPORT_OPTIONS", {}),
    "visibility_timeout": CELERY_TASK_TIME_LIMIT * 2,
    "socket_connect_timeout": 2,
    "socket_timeout": 10,
    "max_retries": 1,
}
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-submissions": {
        "task": "graders.sweep_submissions",
        "schedule": env_float("GRADER_SWEEP_INTERVAL", 30.0),
    },
    # Old report exports (their files are in the database) are deleted hourly.
    "clean-up-report-exports": {"task": "reports.cleanup_exports", "schedule": 3600.0},
    # The reports' summary tables follow answers and marks at once; this repairs what a crash
    # between a mark and its refresh left behind (reports/stats.py).
    "report-statistics": {
        "task": "reports.catch_up_stats",
        "schedule": env_float("REPORTS_CATCH_UP_INTERVAL", 60.0),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True

# --- Grading sandbox --------------------------------------------------------------------------
# "auto": bubblewrap (system bwrap, else the bundled one); refuse to grade if neither works.
# "off": run kernels unsandboxed, for trusted local authoring only (logged loudly).
GRADER_SANDBOX = env_str("GRADER_SANDBOX", "auto")
GRADER_KERNEL_VENV = Path(env_str("GRADER_KERNEL_VENV", str(BASE_DIR / ".venv-kernel")))
GRADER_CGROUPS = env_str("GRADER_CGROUPS", "auto")  # "off": rlimits only, no cgroup per run
GRADER_RUN_DIR = Path(env_str("GRADER_RUN_DIR", "")) if env_str("GRADER_RUN_DIR") else None
GRADER_LIMITS = {
    "cell_timeout": env_float("GRADER_CELL_TIMEOUT", 30.0),
    "notebook_timeout": env_float("GRADER_NOTEBOOK_TIMEOUT", 120.0),
    "startup_timeout": env_float("GRADER_STARTUP_TIMEOUT", 60.0),
    "memory_mb": env_int("GRADER_MEMORY_MB", 2048),
    "processes": env_int("GRADER_PROCESSES", 64),
    "cpu_seconds": env_int("GRADER_CPU_SECONDS", 120),
    "file_size_mb": env_int("GRADER_FILE_SIZE_MB", 64),
    "tmpfs_mb": env_int("GRADER_TMPFS_MB", 128),
    "output_bytes": env_int("GRADER_OUTPUT_BYTES", 2_000_000),
}
GRADER_MAX_NOTEBOOK_BYTES = env_int("GRADER_MAX_NOTEBOOK_BYTES", 5_000_000)
GRADER_JOBS = env_int("GRADER_JOBS", 0)  # 0: one concurrent notebook per core
# Warm sandboxes (graders/warm.py): each worker process keeps one kernel started ahead, with these
# modules imported, for its next submission only; replaced when older than GRADER_WARM_MAX_AGE.
GRADER_WARM_KERNELS = env_bool("GRADER_WARM_KERNELS", True)
GRADER_WARM_IMPORTS = env_list(
    "GRADER_WARM_IMPORTS",
    [
        "numpy",
        "pandas",
        "matplotlib.pyplot",
        "sklearn.datasets",
        "sklearn.model_selection",
        "sklearn.neighbors",
        "sklearn.metrics",
    ],
)
if not all(re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", name) for name in GRADER_WARM_IMPORTS):
    raise ImproperlyConfigured("GRADER_WARM_IMPORTS: comma-separated module names only")
GRADER_WARM_MAX_AGE = env_float("GRADER_WARM_MAX_AGE", 900.0)
# The zygote (graders/zygote.py): with warm sandboxes on and a root worker, each worker process
# keeps one sandboxed interpreter with those modules imported and forks every kernel from it.
GRADER_ZYGOTE = env_bool("GRADER_ZYGOTE", True)
# Lifecycle: how long a submission may wait or run before the sweeper re-queues it, how often.
GRADER_QUEUED_DEADLINE = env_float("GRADER_QUEUED_DEADLINE", 600.0)
GRADER_RUNNING_DEADLINE = env_float("GRADER_RUNNING_DEADLINE", CELERY_TASK_TIME_LIMIT + 60.0)
GRADER_MAX_RETRIES = env_int("GRADER_MAX_RETRIES", 3)
GRADER_SWEEP_BATCH = env_int("GRADER_SWEEP_BATCH", 500)
# Rate limits per learner.
GRADER_MAX_IN_FLIGHT = env_int("GRADER_MAX_IN_FLIGHT", 3)
GRADER_MAX_PER_MINUTE = env_int("GRADER_MAX_PER_MINUTE", 10)
# Request bodies: a JSON notebook may be as large as a submission, plus the JSON wrapper.
DATA_UPLOAD_MAX_MEMORY_SIZE = GRADER_MAX_NOTEBOOK_BYTES + 100_000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
