"""Contact lists as stored: repeats, names, missing links, edits, members."""

from datetime import UTC, datetime

import pytest

from portal.contact_lists.criteria import CriteriaError, Criterion, CriterionKind
from portal.contact_lists.store import (
    ContactListError,
    create_list,
    delete_list,
    members_definition,
    update_list,
    visible_list,
    visible_lists,
)
from portal.listing.context import ListingContext
from portal.listing.query import iterate_rows, parse_query
from portal.models import ContactList, StaffRole
from tests.factories import make_business, make_link
from tests.fixtures.staff import make_staff
from tests.listing.records import make_contact, make_invoice, make_payment

CONTEXT = ListingContext("Europe/Helsinki", datetime(2026, 12, 4, 12, tzinfo=UTC))
OPEN = [Criterion(CriterionKind.HAS_OPEN_INVOICE)]


@pytest.fixture
def staff(db):
    make_business(db)
    members = {role: make_staff(db, role=role) for role in StaffRole}
    db.commit()
    return members


def test_repeated_create_returns_same_list(db, staff):
    sales = staff[StaffRole.SALES]
    first = create_list(db, sales, name="Owing", criteria=OPEN, shared=False)
    db.commit()
    again = create_list(db, sales, name=" Owing ", criteria=OPEN, shared=False)
    db.commit()

    assert again.id == first.id
    assert first.criteria == [{"kind": "has_open_invoice"}]
    assert db.query(ContactList).count() == 1


def test_same_name_other_criteria_is_rejected(db, staff):
    sales = staff[StaffRole.SALES]
    create_list(db, sales, name="Owing", criteria=OPEN, shared=False)
    db.commit()
    overdue = [Criterion(CriterionKind.HAS_OVERDUE_INVOICE)]

    with pytest.raises(ContactListError) as raised:
        create_list(db, sales, name="Owing", criteria=overdue, shared=False)
    assert (
        str(raised.value)
        == "You already have a list named 'Owing'. Choose another name."
    )


def test_missing_link_is_rejected(db, staff):
    through = [Criterion(CriterionKind.PAID_THROUGH_LINK, link_id=999)]

    with pytest.raises(CriteriaError) as raised:
        create_list(
            db, staff[StaffRole.SALES], name="X", criteria=through, shared=False
        )
    assert raised.value.errors == {"link_id": "Payment link #999 does not exist."}


def test_only_owner_edits(db, staff):
    sales, admin = staff[StaffRole.SALES], staff[StaffRole.ADMIN]
    contact_list = create_list(db, sales, name="Owing", criteria=OPEN, shared=True)
    db.commit()

    with pytest.raises(ContactListError):
        update_list(
            db, admin, contact_list, name="Mine now", criteria=OPEN, shared=True
        )
    update_list(
        db, sales, contact_list, name="Still owing", criteria=OPEN, shared=False
    )
    db.commit()

    assert contact_list.name == "Still owing"
    assert contact_list.shared is False


def test_visibility_and_deletion(db, staff):
    sales, viewer, admin = (
        staff[StaffRole.SALES],
        staff[StaffRole.VIEWER],
        staff[StaffRole.ADMIN],
    )
    private = create_list(db, sales, name="Private", criteria=OPEN, shared=False)
    shared = create_list(db, sales, name="Shared", criteria=OPEN, shared=True)
    db.commit()

    assert [item.name for item in visible_lists(db, viewer)] == ["Shared"]
    assert visible_list(db, viewer, private.id) is None
    with pytest.raises(ContactListError):
        delete_list(db, viewer, shared)
    delete_list(db, admin, shared)
    db.commit()

    assert [item.name for item in visible_lists(db, sales)] == ["Private"]


def test_members_are_read_when_listed(db, staff):
    ann = make_contact(db, "ann@example.com")
    bob = make_contact(db, "bob@example.com")
    link = make_link(db, slug="poster")
    make_payment(db, ann, 100, link=link)
    contact_list = create_list(
        db,
        staff[StaffRole.SALES],
        name="Poster buyers",
        criteria=[Criterion(CriterionKind.PAID_THROUGH_LINK, link_id=link.id)],
        shared=False,
    )
    db.commit()

    def emails():
        definition = members_definition(contact_list, CONTEXT)
        parsed = parse_query(definition, {})
        return [
            row.record.email for row in iterate_rows(db, definition, parsed, CONTEXT)
        ]

    before = emails()
    make_payment(db, bob, 100, link=link)
    make_invoice(db, bob, 100)
    db.commit()

    assert before == ["ann@example.com"]
    assert emails() == ["ann@example.com", "bob@example.com"]
