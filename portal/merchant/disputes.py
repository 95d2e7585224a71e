"""Disputes of a payment, for the payment's page in the back office."""

from sqlalchemy import select

from portal.database import get_session
from portal.merchant import blueprint
from portal.models import Dispute, Payment


def payment_disputes(payment: Payment) -> list[Dispute]:
    """Return the disputes of ``payment``, newest first."""
    return list(
        get_session().scalars(
            select(Dispute)
            .where(Dispute.payment_id == payment.id)
            .order_by(Dispute.opened_at.desc(), Dispute.id.desc())
        )
    )


@blueprint.context_processor
def template_context() -> dict[str, object]:
    return {"payment_disputes": payment_disputes}
