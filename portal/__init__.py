"""The active-integration portal: create_app() wires configuration, extensions and blueprints."""

import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

PACKAGE = Path(__file__).resolve().parent
# Where templates/, translations/ and migrations/ are: inside the package in an installed wheel
# (pyproject.toml maps them there), beside it in the checkout (the editable install of `make`).
RESOURCES = PACKAGE if (PACKAGE / "templates").is_dir() else PACKAGE.parent


def instance_path() -> Path:
    """The folder of the SQLite default: INSTANCE_PATH when set, else instance/ in the checkout,
    else instance/ in the working directory (never inside site-packages)."""
    if os.environ.get("INSTANCE_PATH"):
        return Path(os.environ["INSTANCE_PATH"]).resolve()
    return (Path.cwd() if RESOURCES == PACKAGE else RESOURCES) / "instance"


def create_app(config: type | dict[str, Any] | None = None) -> Flask:
    import config as config_module
    from portal import cli, database, dev, http, i18n, log, rendering
    from portal.auth import bp as auth_bp
    from portal.boundary import PortalApp
    from portal.extensions import babel, csrf, db, limiter, login_manager, migrate
    from portal.jobs import queue
    from portal.participant import bp as participant_bp
    from portal.public import views as public_views
    from portal.services.accounts import passwords
    from portal.services.reporting import figures_version  # noqa: F401  (its session events)
    from portal.staff import bp as staff_bp

    app = PortalApp(
        __name__,
        template_folder=str(RESOURCES / "templates"),
        static_folder=str(PACKAGE / "static"),
        instance_path=str(instance_path()),
    )
    base = (
        config_module.from_environment() if config is None or isinstance(config, dict) else config
    )
    app.config.from_object(base)
    if isinstance(config, dict):
        app.config.update(config)
    # Settled once: every link the portal builds outside a request starts with it.
    app.config["BASE_URL"] = config_module.base_url(app.config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'portal.db'}"
    if app.config["ENV_NAME"] == "production":
        config_module.ProductionConfig.check(app.config)

    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        # Werkzeug's documented way to wrap the WSGI callable; mypy sees a method replaced.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    passwords.configure(passwords.PROFILES[app.config["PASSWORD_HASHING"]])
    log.init_app(app)
    database.configure_sqlite(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    db.init_app(app)
    migrate.init_app(app, db, directory=str(RESOURCES / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app, babel)
    login_manager.init_app(app)
    http.init_app(app)
    rendering.init_app(app)

    for blueprint in (public_views.bp, auth_bp, participant_bp, staff_bp):
        app.register_blueprint(blueprint)
    queue.init_app(app)
    cli.init_app(app)
    dev.init_app(app)
    return app
