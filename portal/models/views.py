"""Saved views of the back office's index pages, and contact lists.

Both belong to the staff member who made them and may be shared with every
other staff member.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import Base, UTCDateTime, now_utc
from portal.models.catalog import enum_column
from portal.models.payments import Invoice, Payment
from portal.models.staff import Staff
from portal.models.types import intpk, utc_created

MAX_VIEW_NAME = 100
MAX_VIEW_QUERY = 2000


class IndexName(StrEnum):
    """The back office's index pages that a view can be saved for."""

    PAYMENTS = "payments"
    INVOICES = "invoices"
    PAYMENT_LINKS = "payment_links"
    CONTACTS = "contacts"
    SUBSCRIPTIONS = "subscriptions"
    QUOTES = "quotes"


class SavedView(Base):
    """A named set of filters and a sort order for one index page."""

    __tablename__ = "saved_views"
    __table_args__ = (
        UniqueConstraint("owner_id", "index_name", "name"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[intpk]
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    index_name: Mapped[IndexName] = mapped_column(enum_column(IndexName))
    name: Mapped[str] = mapped_column(String(MAX_VIEW_NAME))
    # The index page's query string in its canonical form, without a page
    # cursor, such as "status=open&status=overdue&sort=-created".
    query: Mapped[str] = mapped_column(String(MAX_VIEW_QUERY))
    # True when the view is visible to every staff member, not only its owner.
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[utc_created]

    owner: Mapped[Staff] = relationship()


class ContactList(Base):
    """Saved criteria over contacts. Members are found anew each time it is read."""

    __tablename__ = "contact_lists"
    __table_args__ = (
        UniqueConstraint("owner_id", "name"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    id: Mapped[intpk]
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    name: Mapped[str] = mapped_column(String(MAX_VIEW_NAME))
    # Criteria that every member meets, such as [{"kind": "paid_within_days",
    # "days": 30}]. portal.contact_lists.criteria reads and writes them.
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[utc_created]
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=now_utc, onupdate=now_utc
    )

    owner: Mapped[Staff] = relationship()


# The index pages list the newest rows first and page by (created_at, id), so
# these indexes let a page be read without sorting the whole table.
Index("ix_payments_created_at_id", Payment.created_at, Payment.id)
Index("ix_invoices_created_at_id", Invoice.created_at, Invoice.id)
