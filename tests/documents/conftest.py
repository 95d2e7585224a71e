"""An app context for rendering documents, with no database behind it."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from portal import create_app


@pytest.fixture
def document_app(tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "DATABASE_URL": "sqlite://",
            "SECRET_KEY": "test",
            "KASSA_OUTBOX": str(tmp_path / "outbox"),
            "KASSA_SMTP_URL": "",
        }
    )
    with app.app_context():
        yield app
    app.extensions["kassa.engine"].dispose()
