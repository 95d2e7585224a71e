"""Creating, changing, reading and deleting contact lists, and their members."""

import dataclasses
import logging
from collections.abc import Sequence

from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.contact_lists.criteria import (
    FIELD_LINK_ID,
    CriteriaError,
    Criterion,
    CriterionKind,
    criteria_from_json,
)
from portal.listing.contacts import CONTACTS, contacts_statement
from portal.listing.context import ListingContext
from portal.listing.definition import IndexDefinition
from portal.listing.sharing import check_name, may_delete, may_edit, visible_to
from portal.models import ContactList, PaymentLink, Staff

logger = logging.getLogger(__name__)


class ContactListError(ValueError):
    """A list that cannot be saved or deleted, with a message saying what to fix."""


def create_list(
    session: Session,
    owner: Staff,
    *,
    name: str,
    criteria: Sequence[Criterion],
    shared: bool,
) -> ContactList:
    """Store a new list, or return the same one on a repeated submit.

    The caller commits. A different list under the same name is rejected.
    """
    name = _check_name(name)
    stored = _checked_json(session, criteria)
    existing = _own_list(session, owner, name)
    if existing is None:
        contact_list = ContactList(
            owner_id=owner.id, name=name, criteria=stored, shared=shared
        )
        try:
            with session.begin_nested():
                session.add(contact_list)
        except IntegrityError:
            existing = _own_list(session, owner, name)
            if existing is None:
                raise
        else:
            logger.info(
                "contact list %s created by staff %s", contact_list.id, owner.id
            )
            return contact_list
    if existing.criteria == stored and existing.shared == shared:
        return existing
    raise ContactListError(
        f"You already have a list named {name!r}. Choose another name."
    )


def update_list(
    session: Session,
    staff: Staff,
    contact_list: ContactList,
    *,
    name: str,
    criteria: Sequence[Criterion],
    shared: bool,
) -> None:
    """Change a list's name, criteria and sharing; only its owner may."""
    if not may_edit(staff, contact_list):
        raise ContactListError(
            "Only the staff member who made this list can change it."
        )
    name = _check_name(name)
    other = _own_list(session, staff, name)
    if other is not None and other.id != contact_list.id:
        raise ContactListError(
            f"You already have a list named {name!r}. Choose another name."
        )
    contact_list.name = name
    contact_list.criteria = _checked_json(session, criteria)
    contact_list.shared = shared
    logger.info("contact list %s changed by staff %s", contact_list.id, staff.id)


def delete_list(session: Session, staff: Staff, contact_list: ContactList) -> None:
    if not may_delete(staff, contact_list):
        raise ContactListError(
            "Only its owner, or an owner or admin for a shared list, can delete"
            " this list."
        )
    session.delete(contact_list)
    logger.info("contact list %s deleted by staff %s", contact_list.id, staff.id)


def visible_lists(session: Session, staff: Staff) -> list[ContactList]:
    return list(
        session.scalars(
            select(ContactList)
            .where(visible_to(ContactList, staff))
            .order_by(ContactList.name, ContactList.id)
        )
    )


def visible_list(session: Session, staff: Staff, list_id: int) -> ContactList | None:
    return session.scalars(
        select(ContactList).where(
            ContactList.id == list_id, visible_to(ContactList, staff)
        )
    ).first()


def members_definition(
    contact_list: ContactList, context: ListingContext
) -> IndexDefinition:
    """Return the contacts index narrowed to the list's members at the context's time.

    Raises ``CriteriaError`` when the stored criteria cannot be read.
    """
    criteria = criteria_from_json(contact_list.criteria)
    conditions = [criterion.condition(context) for criterion in criteria]

    def statement():
        return contacts_statement().where(and_(*conditions))

    return dataclasses.replace(CONTACTS, statement=statement, filters=())


def link_titles(session: Session, criteria: Sequence[Criterion]) -> dict[int, str]:
    """Return the titles of the payment links that ``criteria`` name, by id."""
    ids = [
        criterion.link_id
        for criterion in criteria
        if criterion.kind is CriterionKind.PAID_THROUGH_LINK
    ]
    if not ids:
        return {}
    rows = session.execute(
        select(PaymentLink.id, PaymentLink.title).where(PaymentLink.id.in_(ids))
    )
    return {link_id: title for link_id, title in rows}


def _check_name(name: str) -> str:
    try:
        return check_name(name, "list")
    except ValueError as error:
        raise ContactListError(str(error)) from None


def _checked_json(
    session: Session, criteria: Sequence[Criterion]
) -> list[dict[str, object]]:
    """Return the criteria as JSON after checking that the links they name exist."""
    titles = link_titles(session, criteria)
    for criterion in criteria:
        if (
            criterion.kind is CriterionKind.PAID_THROUGH_LINK
            and criterion.link_id not in titles
        ):
            raise CriteriaError(
                {FIELD_LINK_ID: f"Payment link #{criterion.link_id} does not exist."}
            )
    return [criterion.to_json() for criterion in criteria]


def _own_list(session: Session, owner: Staff, name: str) -> ContactList | None:
    return session.scalars(
        select(ContactList).where(
            ContactList.owner_id == owner.id, ContactList.name == name
        )
    ).first()
