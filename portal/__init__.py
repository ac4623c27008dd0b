"""The active-integration portal: create_app() wires configuration, extensions and blueprints."""

from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type | dict | None = None) -> Flask:
    import config as config_module
    from portal import cli, database, http, i18n, log
    from portal.auth import views as auth_views
    from portal.extensions import babel, csrf, db, limiter, login_manager, migrate
    from portal.participant import views as participant_views
    from portal.public import views as public_views
    from portal.staff import bp as staff_bp

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "portal" / "static"),
        instance_path=str(ROOT / "instance"),
    )
    base = (
        config_module.from_environment() if config is None or isinstance(config, dict) else config
    )
    app.config.from_object(base)
    if isinstance(config, dict):
        app.config.update(config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'portal.db'}"
    if app.config["ENV_NAME"] == "production":
        config_module.ProductionConfig.check(app.config)

    log.init_app(app)
    database.configure_sqlite(app.config["SQLITE_BUSY_TIMEOUT_MS"])
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app, babel)
    login_manager.init_app(app)
    http.init_app(app)

    for blueprint in (public_views.bp, auth_views.bp, participant_views.bp, staff_bp):
        app.register_blueprint(blueprint)
    cli.init_app(app)
    return app
