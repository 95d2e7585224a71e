"""Migration 0002 fills the billing details of existing orders from their contacts."""

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

from portal.cli import alembic_config
from portal.database import make_engine
from tests.fixtures.database import (
    DATABASES,
    create_postgres_database,
    drop_postgres_database,
    postgres_url,
)

ROWS = [
    """INSERT INTO contacts (id, email, name, phone, address_line1, postal_code,
       city, country, created_at, updated_at)
       VALUES (1, 'aino@example.com', 'Aino Virtanen', '+358 40 123 4567',
       'Aleksanterinkatu 5', '00170', 'Helsinki', 'FI',
       '2026-12-01 10:00:00', '2026-12-01 10:00:00')""",
    # Order 1 was paid. Order 2 has no payment, so it has no buyer.
    """INSERT INTO orders (id, currency, subtotal, discount_total, fee_total,
       tax_total, total, custom_fields, created_at)
       VALUES (1, 'EUR', 1000, 0, 0, 0, 1000, '{}', '2026-12-01 10:00:00'),
              (2, 'EUR', 500, 0, 0, 0, 500, '{}', '2026-12-01 10:00:00')""",
    """INSERT INTO order_lines (id, order_id, position, kind, description,
       quantity, unit_amount, gross, discount, tax, tax_inclusive, total, extra)
       VALUES (1, 1, 0, 'item', 'Poster', 1, 1000, 1000, 0, 0, false, 1000, '{}')""",
    """INSERT INTO payments (id, token, contact_id, order_id, currency, amount,
       status, method, processor, locale, created_at)
       VALUES (1, 'receipt-token', 1, 1, 'EUR', 1000, 'succeeded', 'card', 'test',
       'en', '2026-12-01 10:00:00')""",
    """INSERT INTO invoices (id, number, token, order_id, contact_id, payment_id,
       status, currency, total, created_at)
       VALUES (1, 'INV-000001', 'invoice-token', 1, 1, 1, 'paid', 'EUR', 1000,
       '2026-12-01 10:00:00')""",
]
SELECT_BILLING = (
    "SELECT id, billing_email, billing_name, billing_phone, billing_address_line1,"
    " billing_address_line2, billing_postal_code, billing_city, billing_country"
    " FROM orders ORDER BY id"
)


@pytest.fixture(params=DATABASES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Return the URL of a database with no tables, once per database engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kassa.sqlite3'}"
        return
    request.getfixturevalue("postgres_server")
    name = f"kassa_migration_{secrets.token_hex(6)}"
    create_postgres_database(name)
    try:
        yield postgres_url(name)
    finally:
        drop_postgres_database(name)


@pytest.fixture
def engine_at_0001(empty_database_url: str) -> Iterator[Engine]:
    """Migrate to revision 0001 and add a paid order and an order without payment."""
    command.upgrade(alembic_config(empty_database_url), "0001")
    engine = make_engine(empty_database_url)
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
    yield engine
    engine.dispose()


def billing_rows(engine: Engine) -> dict[int, tuple]:
    with engine.connect() as connection:
        rows = connection.execute(text(SELECT_BILLING)).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def test_upgrade_fills_paid_order_from_contact(empty_database_url, engine_at_0001):
    command.upgrade(alembic_config(empty_database_url), "0002")

    rows = billing_rows(engine_at_0001)

    assert rows[1] == (
        "aino@example.com",
        "Aino Virtanen",
        "+358 40 123 4567",
        "Aleksanterinkatu 5",
        None,
        "00170",
        "Helsinki",
        "FI",
    )


def test_upgrade_leaves_order_without_payment_empty(empty_database_url, engine_at_0001):
    command.upgrade(alembic_config(empty_database_url), "0002")

    rows = billing_rows(engine_at_0001)

    assert rows[2] == (None,) * 8


def test_downgrade_drops_billing_columns(empty_database_url, engine_at_0001):
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0002")

    command.downgrade(config, "0001")

    columns = {
        column["name"] for column in inspect(engine_at_0001).get_columns("orders")
    }
    assert "total" in columns
    assert not any(name.startswith("billing_") for name in columns)
    with engine_at_0001.connect() as connection:
        order_ids = connection.execute(text("SELECT id FROM orders ORDER BY id")).all()
        line_count = connection.execute(text("SELECT count(*) FROM order_lines")).one()
    assert [row[0] for row in order_ids] == [1, 2]
    assert line_count[0] == 1
