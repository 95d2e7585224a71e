"""Events received from a payment processor's webhooks, one row per event id."""

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.database import Base, UTCDateTime
from portal.models.types import intpk, utc_created


class ProcessorEvent(Base):
    """A webhook event, kept so that a repeated delivery has no second effect.

    The row is written in the same transaction as the event's effects, so an
    event is either recorded and applied or neither.
    """

    __tablename__ = "processor_events"
    __table_args__ = (UniqueConstraint("processor", "event_id"),)

    id: Mapped[intpk]
    processor: Mapped[str] = mapped_column(String(20))  # "stripe"
    event_id: Mapped[str] = mapped_column(String(255))  # evt_...
    event_type: Mapped[str] = mapped_column(String(100))  # payment_intent.succeeded
    # The id of the object the event is about, such as pi_... or po_...
    object_id: Mapped[str | None] = mapped_column(String(255), index=True)
    # When the processor created the event; orders events about one object.
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[utc_created]
    # What the event did: "applied", "stale", "unknown_object" or "ignored".
    outcome: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
