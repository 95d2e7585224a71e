"""Countersigning a quote in the back office, once every buyer has signed.

The quote detail page includes ``merchant/quotes/partials/countersign.html``,
which reads ``countersign_panel(quote)`` for the signed-in staff member. Only
the staff member named as a countersigner can sign, in their turn.
"""

import logging
from dataclasses import dataclass

from flask import abort, flash, redirect, request
from sqlalchemy import select

from portal.businesses import get_business
from portal.database import get_session
from portal.extensions import client_address
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.context import current_staff
from portal.merchant.permissions import Permission
from portal.merchant.quote_detail import render_detail
from portal.models import Quote, QuoteSigner, QuoteStatus, SignerRole
from portal.quotes.consent import COUNTERSIGN_CONSENT_VERSION, consent_text
from portal.quotes.signing import SigningError, countersign, next_to_sign

logger = logging.getLogger(__name__)

CONSENT_MISSING = "Agree to sign electronically to countersign the quote."
# The countersign form's names for the fields that SigningError names.
FORM_FIELDS = {"typed_name": "countersign_name", "consent": "countersign_consent"}


@dataclass(frozen=True, slots=True)
class CountersignPanel:
    """The countersignatures that the quote detail page shows a staff member."""

    countersigners: list[QuoteSigner]
    own: QuoteSigner | None  # the signed-in staff member's countersignature
    can_sign: bool  # the buyers have signed and it is this staff member's turn
    waiting_for: str | None  # who signs before this staff member, by name
    consent_text: str


@blueprint.app_template_global("countersign_panel")
def countersign_panel(quote: Quote) -> CountersignPanel:
    staff = current_staff()
    countersigners = quote.countersigners
    own = next((s for s in countersigners if s.staff_id == staff.id), None)
    turn = next_to_sign(quote)
    can_sign = (
        own is not None
        and own.signed_at is None
        and quote.status is QuoteStatus.SIGNED
        and turn is not None
        and turn.id == own.id
    )
    waiting_for = None
    if own is not None and own.signed_at is None and not can_sign and turn is not None:
        waiting_for = turn.name
    business = get_business(get_session())
    return CountersignPanel(
        countersigners=countersigners,
        own=own,
        can_sign=can_sign,
        waiting_for=waiting_for,
        consent_text=consent_text("en", business.name, COUNTERSIGN_CONSENT_VERSION),
    )


@blueprint.post("/quotes/<int:quote_id>/countersign")
@requires(Permission.VIEW)
def countersign_quote(quote_id: int):
    session = get_session()
    quote = session.get(Quote, quote_id)
    if quote is None:
        abort(404)
    staff = current_staff()
    signer = session.scalars(
        select(QuoteSigner).where(
            QuoteSigner.quote_id == quote.id,
            QuoteSigner.role == SignerRole.COUNTERSIGNER,
            QuoteSigner.staff_id == staff.id,
        )
    ).first()
    if signer is None:
        abort(403)
    detail = f"{request.script_root}/merchant/quotes/{quote.id}"
    typed_name = request.form.get("typed_name", "")
    consented = request.form.get("consent") == "yes"
    values = {"countersign_name": typed_name.strip()}
    if consented:
        values["countersign_consent"] = "yes"

    if not consented:
        errors = {"countersign_consent": CONSENT_MISSING}
        return render_detail(quote, errors=errors, values=values, status=422)
    try:
        outcome = countersign(
            session,
            signer,
            staff_id=staff.id,
            typed_name=typed_name,
            client_address=client_address(),
            user_agent=request.headers.get("User-Agent"),
        )
    except SigningError as error:
        return _countersign_failed(quote, error, values)
    if outcome.accepted:
        flash(f"Quote {quote.display_number} is countersigned and accepted.", "success")
    elif outcome.newly_signed:
        flash(f"You countersigned quote {quote.display_number}.", "success")
    return redirect(detail, 303)


def _countersign_failed(quote: Quote, error: SigningError, values: dict[str, str]):
    """Show the detail page again with the error next to its field, or at the top."""
    get_session().refresh(quote)
    field = FORM_FIELDS.get(error.field or "")
    if field is None:
        return render_detail(
            quote, error=error.message, values=values, status=error.status_code
        )
    errors = {field: error.message}
    return render_detail(quote, errors=errors, values=values, status=error.status_code)
