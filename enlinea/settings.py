"""Settings for En Línea, read from the environment and parsed strictly.

Every variable is listed in the README's configuration table. A malformed value
stops start-up with a message naming the variable, instead of running with a
silently different configuration.
"""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from environs import Env, EnvError
from marshmallow.validate import Range, Regexp

BASE_DIR = Path(__file__).resolve().parent.parent

env = Env(expand_vars=False)
env.read_env(str(BASE_DIR / ".env"), recurse=False)


def _fail(exc: Exception) -> None:
    raise ImproperlyConfigured(f"Configuración inválida: {exc}") from exc


_HEX_COLOUR = Regexp(r"^#[0-9a-fA-F]{6}$", error="debe ser un color como #00663a")
_RATE = Regexp(r"^[1-9][0-9]*/[0-9]*[smhd]$", error="debe ser un límite como 10/10m")
_DOLLARS = Regexp(r"^[0-9]{1,12}(\.[0-9]{2})?$", error="debe ser un monto en dólares como 10000.00")


def _dollars(name: str, default: str) -> int:
    """A money setting written in dollars (``10000.00``), kept in integer cents."""
    whole, _, cents = env.str(name, default, validate=_DOLLARS).partition(".")
    return int(whole) * 100 + int(cents or 0)


try:
    VAR_DIR = Path(env.path("VAR_DIR", BASE_DIR / "var")).resolve()
    DEBUG = env.bool("DEBUG", False)
    DEMO_MODE = env.bool("DEMO_MODE", False)
    HTTPS = env.bool("HTTPS", False)
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])
    _secret_key = env.str("SECRET_KEY", "")
    _database_url = env.str("DATABASE_URL", "")
    REDIS_URL = env.str("REDIS_URL", "")
    TIME_ZONE = env.str("TIME_ZONE", "America/Guayaquil")
    EMAIL_HOST = env.str("EMAIL_HOST", "")
    EMAIL_PORT = env.int("EMAIL_PORT", 587, validate=Range(min=1, max=65535))
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", False)
    DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "En Línea <no-responder@enlinea.local>")
    INSTITUTION = {
        "name": env.str("INSTITUTION_NAME", "Cooprogreso"),
        "short_name": env.str("INSTITUTION_SHORT_NAME", "Cooprogreso"),
        "color_primary": env.str("INSTITUTION_COLOR_PRIMARY", "#00663a", validate=_HEX_COLOUR),
        "color_accent": env.str("INSTITUTION_COLOR_ACCENT", "#f2a900", validate=_HEX_COLOUR),
        "logo": env.str("INSTITUTION_LOGO", "web/img/logo.svg"),
        "call_center": env.str("INSTITUTION_CALL_CENTER", "1800 266 776"),
    }
    SMS_GATEWAY = env.str("SMS_GATEWAY", "enlinea.notifications.sms.SimulatedSmsGateway")
    # The ledger's one statement per entry as a server-side prepared statement (parsed
    # once per connection). Off behind a transaction-mode pooler that does not track
    # prepared statements (PgBouncer before 1.21). docs/performance.md.
    LEDGER_PREPARED_STATEMENTS = env.bool("LEDGER_PREPARED_STATEMENTS", True)
    # Money limits, written in dollars and kept in cents. The largest amount any form or
    # service accepts (enlinea/money.py); cash at the window above the threshold waits
    # for a second staff member's approval (UAFE reports cash operations above
    # $ 10,000.00); each teller handles at most the daily limit in cash, deposits and
    # withdrawals together (enlinea/products/services.py, cash_operation_request).
    MONEY_MAX_AMOUNT = _dollars("MONEY_MAX_AMOUNT", "999999999.99")
    CASH_APPROVAL_THRESHOLD = _dollars("CASH_APPROVAL_THRESHOLD", "10000.00")
    CASH_TELLER_DAILY_LIMIT = _dollars("CASH_TELLER_DAILY_LIMIT", "50000.00")
    # Interbank clearing (docs/interbank.md): the network adapter (the SPI simulator by
    # default), the simulator's cycle, and when a transfer still travelling is "atascada".
    INTERBANK_NETWORK = env.str("INTERBANK_NETWORK", "enlinea.transfers.simulator.SpiSimulator")
    SPI_SIMULATOR_CYCLE_SECONDS = env.int(
        "SPI_SIMULATOR_CYCLE_SECONDS", 120, validate=Range(min=0, max=86_400)
    )
    INTERBANK_STUCK_MINUTES = env.int("INTERBANK_STUCK_MINUTES", 30, validate=Range(min=1))
    # Access policy (docs/security.md explains each default and its trade-off).
    ACCESS_PASSWORD_MIN_LENGTH = env.int("ACCESS_PASSWORD_MIN_LENGTH", 10, validate=Range(8, 64))
    ACCESS_PASSWORD_MAX_LENGTH = env.int("ACCESS_PASSWORD_MAX_LENGTH", 15, validate=Range(8, 128))
    ACCESS_PASSWORD_REQUIRE_CLASSES = env.bool("ACCESS_PASSWORD_REQUIRE_CLASSES", True)
    ACCESS_PASSWORD_SPECIALS = env.str("ACCESS_PASSWORD_SPECIALS", "$@#%!*?&")
    ACCESS_USERNAME_MIN_LENGTH = env.int("ACCESS_USERNAME_MIN_LENGTH", 8, validate=Range(3, 30))
    ACCESS_USERNAME_MAX_LENGTH = env.int("ACCESS_USERNAME_MAX_LENGTH", 15, validate=Range(3, 30))
    ACCESS_QUESTIONS_MIN_SETUP = env.int("ACCESS_QUESTIONS_MIN_SETUP", 3, validate=Range(1, 12))
    ACCESS_QUESTIONS_MIN_UPDATE = env.int("ACCESS_QUESTIONS_MIN_UPDATE", 5, validate=Range(1, 12))
    ACCESS_RECOVERY_QUESTIONS = env.int("ACCESS_RECOVERY_QUESTIONS", 2, validate=Range(1, 5))
    ACCESS_RECOVERY_MAX_ANSWER_TRIES = env.int(
        "ACCESS_RECOVERY_MAX_ANSWER_TRIES", 3, validate=Range(1, 10)
    )
    ACCESS_CODE_TTL_SECONDS = env.int("ACCESS_CODE_TTL_SECONDS", 180, validate=Range(30, 900))
    ACCESS_CODE_MAX_TRIES = env.int("ACCESS_CODE_MAX_TRIES", 3, validate=Range(1, 10))
    ACCESS_CODE_RESEND_COOLDOWN_SECONDS = env.int(
        "ACCESS_CODE_RESEND_COOLDOWN_SECONDS", 30, validate=Range(0, 600)
    )
    ACCESS_CODE_MAX_RESENDS = env.int("ACCESS_CODE_MAX_RESENDS", 3, validate=Range(0, 10))
    # The confirmation flow (enlinea/confirmation): how long a pending operation waits at
    # its "Confirmar" page for the code to be asked, and after its code expired for
    # "Reenviar"; each code sent extends it. Past it the operation expires, nothing done.
    CONFIRMATION_TTL_SECONDS = env.int("CONFIRMATION_TTL_SECONDS", 600, validate=Range(60, 3600))
    ACCESS_MAX_FAILED_LOGINS = env.int("ACCESS_MAX_FAILED_LOGINS", 5, validate=Range(3, 20))
    ACCESS_IDLE_TIMEOUT_SECONDS = env.int("ACCESS_IDLE_TIMEOUT_SECONDS", 300, validate=Range(10))
    ACCESS_STAFF_IDLE_TIMEOUT_SECONDS = env.int(
        "ACCESS_STAFF_IDLE_TIMEOUT_SECONDS", 900, validate=Range(60)
    )
    # Back-office login (enlinea/staff): password then TOTP for every staff account; the
    # lock threshold is ACCESS_MAX_FAILED_LOGINS, like a member's; only another staff
    # member with the unlock permission (or `manage.py staff_unlock`) lifts a lock.
    STAFF_RATE_LOGIN_IP = env.str("STAFF_RATE_LOGIN_IP", "20/10m", validate=_RATE)
    STAFF_RATE_LOGIN_USER = env.str("STAFF_RATE_LOGIN_USER", "10/10m", validate=_RATE)
    # One-use recovery codes made at TOTP enrolment (shown once, stored hashed).
    STAFF_RECOVERY_CODES = env.int("STAFF_RECOVERY_CODES", 10, validate=Range(4, 20))
    ACCESS_IDLE_WARNING_SECONDS = env.int("ACCESS_IDLE_WARNING_SECONDS", 60, validate=Range(5))
    ACCESS_TEMP_CREDENTIALS_HOURS = env.int("ACCESS_TEMP_CREDENTIALS_HOURS", 24, validate=Range(1))
    # The temporary username always goes by e-mail; the temporary password by SMS
    # ("sms", so one stolen channel is not enough) or, without an SMS gateway, in a
    # second, separate e-mail ("email").
    ACCESS_TEMP_PASSWORD_CHANNEL = env.str(
        "ACCESS_TEMP_PASSWORD_CHANNEL",
        "sms",
        validate=Regexp(r"^(sms|email)$", error="debe ser sms o email"),
    )
    # After a member's e-mail or mobile changes, Regístrate and password recovery refuse
    # for this long (0 turns it off): a takeover by changing the contact needs time the
    # real member can use to react to the notice sent to the old contact.
    MEMBERS_CONTACT_COOLING_OFF_HOURS = env.int(
        "MEMBERS_CONTACT_COOLING_OFF_HOURS", 24, validate=Range(0, 720)
    )
    ACCESS_TERMS_VERSION = env.str("ACCESS_TERMS_VERSION", "2026.1")
    ACCESS_DATA_CONSENT_VERSION = env.str("ACCESS_DATA_CONSENT_VERSION", "2026.1")
    # Rate limits (django-ratelimit syntax: "count/period", period s, m, h or d, e.g. 10/5m).
    ACCESS_RATE_LOGIN_IP = env.str("ACCESS_RATE_LOGIN_IP", "30/10m")
    ACCESS_RATE_LOGIN_USER = env.str("ACCESS_RATE_LOGIN_USER", "10/10m")
    ACCESS_RATE_REGISTER_IP = env.str("ACCESS_RATE_REGISTER_IP", "10/h")
    ACCESS_RATE_REGISTER_ACCOUNT = env.str("ACCESS_RATE_REGISTER_ACCOUNT", "5/h")
    ACCESS_RATE_RECOVERY_IP = env.str("ACCESS_RATE_RECOVERY_IP", "10/h")
    # Recovery's security-question answers, per client IP and per member (cédula), every
    # POST counted whatever the attempt: a new attempt buys no more guesses than this.
    ACCESS_RATE_RECOVERY_ANSWERS_IP = env.str("ACCESS_RATE_RECOVERY_ANSWERS_IP", "20/h")
    ACCESS_RATE_RECOVERY_ANSWERS_MEMBER = env.str("ACCESS_RATE_RECOVERY_ANSWERS_MEMBER", "10/h")
    ACCESS_RATE_CODE_IP = env.str("ACCESS_RATE_CODE_IP", "20/h")
    RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", True)
    # "Primer ingreso" and Perfil's username availability check, per member (all their
    # sessions): each answer tells whether a name exists, so it is not a free oracle.
    ACCESS_RATE_USERNAME_CHECK = env.str("ACCESS_RATE_USERNAME_CHECK", "10/h", validate=_RATE)
    # The same check per session too: a burst of names from one browser waits sooner.
    ACCESS_RATE_USERNAME_CHECK_SESSION = env.str(
        "ACCESS_RATE_USERNAME_CHECK_SESSION", "5/10m", validate=_RATE
    )
    # Beneficiarios, "Validar" an account of this cooperative, per member: each answer
    # tells that an account exists (with its holder's masked name).
    BENEFICIARIES_RATE_VALIDATE = env.str("BENEFICIARIES_RATE_VALIDATE", "20/h", validate=_RATE)
    # The reverse proxies in front of the app (IPs or CIDR networks, comma-separated).
    # Only a request whose peer (REMOTE_ADDR) is one of them has its X-Forwarded-For
    # read; the client is its right-most address that is not a proxy. Empty: the peer
    # is the client and X-Forwarded-For is ignored. enlinea/web/client_ip.py.
    TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", [])
    # Soporte: complaint attachments and filing rate; call-center hours (empty: not shown).
    SUPPORT_MAX_ATTACHMENT_MB = env.int("SUPPORT_MAX_ATTACHMENT_MB", 5, validate=Range(1, 50))
    SUPPORT_RATE_COMPLAINT_MEMBER = env.str("SUPPORT_RATE_COMPLAINT_MEMBER", "5/h")
    SUPPORT_CALL_CENTER_HOURS = env.str("SUPPORT_CALL_CENTER_HOURS", "")
    # Consulta de movimientos (manual: "Fecha mínimo de consulta 30 día(s)", "Fecha máximo
    # de consulta 365 día(s)"): "Personalizado" proposes the last MIN_DAYS days, and no
    # query reaches further back than MAX_DAYS days before today. enlinea/position/views/accounts.py.
    POSITION_MOVEMENTS_MIN_DAYS = env.int("POSITION_MOVEMENTS_MIN_DAYS", 30, validate=Range(1, 366))
    POSITION_MOVEMENTS_MAX_DAYS = env.int(
        "POSITION_MOVEMENTS_MAX_DAYS", 365, validate=Range(1, 3660)
    )
    # Tarjetas (docs/security.md, "Card PINs"): wrong "PIN actual" tries before the PIN
    # locks (Generar PIN unlocks it), and how long Generar PIN's one-time link lives.
    CARDS_PIN_MAX_FAILURES = env.int("CARDS_PIN_MAX_FAILURES", 3, validate=Range(1, 10))
    CARDS_PIN_LINK_MINUTES = env.int("CARDS_PIN_LINK_MINUTES", 15, validate=Range(1, 120))
    # Pago de servicios (docs/billers.md): the biller network adapter (the local
    # simulator by default) and how often the simulator issues a new bill to each
    # reference it knows (30 days; a few minutes for a demo of scheduled payments).
    BILLER_NETWORK = env.str("BILLER_NETWORK", "enlinea.payments.simulator.BillerSimulator")
    BILLER_SIMULATOR_PERIOD_SECONDS = env.int(
        "BILLER_SIMULATOR_PERIOD_SECONDS", 30 * 24 * 3600, validate=Range(min=60)
    )
    # Programar pagos: the periodic job splits the live schedules into this many shards
    # (by id), each a task of its own, so that the worker's threads (or several worker
    # processes) pay them side by side; the schedule's row lock and the one run per bill
    # keep each bill paid once whatever runs at the same time.
    PAYMENT_SCHEDULE_SHARDS = env.int("PAYMENT_SCHEDULE_SHARDS", 2, validate=Range(1, 64))
except EnvError as exc:  # pragma: no cover - exercised by a subprocess test
    _fail(exc)


TRUSTED_PROXIES = [_proxy.strip() for _proxy in TRUSTED_PROXIES]
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as exc:
        _fail(ValueError(f"TRUSTED_PROXIES: {_proxy!r} no es una IP ni una red CIDR ({exc})"))
# django-ratelimit's "ip" key reads the client address the same way as everything else.
RATELIMIT_IP_META_KEY = "enlinea.web.client_ip.client_ip_key"

VAR_DIR.mkdir(parents=True, exist_ok=True)

if _secret_key:
    SECRET_KEY = _secret_key
else:
    # Generated once per installation and kept out of version control.
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

if _database_url:
    if not _database_url.startswith(("postgres://", "postgresql://", "sqlite://")):
        _fail(ValueError("DATABASE_URL debe empezar por postgres://, postgresql:// o sqlite://"))
    _db = dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _db.setdefault("OPTIONS", {})["connect_timeout"] = 5
    DATABASES = {"default": _db}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "enlinea.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    # Django's admin with the back office's own site (password + second factor).
    "enlinea.staff.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "csp",
    "huey.contrib.djhuey",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "enlinea.web",
    "enlinea.security",
    "enlinea.access",
    "enlinea.confirmation",
    "enlinea.members",
    "enlinea.ledger",
    "enlinea.products",
    "enlinea.notifications",
    "enlinea.support",
    "enlinea.position",
    "enlinea.tariff",
    "enlinea.receipts",
    "enlinea.documents",
    "enlinea.transfers",
    "enlinea.payments",
    "enlinea.cards",
    "enlinea.institutions",
    "enlinea.beneficiaries",
    "enlinea.limits",
    "enlinea.staff",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Right after WhiteNoise (static files stay cacheable), outside everything else so
    # redirects and refusals made by later middleware are covered too: every page is
    # Cache-Control: no-store (enlinea/web/middleware.py).
    "enlinea.web.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the back office's second factor (enlinea/staff).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "enlinea.web.middleware.VaryOnHtmxMiddleware",
    # After authentication and HTMX: ends idle sessions and sessions of a blocked
    # access, keeps temporary credentials inside the first-login wizard
    # (enlinea/access/session.py).
    "enlinea.access.session.IdleTimeoutMiddleware",
    "enlinea.access.session.AccessStateMiddleware",
]

ROOT_URLCONF = "enlinea.urls"
WSGI_APPLICATION = "enlinea.wsgi.application"

FORM_RENDERER = "enlinea.web.forms.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "enlinea.web.context_processors.institution",
                "enlinea.access.context_processors.session_info",
            ],
        },
    },
]

# The manual's policy (enlinea/access/policy.py, driven by the ACCESS_PASSWORD_* settings)
# plus Django's similarity check, over the member's names, cédula, e-mail and username,
# and its list of common passwords, also against the password stripped of the digits
# and symbols around a word (Password#123 → password): NIST 800-63B's "known bad" check.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "enlinea.access.policy.PasswordLengthValidator"},
    {"NAME": "enlinea.access.policy.PasswordCompositionValidator"},
    {"NAME": "enlinea.access.policy.PasswordNotUsernameValidator"},
    {"NAME": "enlinea.access.policy.SimilarityValidator"},
    {"NAME": "enlinea.access.policy.CommonPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "session:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "session:login"
# django-otp, the back office's TOTP (enlinea/staff): the authenticator app names the
# institution, and no admin page ever shows a device's secret.
OTP_TOTP_ISSUER = f"{INSTITUTION['short_name']} Back office"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "es-ec"
# Spanish for everyone: the templates are written in Spanish and Django's own texts
# (admin, validation) come from its "es" catalogue.
LANGUAGES = [("es-ec", "Español (Ecuador)")]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Production serves the hashed, compressed files made by collectstatic; without them
# (development, tests) WhiteNoise serves straight from the apps' static folders.
_collected = (STATIC_ROOT / "staticfiles.json").exists() and not DEBUG
WHITENOISE_USE_FINDERS = not _collected
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _collected
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# Sessions live in the database so web processes stay stateless.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "enlinea_sesion"
# A banking session never outlives the browser (and ends sooner when idle: access.session).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "enlinea.web.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Background work: Huey on a SQLite file by default, Redis when REDIS_URL is set. Two
# worker threads beyond the scheduled payments' shards: the security codes and notices
# (notifications.tasks) never wait behind a long run of Programar pagos.
HUEY = {
    "name": "enlinea",
    "immediate": False,
    "consumer": {"workers": PAYMENT_SCHEDULE_SHARDS + 2, "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")})

# E-mail: SMTP when EMAIL_HOST is set; otherwise the development mailbox (/dev/buzon/).
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "enlinea.notifications.backends.MailboxEmailBackend"

# Rate-limit counters (and other short-lived values) need a cache every web process
# shares: Redis in production; in development and tests one process, so memory.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # django-ratelimit warns that memory is not shared between processes: true, and
    # known (make run serves from one process; production sets REDIS_URL).
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO" if DEBUG else "WARNING"},
}
