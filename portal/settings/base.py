"""Settings shared by every environment; values that differ come from the environment."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from portal.settings._env import BASE_DIR, VAR_DIR, env

SECRET_KEY = env.str("SECRET_KEY", default="dev-insecure-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "simple_history",
    "import_export",
    "core",
    "portal",
    "cadres",
    "supervision",
    "bulletins",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.SessionTimeoutMiddleware",
    # After a write, this user's reads stay on the primary for a while (core.replica).
    "portal.db.PrimaryPinMiddleware",
    # A statement past the web's timeout answers 503 with a message, not a 500.
    "portal.db.StatementTimeoutMiddleware",
    "portal.middleware.PortalLocaleMiddleware",
    # /api/ only: oversized, too deeply nested or non-object bodies refused; errors always JSON.
    "portal.middleware.ApiEdgeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.security.middleware.SecurityAuditMiddleware",
    "portal.security.middleware.OTPRequiredMiddleware",
    "portal.accounts.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "csp.context_processors.nonce",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", default="")
if DATABASE_URL:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # PostgreSQL's JIT compiles the large aggregate queries of the reports, which costs more
        # than it saves at this size (bench/: the completeness report at 1M diaries, 1.9 s → 0.75 s).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
        # Statements are prepared on the server only where the code asks (core.sql.planned_once:
        # the long statements writing a page's JSON); Django's own cursors bind on the client and
        # never are. (Django's default, None, would refuse even an explicit request.)
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 2**31 - 1
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "portal.sqlite3",
            # The web server, the worker and beat share one file: WAL and immediate
            # transactions keep them from failing with "database is locked".
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The diaries' term filters ride in their walk index as a non-key column (supervision.DiaryTerms):
# PostgreSQL's; SQLite builds the index without it and never reads the table (FTS5 searches there).
SILENCED_SYSTEM_CHECKS = ["models.W040"] if DATABASES["default"]["ENGINE"].endswith("sqlite3") else []

# Statement timeouts (PostgreSQL; seconds, 0 = none). The web's is applied by portal.wsgi and
# portal.asgi, the workers' by portal.celery; management commands (migrate, seed_demo) have none.
# A web request whose statement runs longer answers 503 with a message (portal.db), rather than
# holding a worker: three county-wide searches must not occupy every web process.
STATEMENT_TIMEOUT_WEB = env.float("STATEMENT_TIMEOUT_WEB", default=10)
STATEMENT_TIMEOUT_JOBS = env.float("STATEMENT_TIMEOUT_JOBS", default=20 * 60)

# A PostgreSQL streaming replica for reads that need not be current (core.replica,
# docs/deployment.md). Without the variable everything reads from the primary.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL and DATABASE_URL:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        # The test suite's replica is the test database itself.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
# A user who has just written reads from the primary this long (core.replica.PrimaryPinMiddleware).
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)
# After a failed connection the replica is left alone this long; reads go to the primary.
REPLICA_RETRY_SECONDS = env.int("REPLICA_RETRY_SECONDS", default=30)
# The diaries export streams up to this many rows in one request (about 40 s of CSV on 2 cores);
# a longer period is refused with the advice to split it.
EXPORT_STREAM_MAX_ROWS = env.int("EXPORT_STREAM_MAX_ROWS", default=500_000)

# --- cache and broker -------------------------------------------------------------------------


def cache_key_prefix(database: dict[str, object], explicit: str = "") -> str:
    """Every cache key starts with the deployment's own prefix: two deployments sharing one Redis
    (staging and production) never read each other's dashboard figures, roles or throttle counts.

    CACHE_KEY_PREFIX when set; else derived from the database the deployment uses (its name, host
    and port), which differs between deployments by construction."""
    if explicit:
        return explicit
    name = str(database.get("NAME") or "")
    where = f"{database.get('ENGINE')}|{database.get('HOST') or ''}|{database.get('PORT') or ''}|{name}"
    readable = re.sub(r"[^A-Za-z0-9_-]", "_", Path(name).name)[:40]
    return f"portal-{readable}-{hashlib.sha256(where.encode()).hexdigest()[:10]}"


CACHE_KEY_PREFIX = cache_key_prefix(DATABASES["default"], env.str("CACHE_KEY_PREFIX", default=""))
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
# The leaders' township-wide dashboard panels are shared for this long (core.dashboard.shared_figures).
DASHBOARD_FIGURES_SECONDS = env.int("DASHBOARD_FIGURES_SECONDS", default=300)
# Who a log-in is (roles, scope) is kept this long at most; any change to cadres, units, groups …
# replaces it at once (cadres.actor_cache). 0: worked out on every request.
ACTOR_CACHE_SECONDS = env.int("ACTOR_CACHE_SECONDS", default=300)

# --- auth ------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "portal.security.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Lockout, second factor and sessions: portal/settings/_security.py.
from portal.settings._security import *  # noqa: E402
from portal.settings._security import AXES_IPWARE_PROXY_COUNT  # noqa: E402

# Security audit log retention; the Cybersecurity Law asks for at least 180 days of network logs.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(VAR_DIR / "backups")))

# --- i18n ------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Named date formats (DATE_FORMAT, MONTH_DAY_FORMAT …) per language; Chinese without a padded month.
FORMAT_MODULE_PATH = ["portal.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = str(env.path("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    # Uploads live outside the web root and are served only through views that check scope.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Images with more pixels are refused before they are decoded (core.uploads; decompression bombs).
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=40_000_000)

# --- security headers: portal/settings/_security.py ---------------------------------------------

# --- REST framework ----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.authentication.BearerTokenAuthentication",
        "portal.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's JSON, byte for byte, written by orjson (core/renderers.py).
    "DEFAULT_RENDERER_CLASSES": ["core.renderers.FastJSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PagePagination",
    "PAGE_SIZE": 50,
    # updated_since= on every list (portal.sync); a viewset that sets its own filter_backends
    # keeps it by listing portal.sync.UpdatedSinceFilter too.
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend", "portal.sync.UpdatedSinceFilter"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.throttling.AnonRateThrottle",
        "portal.throttling.UserRateThrottle",
        "portal.throttling.ApiKeyRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="60/min"),
        "user": env.str("THROTTLE_USER", default="3000/min"),
        "token_login": env.str("THROTTLE_TOKEN_LOGIN", default="20/min"),
    },
    # Trusted reverse proxies in front of the portal: the client's address for the throttles is the
    # X-Forwarded-For entry the last of them wrote. 0 (the default): the header is ignored, so a
    # forged one cannot escape the anonymous and log-in throttles. Same count as axes by default.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=AXES_IPWARE_PROXY_COUNT),
    "EXCEPTION_HANDLER": "portal.api_errors.exception_handler",
    # ?format=csv|xlsx|pdf … wins over the Accept header (core.reports.FormatFirstNegotiation).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.reports.FormatFirstNegotiation",
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "干部作风建设监督平台 API",
    "DESCRIPTION": "Work-Style Portal REST API (v1). Dates are ISO 8601; choices travel as English slugs.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "BulletinStatusEnum": "bulletins.models.Bulletin.Status",
    },
    # The error body and the 4xx answers every operation may give (portal.schema).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "portal.schema.document_errors"],
}

# --- Celery: portal/settings/_celery.py ------------------------------------------------------------
from portal.settings._celery import *  # noqa: E402

CELERY_TIMEZONE = TIME_ZONE

# --- e-mail ---------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")

# --- logging --------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- portal's own knobs -----------------------------------------------------------------------------
PORTAL = {
    "DIARY_BACKFILL_DAYS": env.int("DIARY_BACKFILL_DAYS", default=3),
    # How long a diary saved offline on a phone may wait before upload (services.diaries.diary_submit).
    "DIARY_OFFLINE_DAYS": env.int("DIARY_OFFLINE_DAYS", default=7),
    "DISCLOSURE_BACKDATE_DAYS": env.int("DISCLOSURE_BACKDATE_DAYS", default=7),
    "MATTER_DEFAULT_DEADLINE_DAYS": 15,
    "MATTER_YELLOW_DAYS": 3,
    "DEMO_PASSWORD": "Zuofeng-demo-2026",
}
_ = _  # gettext_lazy stays importable for settings that need labels
PORTAL_EMAIL_NOTIFICATIONS = env.bool("PORTAL_EMAIL_NOTIFICATIONS", default=False)

# Choice sets of the duties (supervision: pledges, disclosures, inspections) named once, so they
# never collide with other apps' `status`, `kind`, `level`, `category` choices in the schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({  # type: ignore[attr-defined]
    "ConsultationMethodEnum": "supervision.models.diaries.AgendaItem.ConsultationMethod",
    "PledgeStatusEnum": "supervision.models.pledges.Pledge.Status",
    "PledgeGradeEnum": "supervision.models.pledges.Pledge.Grade",
    "PledgeLevelEnum": "supervision.models.pledges.PledgeLevel",
    "PledgeTargetKindEnum": "supervision.models.pledges.TargetKind",
    "DisclosureDomainEnum": "supervision.models.disclosures.Domain",
    "DisclosureChannelEnum": "supervision.models.disclosures.Disclosure.Channel",
    "DisclosureCheckStatusEnum": "supervision.models.disclosures.DisclosureCheck.Status",
    "DisclosureCheckResultEnum": "supervision.models.disclosures.DisclosureCheckItem.Result",
    "InspectionKindEnum": "supervision.models.inspections.Inspection.Kind",
    "InspectionSubjectTypeEnum": "supervision.models.inspections.Inspection.SubjectType",
    "InspectionFindingCategoryEnum": "supervision.models.inspections.InspectionFinding.Category",
    "InspectionFindingActionEnum": "supervision.models.inspections.InspectionFinding.Action",
})

# The daily loop's choice sets (diaries, matters): named so that drf-spectacular never has to guess.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({  # type: ignore[attr-defined]
    "DiaryCategoryEnum": "supervision.models.choices.Category",
    "MatterStatusEnum": "supervision.models.matters.Matter.Status",
    "MatterSourceEnum": "supervision.models.matters.Matter.Source",
    "MatterSourceInputEnum": "supervision.api.serializers.matters.SOURCE_INPUT",
    "MatterSatisfactionEnum": "supervision.models.matters.Matter.Satisfaction",
    "MatterLightEnum": "supervision.api.serializers.matters.LIGHT_CHOICES",
})

# People and places (cadres): their `kind`, `level`, `role` and post choice sets, named once.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update({  # type: ignore[attr-defined]
    "VillageKindEnum": "cadres.models.Village.Kind",
    "UnitKindEnum": "cadres.models.Unit.Kind",
    "CadrePostEnum": "cadres.models.Post",
    "CadreLevelEnum": "cadres.models.Cadre.Level",
    "CadreGenderEnum": "cadres.models.Cadre.Gender",
    "PoliticalStatusEnum": "cadres.models.Cadre.PoliticalStatus",
    "AssignmentRoleEnum": "cadres.models.VillageAssignment.Role",
    "ContactKindEnum": "cadres.models.HouseholdContact.Kind",
    "TrainingKindEnum": "cadres.models.Training.Kind",
})
