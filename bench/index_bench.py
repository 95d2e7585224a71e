"""Time the invoices index on 10,000 invoices and print milliseconds per call.

Run with ``.venv/bin/python bench/index_bench.py [--postgresql] [--repeat N]``.
It migrates a SQLite file in a temporary folder, or with ``--postgresql`` a
new database on 127.0.0.1:5432 (user postgres) that it drops afterwards. It
inserts 10,000 invoices for 200 contacts, then times the index queries in
process and the page through the Flask test client. No web server or network
is in the figures.
"""

import argparse
import re
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import insert, text

from portal import create_app
from portal.cli import upgrade_database
from portal.listing.context import ListingContext
from portal.listing.invoices import INVOICES
from portal.listing.query import (
    count_matching,
    fetch_page,
    iterate_rows,
    parse_query,
)
from portal.models import Business, Contact, Invoice, Order, StaffRole
from portal.staff.accounts import create_staff

INVOICES_TOTAL = 10_000
CONTACTS_TOTAL = 200
STATUSES = ["open", "paid", "open", "draft", "void", "paid", "uncollectible"]
# The password of a throwaway staff member in a temporary database.
PASSWORD = "bench password 1"  # noqa: S105


@contextmanager
def database(postgresql: bool):
    """Yield the URL of a new, empty database and remove it afterwards."""
    if not postgresql:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        return
    name = f"kassa_bench_{secrets.token_hex(4)}"
    admin = {
        "host": "127.0.0.1",
        "port": 5432,
        "user": "postgres",
        "dbname": "postgres",
    }
    with psycopg.connect(**admin, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(**admin, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(name)
                )
            )


def seed(session) -> None:
    session.add(Business(name="Bench", email="b@example.com", currency="EUR"))
    create_staff(
        session, email="bench@example.com", password=PASSWORD, role=StaffRole.VIEWER
    )
    contacts = [Contact(email=f"buyer-{n}@example.com") for n in range(CONTACTS_TOTAL)]
    order = Order(
        currency="EUR", subtotal=0, discount_total=0, fee_total=0, tax_total=0, total=0
    )
    session.add_all([*contacts, order])
    session.flush()

    start = datetime(2026, 1, 1, tzinfo=UTC)
    today = date(2026, 12, 4)
    rows = []
    for number in range(INVOICES_TOTAL):
        status = STATUSES[number % len(STATUSES)]
        due = None if status == "draft" else today + timedelta(days=number % 90 - 45)
        rows.append(
            {
                "number": None if status == "draft" else f"INV-{number:06d}",
                "token": secrets.token_urlsafe(16),
                "order_id": order.id,
                "contact_id": contacts[number % CONTACTS_TOTAL].id,
                "status": status,
                "currency": "EUR" if number % 4 else "USD",
                "total": (number * 7919) % 100_000,
                "issue_date": due,
                "due_date": due,
                "created_at": start + timedelta(minutes=45 * (number // 3)),
            }
        )

    session.execute(insert(Invoice.__table__), rows)
    session.commit()
    # Gather planner statistics now, as autovacuum would soon after a bulk load.
    session.execute(text("ANALYZE"))
    session.commit()


def sign_in(client) -> None:
    form = client.get("/merchant/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    client.post(
        "/merchant/login",
        data={"csrf_token": token, "email": "bench@example.com", "password": PASSWORD},
    )
    if client.get("/merchant/invoices").status_code != 200:
        raise SystemExit("signing in to the back office failed")


def timed(label: str, call: Callable[[], object], repeat: int) -> None:
    call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    print(
        f"{label:<44} median {statistics.median(samples):8.2f} ms"
        f"   max {max(samples):8.2f} ms"
    )


def main(postgresql: bool, repeat: int) -> None:
    with database(postgresql) as url, tempfile.TemporaryDirectory() as outbox:
        upgrade_database(url)
        app = create_app(
            {"DATABASE_URL": url, "SECRET_KEY": "bench", "KASSA_OUTBOX": outbox}
        )
        maker = app.extensions["kassa.sessionmaker"]
        with maker() as session:
            seed(session)
        print(
            f"{'SQLite' if not postgresql else 'PostgreSQL'}: {INVOICES_TOTAL} invoices"
        )

        context = ListingContext("UTC", datetime(2026, 12, 4, 12, tzinfo=UTC))
        newest = parse_query(INVOICES, {})
        unpaid = parse_query(INVOICES, {"status": ["open", "overdue"], "sort": ["due"]})
        ranged = parse_query(
            INVOICES,
            {"currency": ["EUR"], "amount_from": ["100"], "amount_to": ["400"]},
        )
        with maker() as session:
            middle = fetch_page(session, INVOICES, newest, context)
            for _ in range(INVOICES_TOTAL // 2 // newest.page_size):
                middle = fetch_page(
                    session, INVOICES, newest, context, after=middle.next_position
                )
            position = middle.next_position

            def page(parsed, after=None):
                return lambda: fetch_page(
                    session, INVOICES, parsed, context, after=after
                )

            timed("first page, newest first (50 rows)", page(newest), repeat)
            timed("page at row 5,000 by keyset", page(newest, position), repeat)
            timed("first page, unpaid by due date", page(unpaid), repeat)
            timed("first page, EUR 100 to 400", page(ranged), repeat)
            timed(
                "count, unpaid",
                lambda: count_matching(session, INVOICES, unpaid, context),
                repeat,
            )
            timed(
                "every row, 500 at a time (CSV rows)",
                lambda: sum(
                    1 for _ in iterate_rows(session, INVOICES, newest, context)
                ),
                max(repeat // 10, 3),
            )

        client = app.test_client()
        sign_in(client)
        timed(
            "GET /merchant/invoices (whole page)",
            lambda: client.get("/merchant/invoices"),
            repeat,
        )
        timed(
            "GET /merchant/invoices (htmx results)",
            lambda: client.get(
                "/merchant/invoices?status=open&status=overdue",
                headers={"HX-Request": "true"},
            ),
            repeat,
        )
        app.extensions["kassa.engine"].dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgresql", action="store_true")
    parser.add_argument("--repeat", type=int, default=50)
    options = parser.parse_args()
    main(options.postgresql, options.repeat)
