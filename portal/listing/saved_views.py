"""Saved views: an index page's filters and sort, named and stored for reopening."""

import logging
from urllib.parse import parse_qsl

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.listing.definition import IndexDefinition
from portal.listing.query import canonical_query, parse_query
from portal.listing.sharing import check_name, may_delete, visible_to
from portal.models import SavedView, Staff
from portal.models.views import MAX_VIEW_QUERY
from portal.security import CONTROL_CHARACTERS

logger = logging.getLogger(__name__)


class SavedViewError(ValueError):
    """A view that cannot be saved or deleted, with a message saying what to fix."""


def query_args(query: str) -> dict[str, list[str]]:
    """Return the values of a query string by parameter, in the order given."""
    args: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=False):
        args.setdefault(name, []).append(value)
    return args


def check_view_name(name: str) -> str:
    try:
        return check_name(name, "view")
    except ValueError as error:
        raise SavedViewError(str(error)) from None


def save_view(
    session: Session,
    owner: Staff,
    definition: IndexDefinition,
    *,
    name: str,
    query: str,
    shared: bool,
) -> SavedView:
    """Store the filters in ``query`` as a view named ``name``, or return the same one.

    Saving a view that already exists with the same filters and sharing
    returns it, so a repeated submit stores one view. A different view under
    the same name is rejected. The caller commits.
    """
    name = check_view_name(name)
    if len(query) > MAX_VIEW_QUERY or CONTROL_CHARACTERS.search(query):
        raise SavedViewError("These filters are too long to save; remove some.")
    parsed = parse_query(definition, query_args(query))
    if not parsed.valid:
        raise SavedViewError(next(iter(parsed.errors.values())))
    canonical = canonical_query(definition, parsed)

    existing = _own_view(session, owner, definition, name)
    if existing is None:
        view = SavedView(
            owner_id=owner.id,
            index_name=definition.name,
            name=name,
            query=canonical,
            shared=shared,
        )
        try:
            with session.begin_nested():
                session.add(view)
        except IntegrityError:
            # A second submit of the same form stored the view in between.
            existing = _own_view(session, owner, definition, name)
            if existing is None:
                raise
        else:
            logger.info("saved view %s stored for staff %s", view.id, owner.id)
            return view
    if existing.query == canonical and existing.shared == shared:
        return existing
    raise SavedViewError(
        f"You already have a view named {name!r}. Choose another name, or "
        "delete that view first."
    )


def _own_view(
    session: Session, owner: Staff, definition: IndexDefinition, name: str
) -> SavedView | None:
    return session.scalars(
        select(SavedView).where(
            SavedView.owner_id == owner.id,
            SavedView.index_name == definition.name,
            SavedView.name == name,
        )
    ).first()


def visible_views(
    session: Session, staff: Staff, definition: IndexDefinition
) -> list[SavedView]:
    """Return the staff member's own views of an index and the shared ones, by name."""
    return list(
        session.scalars(
            select(SavedView)
            .where(
                SavedView.index_name == definition.name,
                visible_to(SavedView, staff),
            )
            .order_by(SavedView.name, SavedView.id)
        )
    )


def visible_view(session: Session, staff: Staff, view_id: int) -> SavedView | None:
    """Return the view if it exists and the staff member may see it."""
    return session.scalars(
        select(SavedView).where(SavedView.id == view_id, visible_to(SavedView, staff))
    ).first()


def delete_view(session: Session, staff: Staff, view: SavedView) -> None:
    """Delete the view; raise ``SavedViewError`` when the staff member may not."""
    if not may_delete(staff, view):
        raise SavedViewError(
            "Only its owner, or an owner or admin for a shared view, can delete"
            " this view."
        )
    session.delete(view)
    logger.info("saved view %s deleted by staff %s", view.id, staff.id)
