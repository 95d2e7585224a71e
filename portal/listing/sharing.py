"""Visibility and permissions of saved views and contact lists.

Staff can open their own items and every shared one. Only the owner edits an
item. A private item is deleted by its owner only; a shared one also by an
owner or admin, who look after what everyone sees.
"""

from typing import Protocol

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import InstrumentedAttribute

from portal.models import Staff, StaffRole
from portal.models.views import MAX_VIEW_NAME
from portal.security import CONTROL_CHARACTERS

SHARED_ITEM_KEEPERS = frozenset({StaffRole.OWNER, StaffRole.ADMIN})


class Shareable(Protocol):
    owner_id: int
    shared: bool


class ShareableModel(Protocol):
    owner_id: InstrumentedAttribute[int]
    shared: InstrumentedAttribute[bool]


def visible_to(model: type[ShareableModel], staff: Staff) -> ColumnElement[bool]:
    return or_(model.owner_id == staff.id, model.shared.is_(True))


def may_edit(staff: Staff, item: Shareable) -> bool:
    return item.owner_id == staff.id


def may_delete(staff: Staff, item: Shareable) -> bool:
    if item.owner_id == staff.id:
        return True
    return item.shared and staff.role in SHARED_ITEM_KEEPERS


def check_name(name: str, noun: str) -> str:
    """Return the stripped name of a view or list; raise ``ValueError`` if unusable."""
    name = name.strip()
    if not name:
        raise ValueError(f"Enter a name for the {noun}.")
    if len(name) > MAX_VIEW_NAME:
        raise ValueError(f"A {noun} name has at most {MAX_VIEW_NAME} characters.")
    if CONTROL_CHARACTERS.search(name):
        raise ValueError(f"A {noun} name cannot contain line breaks or tabs.")
    return name
