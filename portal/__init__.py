"""Kassa: a self-hosted commerce hub."""

import logging
from collections.abc import Mapping
from pathlib import Path

from flask import Flask
from htmx_flask import Htmx
from sqlalchemy import text

from portal import account, database, errors, i18n, merchant, processors, security
from portal.config import load_settings
from portal.extensions import csrf, limiter

logger = logging.getLogger(__name__)

QUIET_LOGGERS = ("alembic.runtime.plugins", "weasyprint", "fontTools")


def create_app(overrides: Mapping[str, object] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_settings(Path(app.instance_path)))
    if overrides:
        app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    _configure_logging()
    database.init_app(app)
    processors.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    Htmx(app)

    from portal.checkout import blueprint as checkout_blueprint
    from portal.cli import register_commands
    from portal.invoices.views import blueprint as invoices_blueprint
    from portal.quotes.views import blueprint as quotes_blueprint

    app.register_blueprint(checkout_blueprint)
    csrf.exempt(checkout_blueprint)  # the checkout signs its own per-attempt token
    app.register_blueprint(invoices_blueprint)
    csrf.exempt(invoices_blueprint)  # its pay form carries the checkout's token
    app.register_blueprint(quotes_blueprint)
    merchant.init_app(app)
    account.init_app(app)
    register_commands(app)

    @app.get("/healthz")
    def healthz():
        try:
            with database.new_session() as session:
                session.execute(text("SELECT 1"))
        except Exception:
            logger.exception("health check failed: database did not answer")
            return {"status": "unavailable", "database": "down"}, 503
        return {"status": "ok", "database": "up"}

    return app


def _configure_logging() -> None:
    """Send the app's INFO records to stderr unless logging is already set up."""
    if logging.getLogger().handlers:
        return
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Their INFO records describe each run's set-up steps, not the app's work.
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
