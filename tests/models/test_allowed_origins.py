"""Allowed embed origins stored on a payment link."""

import re

import pytest
from sqlalchemy import select, text

from portal.models import PaymentLink
from tests.factories import make_link


def test_allowed_origins_are_normalised():
    link = PaymentLink(
        slug="x",
        title="x",
        currency="EUR",
        allowed_origins=["HTTPS://Shop.Example:443/", "http://localhost:*"],
    )

    assert link.allowed_origins == ["https://shop.example", "http://localhost:*"]


@pytest.mark.parametrize(
    ("origins", "message"),
    [
        (["https://shop.example/pay"], "has a path"),
        (["shop.example"], "http:// or https://"),
        (["https://shop.example", "https://shop.example/"], "listed twice"),
        ("https://shop.example", "must be a list"),
    ],
)
def test_bad_allowed_origins_are_rejected(origins, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        PaymentLink(slug="x", title="x", currency="EUR", allowed_origins=origins)


def test_new_link_allows_no_origin(db):
    link = make_link(db, slug="plain", items=[{"name": "Poster", "unit_amount": 3900}])
    db.commit()

    assert link.allowed_origins == []


def test_allowed_origins_round_trip(db):
    make_link(
        db,
        slug="embedded",
        items=[{"name": "Poster", "unit_amount": 3900}],
        allowed_origins=["http://127.0.0.1:*", "https://shop.example"],
    )
    db.commit()
    db.expunge_all()

    stored = db.scalars(select(PaymentLink).where(PaymentLink.slug == "embedded"))
    assert stored.one().allowed_origins == [
        "http://127.0.0.1:*",
        "https://shop.example",
    ]


def test_row_inserted_without_origins_reads_as_empty_list(db):
    """A link created outside the model, as rows from before the column were."""
    db.execute(
        text(
            "INSERT INTO payment_links (slug, title, currency, active, "
            "allow_discount_codes, allow_bank_debit, collect_name, "
            "collect_address, collect_phone, created_at) VALUES ('old', 'Old', "
            "'EUR', true, false, true, 'optional', 'off', 'off', CURRENT_TIMESTAMP)"
        )
    )
    db.commit()

    stored = db.scalars(select(PaymentLink).where(PaymentLink.slug == "old")).one()
    assert stored.allowed_origins == []
