"""``flask quotes verify TOKEN`` and the changed-quote email."""

import pytest
from sqlalchemy import update

from portal.businesses import get_business
from portal.models import QuoteEvent
from portal.notifications.quotes_changed import send_quote_changed
from portal.quotes.publishing import publish_quote
from portal.quotes.versions import revise_quote
from tests.factories import make_business
from tests.quotes.builders import STAFF_ACTOR, STATIC_ROOT, make_quote, quote_draft


@pytest.fixture
def quote(db):
    make_business(db)
    db.commit()
    quote = make_quote(db)
    return publish_quote(db, quote, actor=STAFF_ACTOR)


def verify(app, token):
    # A token may start with a hyphen, which would otherwise read as an option.
    return app.test_cli_runner().invoke(args=["quotes", "verify", "--", token])


def test_verify_intact_exits_zero(app, quote):
    result = verify(app, quote.token)

    assert result.exit_code == 0
    assert "Q-000001: 2 events checked." in result.output
    assert "Intact." in result.output


def test_verify_counts_one_event(app, db):
    make_business(db)
    db.commit()
    draft = make_quote(db)

    result = verify(app, draft.token)

    assert result.exit_code == 0
    assert f"Draft quote {draft.id}: 1 event checked." in result.output


def test_verify_token_starting_with_hyphen(app, db, quote):
    quote.token = "-" + quote.token[1:]
    db.commit()

    result = verify(app, quote.token)

    assert result.exit_code == 0
    assert "Intact." in result.output


def test_verify_changed_row_exits_one(app, db, quote):
    db.execute(
        update(QuoteEvent)
        .where(QuoteEvent.quote_id == quote.id, QuoteEvent.seq == 1)
        .values(client_address="203.0.113.9")
    )
    db.commit()

    result = verify(app, quote.token)

    assert result.exit_code == 1
    assert "Event 1 (created) was changed after it was written." in result.stderr


def test_verify_unknown_token(app, quote):
    result = verify(app, "no-such-token")

    assert result.exit_code == 1
    assert "No quote has the token 'no-such-token'." in result.stderr


def test_signers_emailed_when_changed(app, db, quote, smtp_server):
    app.config["KASSA_SMTP_URL"] = smtp_server.url
    app.config["KASSA_PUBLIC_URL"] = "https://pay.nordlys.example"
    revision = revise_quote(
        db,
        quote,
        quote_draft(title="Studio photography, two days"),
        actor=STAFF_ACTOR,
        idempotency_key="revise-email",
        static_root=STATIC_ROOT,
    )

    with app.app_context():
        sent = send_quote_changed(revision, get_business(db))

    assert sent == 1
    [received] = smtp_server.messages
    assert received.recipients == ["aino@example.com"]
    message = received.message
    assert message["Subject"] == "Quote Q-000001 from Nordlys Studio has changed"
    text = message.get_body(preferencelist=("plain",)).get_content()
    signer = revision.signers[0]
    link = f"https://pay.nordlys.example/quotes/{revision.token}/sign/{signer.token}"
    assert link in text
    assert "Version 2 replaces the version you received before" in text


def test_token_starting_with_hyphen(app):
    result = app.test_cli_runner().invoke(args=["quotes", "verify", "-no-such-token"])

    assert result.exit_code == 1
    assert "No quote has the token '-no-such-token'." in result.output
