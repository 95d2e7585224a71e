"""Signed page cursors: a position goes in and comes out, an edited one is rejected."""

from datetime import UTC, date, datetime

import pytest

from portal.listing.cursor import CursorCodec, CursorError
from portal.listing.definition import Sort
from portal.listing.invoices import INVOICES
from portal.listing.payments import PAYMENTS
from portal.listing.query import Position

CODEC = CursorCodec("test-secret")


def sort_of(definition, key: str, descending: bool = True) -> Sort:
    return Sort(definition.sort_key(key), descending)


@pytest.mark.parametrize(
    ("definition", "key", "value"),
    [
        (PAYMENTS, "created", datetime(2026, 12, 4, 10, 30, 1, 123456, tzinfo=UTC)),
        (PAYMENTS, "amount", 1250),
        (PAYMENTS, "contact", "ann@example.com"),
        (INVOICES, "due", date(2026, 12, 31)),
    ],
)
def test_position_round_trips(definition, key, value):
    sort = sort_of(definition, key)
    token = CODEC.encode(definition, sort, Position(value, 42))

    assert CODEC.decode(definition, sort, token) == Position(value, 42)


def test_token_is_opaque_text_for_a_url():
    sort = sort_of(PAYMENTS, "amount")
    token = CODEC.encode(PAYMENTS, sort, Position(1250, 42))

    assert token.replace("-", "").replace("_", "").replace(".", "").isalnum()


STALE = (
    "This page link does not match the current sort order or has been altered."
    " Start again from the first page."
)


def test_edited_token_is_rejected():
    sort = sort_of(PAYMENTS, "amount")
    token = CODEC.encode(PAYMENTS, sort, Position(1250, 42))
    edited = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    with pytest.raises(CursorError) as raised:
        CODEC.decode(PAYMENTS, sort, edited)
    assert str(raised.value) == STALE


def test_token_from_another_key_is_rejected():
    sort = sort_of(PAYMENTS, "amount")
    token = CursorCodec("other-secret").encode(PAYMENTS, sort, Position(1, 1))

    with pytest.raises(CursorError):
        CODEC.decode(PAYMENTS, sort, token)


def test_token_for_another_sort_is_rejected():
    token = CODEC.encode(PAYMENTS, sort_of(PAYMENTS, "amount"), Position(1, 1))

    with pytest.raises(CursorError):
        CODEC.decode(PAYMENTS, sort_of(PAYMENTS, "amount", descending=False), token)
    with pytest.raises(CursorError):
        CODEC.decode(PAYMENTS, sort_of(PAYMENTS, "created"), token)


def test_token_for_another_index_is_rejected():
    sort = sort_of(PAYMENTS, "created")
    token = CODEC.encode(PAYMENTS, sort, Position(datetime.now(UTC), 1))

    with pytest.raises(CursorError):
        CODEC.decode(INVOICES, sort_of(INVOICES, "created"), token)


@pytest.mark.parametrize("token", ["", "garbage", "x" * 5000])
def test_garbage_is_rejected(token):
    with pytest.raises(CursorError):
        CODEC.decode(PAYMENTS, sort_of(PAYMENTS, "created"), token)
