"""Saved views: storing canonical filters, repeats, names, visibility, deletion."""

import pytest

from portal.listing.invoices import INVOICES
from portal.listing.payments import PAYMENTS
from portal.listing.saved_views import (
    SavedViewError,
    delete_view,
    save_view,
    visible_view,
    visible_views,
)
from portal.models import SavedView, StaffRole
from tests.fixtures.staff import make_staff


@pytest.fixture
def staff(db):
    members = {role: make_staff(db, role=role) for role in StaffRole}
    db.commit()
    return members


def test_view_stores_canonical_query(db, staff):
    view = save_view(
        db,
        staff[StaffRole.SALES],
        INVOICES,
        name="  Unpaid invoices ",
        query="status=overdue&status=open&after=abc&sort=-created&view=3",
        shared=False,
    )
    db.commit()

    assert view.name == "Unpaid invoices"
    assert view.query == "status=open&status=overdue"
    assert view.index_name == "invoices"
    assert view.shared is False


def test_repeated_save_returns_same_view(db, staff):
    owner = staff[StaffRole.SALES]
    first = save_view(
        db, owner, INVOICES, name="Unpaid", query="status=open", shared=True
    )
    db.commit()
    second = save_view(
        db, owner, INVOICES, name="Unpaid", query="status=open", shared=True
    )
    db.commit()

    assert second.id == first.id
    assert db.query(SavedView).count() == 1


def test_same_name_with_other_filters_is_rejected(db, staff):
    owner = staff[StaffRole.SALES]
    save_view(db, owner, INVOICES, name="Unpaid", query="status=open", shared=False)
    db.commit()

    with pytest.raises(SavedViewError) as raised:
        save_view(db, owner, INVOICES, name="Unpaid", query="status=paid", shared=False)
    assert str(raised.value) == (
        "You already have a view named 'Unpaid'. Choose another name, or delete"
        " that view first."
    )


def test_same_name_elsewhere_is_allowed(db, staff):
    save_view(db, staff[StaffRole.SALES], INVOICES, name="Mine", query="", shared=False)
    save_view(db, staff[StaffRole.SALES], PAYMENTS, name="Mine", query="", shared=False)
    save_view(db, staff[StaffRole.ADMIN], INVOICES, name="Mine", query="", shared=False)
    db.commit()

    assert db.query(SavedView).count() == 3


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "Enter a name for the view."),
        ("x" * 101, "A view name has at most 100 characters."),
        ("two\nlines", "A view name cannot contain line breaks or tabs."),
    ],
)
def test_bad_names_are_rejected(db, staff, name, message):
    with pytest.raises(SavedViewError) as raised:
        save_view(
            db, staff[StaffRole.SALES], INVOICES, name=name, query="", shared=False
        )
    assert str(raised.value) == message


def test_bad_filters_are_not_saved(db, staff):
    with pytest.raises(SavedViewError) as raised:
        save_view(
            db,
            staff[StaffRole.SALES],
            PAYMENTS,
            name="Odd",
            query="currency=EUR&amount_from=-3",
            shared=False,
        )
    assert str(raised.value) == "Amount from must not be negative."


def test_private_views_only_for_their_owner(db, staff):
    sales, viewer = staff[StaffRole.SALES], staff[StaffRole.VIEWER]
    private = save_view(db, sales, INVOICES, name="Mine", query="", shared=False)
    shared = save_view(db, sales, INVOICES, name="Ours", query="", shared=True)
    own = save_view(db, viewer, INVOICES, name="Viewer's", query="", shared=False)
    db.commit()

    assert [view.id for view in visible_views(db, sales, INVOICES)] == [
        private.id,
        shared.id,
    ]
    assert [view.id for view in visible_views(db, viewer, INVOICES)] == [
        shared.id,
        own.id,
    ]
    assert visible_views(db, viewer, PAYMENTS) == []
    assert visible_view(db, viewer, private.id) is None
    assert visible_view(db, viewer, shared.id).id == shared.id


def test_owner_deletes_own_views(db, staff):
    viewer = staff[StaffRole.VIEWER]
    view = save_view(db, viewer, INVOICES, name="Mine", query="", shared=True)
    db.commit()

    delete_view(db, viewer, view)
    db.commit()

    assert db.query(SavedView).count() == 0


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (StaffRole.OWNER, True),
        (StaffRole.ADMIN, True),
        (StaffRole.SALES, False),
        (StaffRole.VIEWER, False),
    ],
)
def test_shared_view_deletion_by_role(db, staff, role, allowed):
    author = make_staff(db, role=StaffRole.SALES)
    view = save_view(db, author, INVOICES, name="Ours", query="", shared=True)
    db.commit()

    if allowed:
        delete_view(db, staff[role], view)
        db.commit()
        assert db.query(SavedView).count() == 0
    else:
        with pytest.raises(SavedViewError):
            delete_view(db, staff[role], view)
        assert db.query(SavedView).count() == 1
