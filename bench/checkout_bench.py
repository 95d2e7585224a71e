"""Serve the checkout page and its htmx summary in-process and print requests/s.

Run with ``.venv/bin/python bench/checkout_bench.py [REQUESTS]``. It builds a
SQLite database in a temporary folder with the demo data, then times the
Flask test client. No network or web server is in the figures.
"""

import sys
import tempfile
import time
from pathlib import Path

from portal import create_app
from portal.cli import upgrade_database
from portal.demo import seed_demo


def main(requests: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        upgrade_database(url)
        app = create_app(
            {"DATABASE_URL": url, "SECRET_KEY": "bench", "KASSA_OUTBOX": folder}
        )
        with app.extensions["kassa.sessionmaker"]() as session:
            seed_demo(session)
        client = app.test_client()
        for name, call in (
            ("GET /pay/workshop-kit", lambda: client.get("/pay/workshop-kit")),
            (
                "POST summary (htmx)",
                lambda: client.post(
                    "/pay/workshop-kit",
                    data={"action": "update", "discount_code": "WELCOME10"},
                    headers={"HX-Request": "true"},
                ),
            ),
        ):
            call()
            started = time.perf_counter()
            for _ in range(requests):
                call()
            elapsed = time.perf_counter() - started
            print(f"{name:<24} {requests / elapsed:8.0f} requests/s")
        app.extensions["kassa.engine"].dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
