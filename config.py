"""Configuration from the environment, with safe defaults that need nothing installed."""

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from portal import RESOURCES


def _bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


# The key development runs with when none is set; production refuses it by value.
DEVELOPMENT_SECRET_KEY = "development-only-not-secret"  # noqa: S105
# The key of the pseudonymised ESF export (HMAC of the PESEL); production refuses this one too.
DEVELOPMENT_PSEUDONYM_KEY = "development-pseudonym-key-not-secret"


# The roles two-factor sign-in may be required of (participants never use it).
STAFF_ROLE_VALUES = frozenset({"advisor", "social_worker", "coordinator", "admin"})


def _roles(name: str, default: str) -> tuple[str, ...]:
    """A comma-separated list of role values, e.g. "coordinator,admin" ("" or "none": none)."""
    raw = os.environ.get(name, default).strip().lower()
    if raw in {"", "none"}:
        return ()
    return tuple(part.strip() for part in raw.split(",") if part.strip())


# The development server's address (`make run`'s default port): links are built from it only
# when the configuration names no other address for the portal.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


def base_url(config: Mapping[str, Any]) -> str:
    """The portal's own address, which links in mail and printed invitations start with:
    BASE_URL when set; else SERVER_NAME (with PREFERRED_URL_SCHEME and APPLICATION_ROOT);
    else the development server's address."""
    explicit = str(config.get("BASE_URL") or "").strip()
    if explicit:
        return explicit.rstrip("/")
    server = str(config.get("SERVER_NAME") or "").strip()
    if server:
        scheme = config.get("PREFERRED_URL_SCHEME") or "http"
        root = str(config.get("APPLICATION_ROOT") or "/").rstrip("/")
        return f"{scheme}://{server}{root}"
    return DEVELOPMENT_BASE_URL


def _per_process(storage_uri: str) -> bool:
    """Whether Flask-Limiter storage is missing or held in one process (memory://)."""
    scheme = storage_uri.partition("://")[0].strip().lower()
    return scheme in {"", "memory", "async+memory"}


class Config:
    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    PSEUDONYM_KEY = os.environ.get("PSEUDONYM_KEY", DEVELOPMENT_PSEUDONYM_KEY)
    # The largest request body: the 2 MB spreadsheet import and its form (services/import_files).
    MAX_CONTENT_LENGTH = 3 * 1024 * 1024
    # The spreadsheet import (services/import_files): a file is refused at the first limit met
    # while it is read. Rows below the column names and columns count empty ones too; the time
    # is wall-clock, so a hostile file holds a worker no longer than this.
    IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "5000"))
    IMPORT_MAX_COLUMNS = int(os.environ.get("IMPORT_MAX_COLUMNS", "60"))
    IMPORT_PARSE_SECONDS = float(os.environ.get("IMPORT_PARSE_SECONDS", "3"))
    # How many uploads one host reads at once (0: no limit); one more is refused at once, so
    # costly uploads never take more workers than this from the other pages.
    IMPORT_PARALLEL_READS = int(os.environ.get("IMPORT_PARALLEL_READS", "1"))
    # The embedded default: a SQLite file in the instance folder (filled in by create_app).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    # The schema's owner, for `flask db upgrade` and `flask restore` (README, "Two database
    # roles"): the portal itself serves as a role that cannot change the schema or the audit
    # trail's triggers. Unset: those commands use DATABASE_URL too.
    MIGRATION_DATABASE_URL = os.environ.get("MIGRATION_DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 15_000

    BABEL_DEFAULT_LOCALE = "pl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Warsaw"
    BABEL_TRANSLATION_DIRECTORIES = str(RESOURCES / "translations")
    LANGUAGES = ("pl", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE")
    # Idle timeout: the session cookie expires this long after the last request.
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=int(os.environ.get("IDLE_MINUTES", "30")))
    SESSION_REFRESH_EACH_REQUEST = True
    # Remember-me is not offered; these are set anyway so a later change starts from safe values.
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"

    WTF_CSRF_TIME_LIMIT = 8 * 3600

    INVITATION_MAX_AGE = timedelta(days=7)
    PASSWORD_RESET_MAX_AGE = timedelta(hours=1)
    # argon2id parameters (portal/services/passwords.py); production refuses anything else.
    PASSWORD_HASHING = os.environ.get("PASSWORD_HASHING", "production")
    LOGIN_MAX_FAILURES = 10
    LOGIN_LOCK_MINUTES = 15
    # Staff roles that must sign in with a one-time code. None in development and tests, so the
    # demo logins work without an authenticator app; production requires it of the roles that
    # decide about money and accounts (ProductionConfig). Overridable, e.g. "coordinator,admin".
    TWO_FACTOR_REQUIRED_ROLES = _roles("TWO_FACTOR_REQUIRED_ROLES", "")
    # The name an authenticator app shows beside the code.
    TWO_FACTOR_ISSUER = os.environ.get("TWO_FACTOR_ISSUER", "Portal aktywnej integracji")
    # How long the password stays good while the one-time code is asked for.
    TWO_FACTOR_PENDING_MINUTES = 5
    # Sensitive actions (role changes, full exports, password change) need a sign-in this recent.
    FRESH_LOGIN_MINUTES = int(os.environ.get("FRESH_LOGIN_MINUTES", "10"))

    # How many reverse proxies stand in front of the portal, each appending the address it saw
    # to X-Forwarded-For. Exactly that many hops are trusted: the client's address is the one
    # the outermost proxy saw, so limits count each person, not the proxy, and a forged
    # X-Forwarded-For from the browser moves nothing. 0 (no proxy): the header is ignored.
    PROXY_HOPS = int(os.environ.get("PROXY_HOPS", "0"))
    # Flask-Limiter: per-address throttling. memory:// counts in each process separately: enough
    # for development's one process; production refuses it (ProductionConfig.check).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "20 per minute")

    MAIL_SERVER = os.environ.get("MAIL_SERVER")  # unset: mail is written to the log
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "portal@localhost")
    # Whom the privacy notice and the accessibility statement name while a centre has not given
    # its own contact details yet (set-up's checklist asks for them): the installation operator's
    # e-mail address or a line of text. By default the address the portal's mail comes from,
    # which the operator reads; empty, residents are sent to their municipality's centre.
    INSTALLATION_CONTACT = os.environ.get("INSTALLATION_CONTACT", MAIL_SENDER)
    # Links in e-mails are built from this, never from the request's Host header. Unset, it is
    # taken from SERVER_NAME and PREFERRED_URL_SCHEME (Flask's own settings, also read from the
    # environment), else it is the development server's address (`base_url` below; create_app
    # settles it once, and `flask create-user` warns when production is left with it).
    BASE_URL = os.environ.get("BASE_URL", "")
    SERVER_NAME = os.environ.get("SERVER_NAME") or None
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    # Development shows the outbox at /dev/outbox (portal/dev.py); production never does.
    DEV_OUTBOX = _bool("DEV_OUTBOX", True)

    HSTS = False

    # Retention (services/retention.py, `flask anonymise-expired`). A participant's personal data
    # are kept until the later of two days, then anonymised:
    # - the end of their last support of any kind plus RETENTION_YEARS_AFTER_SUPPORT years: the
    #   latest of the recorded end of support and every contract, allowance and instalment, event
    #   registration, plan, placement, casework contact, course, diagnosis test and counselling
    #   session (services/last_support.py). 10 by default: social assistance case files are
    #   archive category B10 in the centres' filing instructions;
    # - the project's archiving duty from its funding agreement (`Project.archive_until`; ESF
    #   agreements name a day, e.g. 31 December 2028 for 2014-2020 projects). When the agreement's
    #   day is not recorded, the project's end plus RETENTION_ARCHIVE_YEARS_AFTER_PROJECT_END
    #   years (5 by default, the longest duty in the seed projects' agreements); a project with
    #   neither an archiving day nor an end keeps everything: nobody can know the duty has ended.
    # A person with support still open is never anonymised, whatever the dates: a contract in
    # force, an instalment to pay, a place at an event to come, a plan shared and not completed,
    # a placement or course under way, or support started with no end recorded (record the exit
    # first). A person never supported counts from the day they were recorded.
    # `flask anonymise-expired --dry-run` lists who would go and why, and who is kept open.
    RETENTION_YEARS_AFTER_SUPPORT = int(os.environ.get("RETENTION_YEARS_AFTER_SUPPORT", "10"))
    RETENTION_ARCHIVE_YEARS_AFTER_PROJECT_END = int(
        os.environ.get("RETENTION_ARCHIVE_YEARS_AFTER_PROJECT_END", "5")
    )

    # The task queue of the background jobs (portal/jobs): redis://… for several hosts (every
    # host's workers and pages share it); unset, a SQLite file in the instance folder (one host,
    # `make run`); sqlite:///path names another file.
    TASK_QUEUE_URL = os.environ.get("TASK_QUEUE_URL", "")
    # A worker's lease on a job, renewed by its heartbeat every third of it: a worker that dies
    # leaves the job to another one this long after its last beat.
    JOB_LEASE_SECONDS = int(os.environ.get("JOB_LEASE_SECONDS", "60"))
    # Claims of one job before it is given up as failed (a worker that keeps dying on it).
    JOB_MAX_ATTEMPTS = int(os.environ.get("JOB_MAX_ATTEMPTS", "3"))
    # Jobs one `flask worker` builds at once.
    WORKER_THREADS = int(os.environ.get("WORKER_THREADS", "2"))


class ProductionConfig(Config):
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY", "")
    PSEUDONYM_KEY = os.environ.get("PSEUDONYM_KEY", "")
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS = True
    DEV_OUTBOX = False
    TWO_FACTOR_REQUIRED_ROLES = _roles("TWO_FACTOR_REQUIRED_ROLES", "coordinator,admin")
    # No default: production names the storage every worker shares, or refuses to start.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "")

    @classmethod
    def check(cls, config) -> None:
        """Refuse to start with settings that would be unsafe with real people's data."""
        key = config.get("SECRET_KEY") or ""
        # Compared with the literal default, not with Config.SECRET_KEY: both classes read the
        # same environment variable, so that attribute holds the production key too.
        if len(key) < 32 or key == DEVELOPMENT_SECRET_KEY:
            raise RuntimeError("Production needs a random SECRET_KEY of at least 32 characters.")
        if config.get("PASSWORD_HASHING") != "production":
            raise RuntimeError("Production must hash passwords with the production parameters.")
        if config.get("DEBUG"):
            raise RuntimeError("Production must not run with debug on.")
        unknown = set(config.get("TWO_FACTOR_REQUIRED_ROLES") or ()) - STAFF_ROLE_VALUES
        if unknown:
            raise RuntimeError(f"TWO_FACTOR_REQUIRED_ROLES names unknown roles: {sorted(unknown)}")
        pseudonym_key = config.get("PSEUDONYM_KEY") or ""
        if len(pseudonym_key) < 32 or pseudonym_key == DEVELOPMENT_PSEUDONYM_KEY:
            raise RuntimeError("Production needs a random PSEUDONYM_KEY of at least 32 characters.")
        if _per_process(config.get("RATELIMIT_STORAGE_URI") or ""):
            # Each gunicorn worker would count sign-in attempts on its own: four workers let
            # through four times LOGIN_RATE_LIMIT from one address, more with every host.
            raise RuntimeError(
                "Production needs RATELIMIT_STORAGE_URI set to storage that every worker and "
                "host shares, e.g. redis://127.0.0.1:6379/0 (memory:// counts sign-in attempts "
                "in each process separately)."
            )


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL")
    MIGRATION_DATABASE_URL = None  # a test that migrates as another role sets it
    RATELIMIT_ENABLED = False
    DEV_OUTBOX = False  # a test that needs the page sets it
    # The suite signs in hundreds of times; production's cost is asserted by its own test.
    PASSWORD_HASHING = "cheap-for-tests"  # noqa: S105 (a profile name, not a password)
    # Jobs wait in memory and a test runs them in process (tests/jobs/helpers.py); the tests of
    # the queue itself start a real worker on SQLite or Redis storage of their own.
    TASK_QUEUE_URL = "memory://"
    # A template that lazy loads raises (portal/rendering.py): every page's view loads what it
    # shows, so the suite catches a page whose statements grow with its rows.
    REFUSE_LAZY_LOADS_IN_TEMPLATES = True


CONFIGS = {"development": Config, "production": ProductionConfig, "testing": TestConfig}


def from_environment() -> type[Config]:
    return CONFIGS[os.environ.get("PORTAL_ENV", "development")]
