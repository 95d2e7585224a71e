"""A payment link's revision: a digest of everything its editor can change.

The editor form carries the revision it was opened at. A save compares it
with the link's current revision while it holds the link's row lock. So a
save from a form opened before another save is rejected, rather than
silently undoing the other save.
"""

import hashlib
import json

from sqlalchemy import update
from sqlalchemy.orm import Session

from portal.links.saving import SIMPLE_FIELDS
from portal.models import PaymentLink

CONFLICT_MESSAGE = (
    "This payment link was saved from another tab or by someone else after you "
    "opened this form, so your changes were not saved. Reload the page to see "
    "the saved link, then make your changes again."
)


def link_revision(link: PaymentLink) -> str:
    """Return a hex digest of the link's editable values, items, fees and fields."""
    state = {
        "slug": link.slug,
        **{name: getattr(link, name) for name in SIMPLE_FIELDS},
        "items": [
            [
                item.price_id,
                item.quantity,
                item.adjustable_quantity,
                item.min_quantity,
                item.max_quantity,
                item.tax_rate_id,
                item.discount_id,
            ]
            for item in link.items
        ],
        "fees": [fee.id for fee in link.fees],
        "custom_fields": [
            [field.label, field.kind, field.required, list(field.options)]
            for field in link.custom_fields
        ],
    }
    text = json.dumps(state, default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def lock_link(session: Session, link_id: int) -> None:
    """Hold the link's row until the caller's commit or rollback.

    The no-op UPDATE takes the row lock on PostgreSQL and the database's
    write lock on SQLite, so a concurrent save waits and then reads this
    save's result.
    """
    session.execute(
        update(PaymentLink)
        .where(PaymentLink.id == link_id)
        .values(slug=PaymentLink.slug),
        execution_options={"synchronize_session": False},
    )
