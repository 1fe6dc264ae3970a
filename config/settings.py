"""The one settings module. Every environment difference comes from environment variables.

Production differs from a laptop only by variables (see docker/.env.example); there is no
settings_dev/settings_prod split to drift apart.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url

from config.env import (
    ImproperlyConfiguredEnv,
    env_bool,
    env_int,
    env_json_object,
    env_list,
    env_str,
    secret_key_in_data_dir,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and env_bool("DJANGO_REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfiguredEnv("DJANGO_SECRET_KEY is required in production; set it or DJANGO_SECRET_KEY_FILE")
    # The default install: a random key generated on first start and kept in DATA_DIR/secret_key
    # (mode 0600), so sessions survive restarts and no two installs share a key (or an export salt).
    SECRET_KEY = secret_key_in_data_dir(DATA_DIR / "secret_key")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

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
    "django_celery_beat",
    "studio_platform",
    "annotation",
    "training",
    "people",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Per-endpoint body limits and upload handlers, before the CSRF check could read a body
    "annotation.api.body_limits.RequestBodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
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
            ]
        },
    }
]

# PostgreSQL only: there is no SQLite path. scripts/run and scripts/test start an embedded
# server (pgserver) and export DATABASE_URL when none is given.
DATABASE_URL = env_str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/animereward_studio")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0, minimum=0))}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfiguredEnv(
        f"DATABASE_URL must point to PostgreSQL (got engine {DATABASES['default']['ENGINE']}); "
        "unset it to let scripts/run start the embedded PostgreSQL"
    )
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", None)}
# Reliability (issue #11): a persistent connection that died (PostgreSQL restarted) is noticed and
# reopened at the start of the next request instead of failing it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DB_CONN_HEALTH_CHECKS", True)
# Prepared statements for the annotator hot path (annotation/db.py); 0 behind a transaction-pooling PgBouncer.
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: a TCP URL (redis://host:6379/0) or the embedded server's socket (unix:///path/redis.socket).
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")


def _broker_url(redis_url: str) -> str:
    # kombu spells unix sockets redis+socket://, redis-py spells them unix://
    if redis_url.startswith("unix://"):
        return "redis+socket://" + redis_url[len("unix://"):]
    return redis_url


CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", _broker_url(REDIS_URL))
CELERY_RESULT_BACKEND = None  # results live in the database (runs, versions), not in the broker
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "annotation.tasks.*": {"queue": "default"},
    "media.*": {"queue": "media"},
    "training.*": {"queue": "default"},
    # Runs (reward, GAPO, scoring) hold a GPU: only `-Q gpu` workers, one job per GPU, take them.
    "gpu.*": {"queue": "gpu"},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
LEASE_REAP_INTERVAL_SECONDS = env_int("LEASE_REAP_INTERVAL_SECONDS", 30, minimum=1)

CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

# Login throttling (django-axes): AXES_FAILURE_LIMIT bad passwords for one username from one IP
# lock that pair out for AXES_COOLOFF_MINUTES (429 with a message); a good login resets the count.
# The database handler keeps attempts in axes' tables, so every gunicorn worker sees the same count.
INSTALLED_APPS += ["axes"]
MIDDLEWARE = [m for m in MIDDLEWARE if m != "axes.middleware.AxesMiddleware"] + ["axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Client IP for lockouts and the audit log: REMOTE_ADDR, or the address TRUSTED_PROXY_COUNT hops from
# the right of X-Forwarded-For when that many reverse proxies (that set the header) sit in front.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "studio_platform.audit.client_ip"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文"), ("ja", "日本語")]
# The server-rendered pages' strings (home, sign-in, welcome); first, so they win over Django's own.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [p for p in [BASE_DIR / "frontend" / "dist"] if p.exists()]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Media storage: "filesystem" (MEDIA_ROOT, served by the Range-capable view) or "s3" (any
# S3-compatible bucket through django-storages; media URLs become signed URLs that expire).
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "filesystem")
if STORAGE_BACKEND == "s3":
    AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
    if not AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfiguredEnv("STORAGE_BACKEND=s3 needs AWS_STORAGE_BUCKET_NAME; set it or unset STORAGE_BACKEND")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,  # MinIO, R2, Ceph, moto ...
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            # Unset: boto3's own chain (instance role, ~/.aws) supplies credentials.
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "location": env_str("AWS_LOCATION", ""),
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None,  # "path" for most self-hosted servers
            "signature_version": "s3v4",
            "querystring_auth": True,  # private bucket: every URL handed out is signed
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 3600, minimum=60),
            "file_overwrite": True,  # names are content-addressed: same name, same bytes
            "default_acl": None,
        },
    }
elif STORAGE_BACKEND != "filesystem":
    raise ImproperlyConfiguredEnv(f"STORAGE_BACKEND={STORAGE_BACKEND!r}; use 'filesystem' (the default) or 's3'")

# Media pipeline (annotation/services/media_pipeline.py): limits every import and upload must meet,
# and what processing makes. The size limit is orientation-free (1920x1080 admits 1080x1920).
MEDIA_MAX_FILE_BYTES = env_int("MEDIA_MAX_FILE_BYTES", 512 * 1024 * 1024, minimum=1024)
MEDIA_MAX_DURATION_S = env_int("MEDIA_MAX_DURATION_S", 120, minimum=1)
MEDIA_MAX_FRAMES = env_int("MEDIA_MAX_FRAMES", 3600, minimum=1)
MEDIA_MAX_WIDTH = env_int("MEDIA_MAX_WIDTH", 1920, minimum=16)
MEDIA_MAX_HEIGHT = env_int("MEDIA_MAX_HEIGHT", 1080, minimum=16)
# Renditions are at most "720p": short side <= 720 and long side <= 1280, in either orientation.
MEDIA_RENDITION_SHORT_SIDE = env_int("MEDIA_RENDITION_SHORT_SIDE", 720, minimum=64)
MEDIA_RENDITION_LONG_SIDE = env_int("MEDIA_RENDITION_LONG_SIDE", 1280, minimum=64)
# Queue media.process_video when an import or upload commits (off: only the admin's "re-process" queues).
MEDIA_PROCESS_ON_IMPORT = env_bool("MEDIA_PROCESS_ON_IMPORT", True)
FRAME_CACHE_ROOT = Path(env_str("FRAME_CACHE_ROOT", str(DATA_DIR / "frame-cache")))
# Active pair selection's reward-model scores: a dotted path to f(*, campaign, dimension_keys) ->
# {video id: {dimension: score}}. The annotation app never imports training; this wires the promoted
# reward model's scores into the quality refresh (annotation.tasks.refresh_quality). Empty: no model.
QUALITY_MODEL_SCORES = "training.runs.selectors.campaign_model_scores"
# Built dataset versions (training/exports); a shared volume when media workers run on several hosts.
DATASETS_ROOT = Path(env_str("DATASETS_ROOT", str(DATA_DIR / "datasets")))
# Training runs: checkpoints and logs under RUNS_ROOT/<run id>/ (a shared volume, or published to
# the bucket when STORAGE_BACKEND=s3). A running run beats every RUN_HEARTBEAT_SECONDS; one silent
# for RUN_STALE_SECONDS is re-queued and resumed from its last checkpoint by the next gpu worker.
RUNS_ROOT = Path(env_str("RUNS_ROOT", str(DATA_DIR / "runs")))
RUN_HEARTBEAT_SECONDS = env_int("RUN_HEARTBEAT_SECONDS", 10, minimum=1)
RUN_STALE_SECONDS = env_int("RUN_STALE_SECONDS", 120, minimum=2)
# The Celery queue runs go to: "gpu" everywhere, or a pool name (e.g. gpu-h100) to keep a set of
# hosts for training; its workers start with `-Q <that name>`.
RUNS_QUEUE = env_str("RUNS_QUEUE", "gpu")
# "Run GAPO" with no config (the /runs/ button) trains what the default install can train on CPU: the
# tiny CogVideoX-I2V preset on the demo generator (training/gapo/demo_generator.py: pretrained once on
# the campaigns' clips, DEMO_GENERATOR_STEPS steps, cached under GENERATORS_ROOT). A deployment with a
# real checkpoint sets GAPO_DEFAULT_CONFIG / GAPO_DEFAULT_OPTIONS (JSON objects) to its paper setup.
# The demo targets appeal (the demo generator's samples are grainy) with beta 200 and 100 steps: picked on
# the demo's held-out prompts among beta 50/200/500/5000 and 60-150 steps (benchmarks/RESULTS.md); with
# the paper's beta 5000 the 8 pairs are fit by changes too small to see (deltas of +-0.000).
GENERATORS_ROOT = Path(env_str("GENERATORS_ROOT", str(DATA_DIR / "generators")))
DEMO_GENERATOR_STEPS = env_int("DEMO_GENERATOR_STEPS", 400, minimum=1)
GAPO_DEFAULT_CONFIG = env_json_object("GAPO_DEFAULT_CONFIG", {
    "preset": "tiny", "steps": 100, "lr": 1e-3, "beta": 200.0, "batch_size": 2, "device": "cpu", "lora_rank": 8,
    "lora_alpha": 8})
GAPO_DEFAULT_OPTIONS = env_json_object("GAPO_DEFAULT_OPTIONS", {
    "base_generator": "demo", "k": 4, "sample_steps": 12, "dimension": "appeal", "eval_fraction": 0.5,
    "eval_samples_per_prompt": 2})
# Retrain policies back off after a failed run: the n-th failure in a row waits
# RETRAIN_BACKOFF_SECONDS * 2**(n-1) (at most RETRAIN_BACKOFF_MAX_SECONDS) before the next scheduled run.
RETRAIN_BACKOFF_SECONDS = env_int("RETRAIN_BACKOFF_SECONDS", 600, minimum=1)
RETRAIN_BACKOFF_MAX_SECONDS = env_int("RETRAIN_BACKOFF_MAX_SECONDS", 24 * 3600, minimum=1)
# Salt of the anonymised annotator ids in exports; unset derives it from DJANGO_SECRET_KEY.
DATASET_ANNOTATOR_SALT = env_str("DATASET_ANNOTATOR_SALT", None)
FRAME_CACHE_FRAMES = env_int("FRAME_CACHE_FRAMES", 24, minimum=1)
FRAME_CACHE_SHORT_SIDE = env_int("FRAME_CACHE_SHORT_SIDE", 224, minimum=16)
# Browser uploads (POST /api/uploads/) stream to a temporary file, never into memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024, minimum=0)

# Manifests may only reference files under these folders (no path traversal into /etc).
IMPORT_ROOTS = [Path(p).resolve() for p in env_list("IMPORT_ROOTS", [str(DATA_DIR / "imports")])]
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000, minimum=1)
# Training runs created through the studio load model weights (GAPO model_path, reward backbone_paths)
# only from folders under these roots; the reward backbones may also name the hub ids the code ships with.
MODEL_ROOTS = [Path(p).resolve() for p in env_list("MODEL_ROOTS", [str(DATA_DIR / "models")])]
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024, minimum=1024)

# Leasing: how many live leases one annotator may hold (the page prefetches the next pair).
MAX_LIVE_LEASES_PER_ANNOTATOR = env_int("MAX_LIVE_LEASES_PER_ANNOTATOR", 3, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # CSRF token from the header only, so the body is not parsed before the permission check
        "annotation.api.authentication.HeaderCsrfSessionAuthentication",
        # DRF token auth that also loads the studio roles (one query instead of two per request)
        "annotation.api.authentication.RoleTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "annotation.api.errors.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AnimeReward Studio API",
    "DESCRIPTION": "Pairwise and rating annotation of generated anime videos, datasets and training runs.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],  # schema and docs: signed-in users only
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `state` field with different choices: name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "RunStateEnum": "training.models.runs.RunState",
        "AssignmentStateEnum": "annotation.models.work.AssignmentState",
        # campaigns, videos, datasets and people each have a `status` field with their own choices
        "CampaignStatusEnum": "annotation.models.campaigns.CampaignStatus",
    },
}

# --- Production hardening. Everything derives from DJANGO_HTTPS so that a laptop (unset: plain
# http on 127.0.0.1) and production (DJANGO_HTTPS=1 behind a TLS proxy) share this one module.
# `manage.py check --deploy` is clean with the values in docker/.env.example (tests/deploy).
HTTPS = env_bool("DJANGO_HTTPS", False)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG and HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", HTTPS)
# Load balancers and the container HEALTHCHECK probe over plain http inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Only when a reverse proxy that sets (and strips client-sent) X-Forwarded-Proto is the sole way in.
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)  # a commitment to the browsers' list: opt in
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Hashed, compressed static files (label.<hash>.js + .gz, served by WhiteNoise with far-future
# caching). Needs collectstatic before start, so the images turn it on; local runs and tests do not.
if env_bool("DJANGO_STATIC_MANIFEST", False):
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}

# Content-Security-Policy (config/middleware.py). Default: self only, plus the object store's origin
# for media/img/connect (signed video URLs, posters; the labelling page fetch()es videos into blob:).
# CSP_POLICY replaces the whole policy ("off": no header); CSP_EXTRA_ORIGINS adds origins (a CDN).
from config.middleware import build_policy, origin_of  # noqa: E402

_csp_origins = list(env_list("CSP_EXTRA_ORIGINS", []))
if STORAGE_BACKEND == "s3":
    _s3_options = STORAGES["default"]["OPTIONS"]
    _s3_origin = origin_of(_s3_options.get("endpoint_url"))
    _csp_origins[:0] = [_s3_origin or "https://*.amazonaws.com"]
    if _s3_origin and _s3_options.get("addressing_style") != "path":  # virtual-hosted: bucket.endpoint
        _csp_origins.insert(1, _s3_origin.replace("://", "://*.", 1))
CSP_POLICY = env_str("CSP_POLICY", "") or ""
CONTENT_SECURITY_POLICY = (
    "" if CSP_POLICY.strip().lower() == "off" else (CSP_POLICY.strip() or build_policy(media_origins=_csp_origins))
)
CONTENT_SECURITY_POLICY_REPORT_ONLY = env_bool("CSP_REPORT_ONLY", False)
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "config.middleware.ContentSecurityPolicyMiddleware")

# Logs go to stdout. LOG_FORMAT=json writes one JSON object per line (config/logformat.py).
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfiguredEnv(f"LOG_FORMAT={LOG_FORMAT!r}; use 'plain' (the default) or 'json'")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.logformat.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# Celery workers keep Django's logging config (and so the JSON format) instead of their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT != "json"
