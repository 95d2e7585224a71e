from datetime import date

import pytest

from portal.invoices.errors import InvoiceError
from portal.invoices.terms import due_date_for
from portal.models import NetTerms

ISSUED = date(2027, 1, 31)


@pytest.mark.parametrize(
    ("terms", "due"),
    [
        (NetTerms.DUE_ON_RECEIPT, date(2027, 1, 31)),
        (NetTerms.NET_7, date(2027, 2, 7)),
        (NetTerms.NET_15, date(2027, 2, 15)),
        (NetTerms.NET_30, date(2027, 3, 2)),
        (NetTerms.NET_45, date(2027, 3, 17)),
        (NetTerms.NET_60, date(2027, 4, 1)),
        (NetTerms.NET_90, date(2027, 5, 1)),
    ],
)
def test_net_terms_count_days(terms, due):
    assert due_date_for(terms, ISSUED) == due


def test_custom_terms_take_chosen_date():
    assert due_date_for(NetTerms.CUSTOM, ISSUED, date(2027, 2, 20)) == date(2027, 2, 20)


def test_custom_due_date_may_equal_issue_date():
    assert due_date_for(NetTerms.CUSTOM, ISSUED, ISSUED) == ISSUED


def test_custom_due_date_before_issue_rejected():
    with pytest.raises(InvoiceError) as raised:
        due_date_for(NetTerms.CUSTOM, ISSUED, date(2027, 1, 30))

    assert raised.value.field == "due_date"
    assert "before the issue date" in raised.value.message


def test_custom_terms_without_date_rejected():
    with pytest.raises(InvoiceError) as raised:
        due_date_for(NetTerms.CUSTOM, ISSUED)

    assert raised.value.field == "due_date"


def test_net_terms_ignore_custom_date():
    assert due_date_for(NetTerms.NET_7, ISSUED, date(2026, 1, 1)) == date(2027, 2, 7)


@pytest.mark.parametrize("terms", [NetTerms.NET_7, NetTerms.NET_90])
def test_due_date_past_year_9999_rejected(terms):
    with pytest.raises(InvoiceError) as raised:
        due_date_for(terms, date(9999, 12, 31))

    assert raised.value.field == "issue_date"
    assert "Enter an earlier issue date" in raised.value.message


def test_custom_due_date_over_a_year_later_rejected():
    with pytest.raises(InvoiceError) as raised:
        due_date_for(NetTerms.CUSTOM, ISSUED, date(9999, 12, 31))

    assert raised.value.field == "due_date"
    assert "more than 365 days after the issue date" in raised.value.message
