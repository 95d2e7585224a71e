"""Sending a payment's receipt email again, on behalf of a staff member."""

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.businesses import get_business
from portal.documents.facts import bill_to
from portal.locking import lock_row
from portal.models import AuditEvent, Payment, PaymentStatus
from portal.notifications.addresses import normalized_buyer_email
from portal.notifications.mailer import send_message
from portal.notifications.payments import build_buyer_message
from portal.payments.errors import PaymentActionError, PaymentNotFound
from portal.payments.refunds import IDEMPOTENCY_KEY
from portal.urls import public_url

logger = logging.getLogger(__name__)

RESENT = "receipt.resent"
RESEND_FAILED = "receipt.resend_failed"


class ResendFailed(PaymentActionError):
    """The receipt email could not be handed to the mail server."""

    status_code = 502


def resend_receipt(
    session: Session,
    payment_id: int,
    *,
    to: str | None,
    idempotency_key: str,
    actor: str,
    client_address: str | None,
) -> str:
    """Email the buyer's receipt of a succeeded payment again and return the address.

    ``to`` sends it to another address instead of the buyer's. A repeated
    submit with the same idempotency key sends nothing more. Every send writes
    an audit row naming the actor; a send that fails adds a second row and
    raises ``ResendFailed``. Commits the session.
    """
    if not IDEMPOTENCY_KEY.fullmatch(idempotency_key or ""):
        raise PaymentActionError(
            "The resend form is missing its key. Reload the page and submit again."
        )
    address = _recipient(to)
    if not lock_row(session, Payment, payment_id):
        session.rollback()
        raise PaymentNotFound(f"Payment {payment_id} not found.")
    payment = session.get(Payment, payment_id, populate_existing=True)
    if payment.status is not PaymentStatus.SUCCEEDED:
        session.rollback()
        raise PaymentActionError(
            f"Payment {payment.id} is {payment.status.value}, and only succeeded "
            "payments have a receipt to send."
        )
    address = address or bill_to(payment.order).email
    previous = _previous_send(session, payment.id, idempotency_key)
    if previous is not None:
        session.commit()
        return previous.details.get("to", address)

    audit.record(
        session,
        subject_type="payment",
        subject_id=payment.id,
        action=RESENT,
        actor=actor,
        client_address=client_address,
        details={"to": address, "key": idempotency_key},
    )
    session.commit()
    _send(session, payment, address, actor, client_address)
    return address


def _recipient(to: str | None) -> str | None:
    """Return a normalised address typed by staff, or None to use the buyer's."""
    to = (to or "").strip()
    if not to:
        return None
    try:
        return normalized_buyer_email(to)
    except ValueError as error:
        raise PaymentActionError(
            f"{to!r} is not a valid email address: {error} "
            "Correct it, or leave the field empty to send to the buyer.",
            field="to",
        ) from error


def _previous_send(session: Session, payment_id: int, key: str) -> AuditEvent | None:
    """Return the audit row of an earlier send made with this key, if any."""
    rows = session.scalars(
        select(AuditEvent).where(
            AuditEvent.subject_type == "payment",
            AuditEvent.subject_id == payment_id,
            AuditEvent.action == RESENT,
        )
    )
    return next((row for row in rows if row.details.get("key") == key), None)


def _send(
    session: Session,
    payment: Payment,
    address: str,
    actor: str,
    client_address: str | None,
) -> None:
    business = get_business(session)
    receipt_url = public_url(f"/receipts/{payment.token}?lang={payment.locale}")
    message = build_buyer_message(
        payment, business, receipt_url, payment.locale, to=address
    )
    try:
        send_message(message)
    except Exception as error:
        logger.exception("resending the receipt of payment %s failed", payment.id)
        audit.record(
            session,
            subject_type="payment",
            subject_id=payment.id,
            action=RESEND_FAILED,
            actor=actor,
            client_address=client_address,
            details={"to": address},
        )
        session.commit()
        raise ResendFailed(
            f"Sending the receipt to {address} failed. Check the mail settings "
            "and try again."
        ) from error
    logger.info("receipt of payment %s sent again", payment.id)
