"""POST /webhooks/stripe refuses what Stripe did not send, with a 400 and no effect."""

import json
import time

import pytest
from sqlalchemy import func, select

from portal.models import Payout, ProcessorEvent
from tests.webhooks.events import (
    encode,
    make_event,
    payout,
    post_body,
    post_event,
    signature,
)


def stored_events(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count(ProcessorEvent.id)))


def stored_payouts(db) -> int:
    return db.scalar(select(func.count(Payout.id)))


def test_signed_event_is_accepted(client, db):
    response = post_event(client, make_event("payout.created", payout()))

    assert response.status_code == 200
    assert response.get_json() == {"received": True, "outcome": "applied"}
    assert stored_events(db) == 1
    assert stored_payouts(db) == 1


def test_changed_body_is_refused(client, db):
    body = encode(make_event("payout.created", payout()))
    header = signature(body)
    changed = body.replace(b"123456", b"923456")

    response = post_body(client, changed, header)

    assert response.status_code == 400
    assert "does not match" in response.get_json()["error"]
    assert stored_events(db) == 0
    assert stored_payouts(db) == 0


def test_re_encoded_body_is_refused(client, db):
    """The same event serialised again, as a proxy that parses JSON would, fails."""
    event = make_event("payout.created", payout(description="Maksu — joulukuu"))
    body = encode(event)
    header = signature(body)
    compact = json.dumps(event, separators=(",", ":")).encode("utf-8")
    escaped = json.dumps(event, indent=2, ensure_ascii=True).encode("utf-8")

    for re_encoded in (compact, escaped):
        response = post_body(client, re_encoded, header)
        assert response.status_code == 400

    assert stored_events(db) == 0


def test_other_character_set_is_refused(client, db):
    event = make_event("payout.created", payout(description="Maksu — joulukuu"))
    body = encode(event)
    header = signature(body)
    latin = body.decode("utf-8").replace("—", "-").encode("latin-1")
    latin = latin.replace(b"Maksu", "Määrä".encode("latin-1"))

    response = post_body(client, latin, header)

    assert response.status_code == 400
    assert stored_events(db) == 0


def test_wrong_secret_is_refused(client, db):
    response = post_event(
        client, make_event("payout.created", payout()), secret="whsec_somebody_else"
    )

    assert response.status_code == 400
    assert stored_events(db) == 0


def test_stale_timestamp_is_refused(client, db):
    six_minutes_ago = int(time.time()) - 360

    response = post_event(
        client, make_event("payout.created", payout()), timestamp=six_minutes_ago
    )

    assert response.status_code == 400
    assert "five minutes" in response.get_json()["error"]
    assert stored_events(db) == 0


def test_recent_timestamp_is_accepted(client, db):
    four_minutes_ago = int(time.time()) - 240

    response = post_event(
        client, make_event("payout.created", payout()), timestamp=four_minutes_ago
    )

    assert response.status_code == 200


@pytest.mark.parametrize("header", [None, "", "t=abc,v1=00", "v1=deadbeef"])
def test_missing_or_garbled_header_is_refused(client, db, header):
    body = encode(make_event("payout.created", payout()))

    response = post_body(client, body, header)

    assert response.status_code == 400
    assert stored_events(db) == 0


def test_signed_non_event_is_refused(client, db):
    body = b'{"hello": "world"}'

    response = post_body(client, body, signature(body))

    assert response.status_code == 400
    assert stored_events(db) == 0


def test_any_configured_secret_is_accepted(app, client, db):
    app.extensions["kassa.processor"].settings = _with_secrets(
        app, ("whsec_new", "whsec_kassa_test")
    )

    old = post_event(client, make_event("payout.created", payout(id="po_old")))
    new = post_event(
        client, make_event("payout.created", payout(id="po_new")), secret="whsec_new"
    )
    other = post_event(
        client, make_event("payout.created", payout(id="po_x")), secret="whsec_other"
    )

    assert old.status_code == 200
    assert new.status_code == 200
    assert other.status_code == 400
    assert stored_payouts(db) == 2


def test_endpoint_is_missing_in_test_mode(tmp_path, database_url):
    from tests.fixtures.app import build_app

    test_mode = build_app(database_url, tmp_path)
    try:
        response = post_event(
            test_mode.test_client(), make_event("payout.created", payout())
        )
    finally:
        test_mode.extensions["kassa.engine"].dispose()

    assert response.status_code == 404


def _with_secrets(app, secrets):
    from dataclasses import replace

    return replace(app.extensions["kassa.processor"].settings, webhook_secrets=secrets)
