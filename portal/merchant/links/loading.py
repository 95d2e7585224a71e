"""Loading a payment link for the back office; an unknown id is a 404."""

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.catalog.text import MAX_ID
from portal.database import get_session
from portal.models import PaymentLink, PaymentLinkItem, Price


def load_link(link_id: int) -> PaymentLink:
    if link_id > MAX_ID:
        abort(404)
    link = (
        get_session()
        .scalars(
            select(PaymentLink)
            .where(PaymentLink.id == link_id)
            .options(
                selectinload(PaymentLink.items)
                .selectinload(PaymentLinkItem.price)
                .selectinload(Price.product),
                selectinload(PaymentLink.fees),
                selectinload(PaymentLink.custom_fields),
            )
        )
        .first()
    )
    if link is None:
        abort(404)
    return link
