"""The Flask application: event programme builder, registration and speed-dating scheduler.

``create_app`` is the only entry point (Flask tutorial style): it loads the
configuration, binds the extensions and registers one blueprint per area.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    from .config import finalise_config, load_config

    app.config.update(load_config(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)
    finalise_config(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _trust_proxies(app)
    from .access_log import MaskSecretsFilter

    app.logger.addFilter(MaskSecretsFilter())

    from . import cli, database, i18n, models, security, web  # noqa: F401 (models: schema)
    from .extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    _register_blueprints(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind TRUSTED_PROXIES reverse proxies, take the client's address, scheme and host
    from their X-Forwarded-* headers (rate limits key on the real client, links and
    cookies know the request was https). Without proxies the headers are ignored: a
    client could forge them."""
    count = int(app.config.get("TRUSTED_PROXIES") or 0)
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count,  # type: ignore[method-assign]
                                x_host=count)


def _register_blueprints(app: Flask) -> None:
    from .api.blueprint import bp as api_bp
    from .attendance.blueprint import bp as attendance_bp
    from .auth.blueprint import bp as auth_bp
    from .builder.blueprint import manage_bp
    from .calendars.blueprint import bp as calendars_bp
    from .checkin.blueprint import bp as checkin_bp
    from .evaluation.blueprint import bp as evaluation_bp
    from .exchange.blueprint import bp as exchange_bp
    from .portal.blueprint import bp as portal_bp
    from .registration.blueprint import bp as registration_bp
    from .registration.blueprint import public_bp
    from .report.blueprint import bp as report_bp
    from .scheduling.blueprint import bp as scheduling_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(manage_bp)
    app.register_blueprint(exchange_bp)
    app.register_blueprint(registration_bp)
    app.register_blueprint(portal_bp)
    app.register_blueprint(scheduling_bp)
    app.register_blueprint(calendars_bp)
    app.register_blueprint(checkin_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(attendance_bp)
    app.register_blueprint(evaluation_bp)
    app.register_blueprint(report_bp)
