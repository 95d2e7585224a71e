"""The migrated schema, timestamps in UTC, and the health check."""

import secrets
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select
from sqlalchemy.exc import StatementError

import portal.models  # noqa: F401  (registers every table on Base.metadata)
from portal.cli import alembic_config
from portal.database import Base, make_engine
from portal.models import Discount
from tests.fixtures.app import build_app
from tests.fixtures.database import postgres_url


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def test_migrations_match_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, Base.metadata)

    # No difference is ignored, column types included. Alembic compares
    # UTCDateTime as the DateTime(timezone=True) it wraps, so it needs no exception.
    assert differences == []


def test_migrations_reach_head(engine):
    heads = ScriptDirectory.from_config(alembic_config("")).get_heads()

    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()

    assert heads
    assert set(current) == set(heads)


def test_migrations_seed_document_sequences(engine):
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                Base.metadata.tables["document_sequences"].c["name", "prefix"]
            ).order_by("name")
        ).all()

    assert [tuple(row) for row in rows] == [
        ("invoice", "INV-"),
        ("quote", "Q-"),
        ("receipt", "RCT-"),
        ("refund", "RFD-"),
    ]


def test_datetimes_read_back_in_utc(app, db):
    helsinki_noon = datetime(2027, 6, 1, 12, 0, tzinfo=ZoneInfo("Europe/Helsinki"))
    db.add(
        Discount(
            name="Summer", code="SUMMER", percent=Decimal(5), expires_at=helsinki_noon
        )
    )
    db.commit()

    with app.extensions["kassa.sessionmaker"]() as other:
        stored = other.scalars(select(Discount).where(Discount.code == "SUMMER")).one()

    assert stored.expires_at == helsinki_noon
    assert stored.expires_at.tzinfo is UTC
    assert stored.expires_at.hour == 9
    assert stored.created_at.tzinfo is UTC


def test_naive_datetime_is_rejected(db):
    naive = datetime(2027, 6, 1, 12, 0)  # noqa: DTZ001  (the case under test)
    db.add(Discount(name="Naive", code="NAIVE", percent=Decimal(5), expires_at=naive))

    with pytest.raises(StatementError) as raised:
        db.flush()

    assert isinstance(raised.value.orig, ValueError)
    assert "naive datetime" in str(raised.value.orig)


def test_healthz_with_database_up(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "up"}


def test_healthz_with_missing_database(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        missing_url = f"sqlite:///{tmp_path / 'no-such-folder' / 'kassa.sqlite3'}"
    else:
        missing_url = postgres_url(f"kassa_missing_{secrets.token_hex(6)}")
    app = build_app(missing_url, tmp_path)

    try:
        response = app.test_client().get("/healthz")
    finally:
        app.extensions["kassa.engine"].dispose()

    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "down"}
