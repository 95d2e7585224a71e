"""An app context for sending email, with no database behind it."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from portal import create_app
from tests.fixtures.smtp import smtp_server  # noqa: F401


@pytest.fixture
def mail_app(tmp_path: Path) -> Callable:
    """Return a context manager that enters an app context with the given SMTP URL."""

    @contextmanager
    def app_context(smtp_url: str = "") -> Iterator:
        app = create_app(
            {
                "DATABASE_URL": "sqlite://",
                "SECRET_KEY": "test",
                "KASSA_OUTBOX": str(tmp_path / "outbox"),
                "KASSA_SMTP_URL": smtp_url,
                "KASSA_MAIL_FROM": "kassa@nordlys.example",
            }
        )
        try:
            with app.app_context():
                yield app
        finally:
            app.extensions["kassa.engine"].dispose()

    return app_context


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox"
