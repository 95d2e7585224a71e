"""An app that takes payments through Stripe, served by localstripe."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.fixtures.app import build_app
from tests.fixtures.localstripe import LocalStripe, stripe_overrides


@pytest.fixture
def app(database_url: str, tmp_path: Path, localstripe: LocalStripe) -> Iterator[Flask]:
    app = build_app(database_url, tmp_path, **stripe_overrides(localstripe))
    yield app
    app.extensions["kassa.engine"].dispose()
