"""Signing a quote: its buyers on the hosted page, then its countersigners.

Buyers sign in their order, each through their own link, and only after the
page showed them the whole quote and its terms. Countersigners are staff and
sign in the back office once every buyer has signed. The last signature
accepts the quote (see ``portal.quotes.acceptance``).

Each action locks the quote row, checks the state again and commits, so that
a double submit or two signers at once end in one change. Nothing here reads
the request: views pass in the typed name, the client's address and its user
agent.
"""

import base64
import binascii
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from portal.businesses import get_business
from portal.database import now_utc
from portal.locking import lock_row
from portal.models import (
    Quote,
    QuoteSigner,
    QuoteStatus,
    SignerRole,
)
from portal.quotes.consent import CONSENT_VERSION, COUNTERSIGN_CONSENT_VERSION
from portal.quotes.content import content_digest
from portal.quotes.evidence import append_event
from portal.quotes.expiry import is_expired
from portal.quotes.names import names_match
from portal.security import CONTROL_CHARACTERS

logger = logging.getLogger(__name__)

MAX_NAME = 200  # characters of a typed name, as QuoteSigner.typed_name stores
MAX_REASON = 2000  # characters of a reason to decline
MAX_USER_AGENT = 500
# A drawn signature is a PNG of a few kilobytes, so this limit only stops forged ones.
MAX_DRAWING = 300_000  # characters of the data: URL
PNG_DATA_URL = "data:image/png;base64,"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
WHITESPACE = re.compile(r"\s+")


class SigningError(Exception):
    """A signature or decline that cannot be taken; ``message`` is for the signer.

    ``field`` names the form field to fix, or None when the quote's state
    is the reason, which ``status_code`` 409 then reports.
    """

    def __init__(
        self, message: str, field: str | None = None, status_code: int = 409
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status_code = status_code


@dataclass(frozen=True, slots=True)
class SignatureInput:
    """A signer's submitted signature and the client it came from."""

    typed_name: str
    consented: bool
    client_address: str | None
    user_agent: str | None
    drawn_signature: str | None = None  # data: URL of a PNG, or None


@dataclass
class SignOutcome:
    """The result of a signature: who signs next, and whether it accepted the quote."""

    signer: QuoteSigner
    # False when the signer had already signed, as after a double submit.
    newly_signed: bool = True
    accepted: bool = False
    next_signers: list[QuoteSigner] = field(default_factory=list)


def signer_actor(signer: QuoteSigner) -> str:
    """Return the actor of a signer's events, such as "signer:5"."""
    return f"signer:{signer.id}"


def find_buyer(session: Session, quote: Quote, signer_token: str) -> QuoteSigner | None:
    """Return the quote's buyer whose link carries ``signer_token``, or None."""
    return session.scalars(
        select(QuoteSigner).where(
            QuoteSigner.quote_id == quote.id,
            QuoteSigner.token == signer_token,
            QuoteSigner.role == SignerRole.BUYER,
        )
    ).first()


def next_to_sign(quote: Quote) -> QuoteSigner | None:
    """Return the first signer who has not signed yet, buyers before countersigners.

    Returns None when everyone has signed or a buyer declined.
    """
    if any(signer.declined_at is not None for signer in quote.signers):
        return None
    for role in (SignerRole.BUYER, SignerRole.COUNTERSIGNER):
        for signer in quote.signers:
            if signer.role is role and signer.signed_at is None:
                return signer
    return None


def closed_reason(quote: Quote, now: datetime, timezone: str) -> str | None:
    """Return why the quote can no longer be signed or paid, or None while it is open.

    The message is buyer-facing and translated.
    """
    if quote.status is QuoteStatus.VOID:
        return _(
            "This version of the quote has been withdrawn or replaced by a newer "
            "one, so it can no longer be signed or paid. Contact %(business)s for "
            "the current quote.",
            business=_business_name(quote),
        )
    if quote.status is QuoteStatus.DECLINED and quote.decline_reason:
        return _(
            "This quote was declined, so it can no longer be signed or paid. "
            "Reason: %(reason)s",
            reason=quote.decline_reason,
        )
    if quote.status is QuoteStatus.DECLINED:
        return _("This quote was declined and can no longer be signed or paid.")
    if quote.status in (QuoteStatus.DRAFT, QuoteStatus.PENDING_APPROVAL):
        return _("This quote has not been published yet.")
    if quote.status is QuoteStatus.EXPIRED or is_expired(quote, now, timezone):
        return _(
            "This quote expired at the end of its expiration date, so it can no "
            "longer be signed or paid. Contact %(business)s for a new quote.",
            business=_business_name(quote),
        )
    return None


def signing_refusal(
    quote: Quote, signer: QuoteSigner, now: datetime, timezone: str
) -> str | None:
    """Return why ``signer`` cannot sign or decline now, or None when they can."""
    reason = closed_reason(quote, now, timezone)
    if reason is not None:
        return reason
    if signer.signed_at is not None:
        return _("You have signed this quote. There is nothing more to sign.")
    if quote.status in (QuoteStatus.ACCEPTED, QuoteStatus.PAID):
        return _("This quote has been accepted. There is nothing more to sign.")
    turn = next_to_sign(quote)
    if turn is not None and turn.id != signer.id:
        return _(
            "%(name)s signs before you. You will receive an email when it is your "
            "turn.",
            name=turn.name,
        )
    return None


def record_view(
    session: Session, quote: Quote, *, actor: str, client_address: str | None
) -> None:
    """Move a published quote to viewed the first time its page opens, and commit."""
    if quote.status is not QuoteStatus.PUBLISHED:
        return
    lock_row(session, Quote, quote.id)
    session.refresh(quote)
    if quote.status is not QuoteStatus.PUBLISHED:
        session.commit()
        return
    quote.status = QuoteStatus.VIEWED
    quote.viewed_at = now_utc()
    append_event(session, quote, "viewed", actor, client_address=client_address)
    session.commit()
    logger.info("quote %s viewed", quote.id)


def show_terms(
    session: Session, signer: QuoteSigner, *, client_address: str | None
) -> None:
    """Record that the signer's page showed them the whole quote, and commit.

    Only the first showing is kept, since that is when the signer could first
    sign. A quote that cannot be signed any more records nothing.
    """
    if signer.terms_shown_at is not None or signer.signed_at is not None:
        return
    quote = signer.quote
    lock_row(session, Quote, quote.id)
    session.refresh(signer)
    if signer.terms_shown_at is not None:
        session.commit()
        return
    signer.terms_shown_at = now_utc()
    append_event(
        session,
        quote,
        "terms_shown",
        signer_actor(signer),
        client_address=client_address,
        details={"signer": signer.id, "digest": quote.content_digest},
    )
    session.commit()


def sign(
    session: Session, signer: QuoteSigner, signature: SignatureInput
) -> SignOutcome:
    """Take a buyer's signature, commit, and accept the quote when it was the last.

    Raises ``SigningError`` for a blank name, a name other than the signer's
    (ignoring case, accents and repeated spaces), a missing consent, an
    unreadable drawing, or a quote that cannot be signed now. Signing again after a
    double submit returns the first signature with ``newly_signed`` False.
    """
    if signer.role is not SignerRole.BUYER:
        raise ValueError("countersigners sign with countersign()")
    typed_name = read_typed_name(signature.typed_name)
    drawing = read_drawing(signature.drawn_signature)
    if not signature.consented:
        raise SigningError(
            _("Agree to sign electronically to sign the quote."),
            "consent",
            status_code=422,
        )

    quote = _lock_quote(session, signer)
    if signer.signed_at is not None:
        session.commit()
        return SignOutcome(signer, newly_signed=False)
    if signer.terms_shown_at is None:
        session.rollback()
        raise SigningError(
            _("Open the quote through your link and read it before you sign.")
        )
    _check_can_sign(session, quote, signer)
    if not names_match(typed_name, signer.name):
        session.rollback()
        raise SigningError(
            _(
                "The name you typed does not match the signer's name on the quote. "
                "Type it as shown: %(name)s.",
                name=signer.name,
            ),
            "typed_name",
            status_code=422,
        )

    _store_signature(signer, quote, typed_name, drawing, signature)
    signer.consent_version = quote.consent_version or CONSENT_VERSION
    return _after_signature(session, quote, signer, signature.client_address)


def countersign(
    session: Session,
    signer: QuoteSigner,
    *,
    staff_id: int,
    typed_name: str,
    client_address: str | None,
    user_agent: str | None,
) -> SignOutcome:
    """Take a countersignature from the staff member it names, and commit.

    Raises ``SigningError`` (in English, for the back office) when the staff
    member is not this countersigner, the buyers have not all signed, or the
    quote cannot be signed now.
    """
    if signer.role is not SignerRole.COUNTERSIGNER:
        raise ValueError("buyers sign with sign()")
    if signer.staff_id != staff_id:
        raise SigningError(
            f"Only {signer.name} can add this countersignature.", status_code=403
        )
    name = read_typed_name(typed_name)
    quote = _lock_quote(session, signer)
    if signer.signed_at is not None:
        session.commit()
        return SignOutcome(signer, newly_signed=False)
    _check_can_sign(session, quote, signer)

    signature = SignatureInput(
        typed_name=name,
        consented=True,
        client_address=client_address,
        user_agent=user_agent,
    )
    _store_signature(signer, quote, name, None, signature)
    signer.consent_version = COUNTERSIGN_CONSENT_VERSION
    return _after_signature(session, quote, signer, client_address)


def decline(
    session: Session,
    signer: QuoteSigner,
    reason: str,
    *,
    client_address: str | None,
    user_agent: str | None,
) -> bool:
    """Decline the quote for a buyer, with their reason, and commit.

    Returns False when this signer had already declined it. Raises
    ``SigningError`` for a blank reason or a quote that cannot be signed now.
    """
    text = (reason or "").strip()
    if not text:
        raise SigningError(
            _("Enter the reason you decline the quote."),
            "reason",
            status_code=422,
        )
    if len(text) > MAX_REASON:
        raise SigningError(
            _("Shorten the reason to at most %(count)d characters.", count=MAX_REASON),
            "reason",
            status_code=422,
        )
    quote = _lock_quote(session, signer)
    if signer.declined_at is not None:
        session.commit()
        return False
    _check_can_sign(session, quote, signer)

    now = now_utc()
    signer.declined_at = now
    signer.client_address = client_address
    signer.user_agent = (user_agent or "")[:MAX_USER_AGENT] or None
    quote.status = QuoteStatus.DECLINED
    quote.declined_at = now
    quote.decline_reason = text
    append_event(
        session,
        quote,
        "declined",
        signer_actor(signer),
        client_address=client_address,
        details={"signer": signer.id, "reason": text},
    )
    session.commit()
    logger.info("quote %s declined by signer %s", quote.id, signer.id)
    _notify_declined(quote, signer)
    return True


def read_typed_name(raw: str | None) -> str:
    """Return the typed name with its spaces collapsed, or raise ``SigningError``."""
    name = WHITESPACE.sub(" ", raw or "").strip()
    if not name:
        raise SigningError(
            _("Type your full name to sign."), "typed_name", status_code=422
        )
    if CONTROL_CHARACTERS.search(name):
        raise SigningError(
            _("Remove the special characters from your name."),
            "typed_name",
            status_code=422,
        )
    if len(name) > MAX_NAME:
        raise SigningError(
            _("Shorten your name to at most %(count)d characters.", count=MAX_NAME),
            "typed_name",
            status_code=422,
        )
    return name


def read_drawing(raw: str | None) -> str | None:
    """Return a drawn signature as a PNG data: URL, None without one.

    Raises ``SigningError`` when the value is not a base64 PNG of reasonable
    size, which only a changed form sends.
    """
    value = (raw or "").strip()
    if not value:
        return None
    unreadable = SigningError(
        _(
            "Your drawn signature could not be read. Clear it and draw it again, or "
            "sign with your typed name alone."
        ),
        "drawn_signature",
        status_code=422,
    )
    if len(value) > MAX_DRAWING or not value.startswith(PNG_DATA_URL):
        raise unreadable
    try:
        image = base64.b64decode(value[len(PNG_DATA_URL) :], validate=True)
    except (binascii.Error, ValueError):
        raise unreadable from None
    if not image.startswith(PNG_SIGNATURE):
        raise unreadable
    return value


def _lock_quote(session: Session, signer: QuoteSigner) -> Quote:
    """Lock the signer's quote and read it and its signers again."""
    quote = signer.quote
    lock_row(session, Quote, quote.id)
    session.refresh(quote)
    for each in quote.signers:
        session.refresh(each)
    return quote


def _check_can_sign(session: Session, quote: Quote, signer: QuoteSigner) -> None:
    """Raise ``SigningError`` unless ``signer`` may sign now; roll back if not."""
    business = get_business(session)
    reason = signing_refusal(quote, signer, now_utc(), business.timezone)
    if (
        reason is None
        and signer.role is SignerRole.COUNTERSIGNER
        and quote.status is not QuoteStatus.SIGNED
    ):
        reason = "The buyers have not all signed yet."
    if reason is None and quote.content_digest is None:
        reason = _("This quote has not been published yet.")
    if reason is None and content_digest(quote) != quote.content_digest:
        # The stored content no longer matches what was published, so a
        # signature would not cover what the signer was shown.
        logger.error("quote %s content does not match its digest", quote.id)
        reason = _(
            "This quote cannot be signed right now. Contact %(business)s.",
            business=business.name,
        )
    if reason is not None:
        session.rollback()
        if signer.role is SignerRole.COUNTERSIGNER:
            reason = _back_office_reason(quote, reason)
        raise SigningError(reason)


def _back_office_reason(quote: Quote, reason: str) -> str:
    """Return an English refusal for the back office, which is not translated."""
    if quote.status is QuoteStatus.VOID:
        return "This version of the quote is void and can no longer be signed."
    if quote.status is QuoteStatus.DECLINED:
        return "A buyer declined this quote, so it can no longer be signed."
    if quote.status in (QuoteStatus.ACCEPTED, QuoteStatus.PAID):
        return "This quote is already accepted."
    if quote.status is QuoteStatus.EXPIRED or "expired" in reason:
        return "This quote has expired. Extend it before you countersign."
    return reason


def _store_signature(
    signer: QuoteSigner,
    quote: Quote,
    typed_name: str,
    drawing: str | None,
    signature: SignatureInput,
) -> None:
    signer.signed_at = now_utc()
    signer.typed_name = typed_name
    signer.drawn_signature = drawing
    signer.signed_digest = quote.content_digest
    signer.client_address = signature.client_address
    signer.user_agent = (signature.user_agent or "")[:MAX_USER_AGENT] or None


def _after_signature(
    session: Session,
    quote: Quote,
    signer: QuoteSigner,
    client_address: str | None,
) -> SignOutcome:
    """Log the signature, move the quote on, commit and email who signs next."""
    from portal.quotes.acceptance import accept_quote  # it renders the signed PDF

    outcome = SignOutcome(signer)
    upcoming = next_to_sign(quote)
    if upcoming is not None and upcoming.role is SignerRole.COUNTERSIGNER:
        quote.status = QuoteStatus.SIGNED
    append_event(
        session,
        quote,
        "countersigned" if signer.role is SignerRole.COUNTERSIGNER else "signed",
        signer_actor(signer),
        client_address=client_address,
        details={
            "signer": signer.id,
            "typed_name": signer.typed_name,
            "digest": signer.signed_digest,
            "consent_version": signer.consent_version,
            "drawn": signer.drawn_signature is not None,
            "user_agent": signer.user_agent,
        },
    )
    if upcoming is None:
        accept_quote(session, quote, client_address=client_address)
        outcome.accepted = True
    else:
        outcome.next_signers = [upcoming]
    session.commit()
    logger.info("quote %s signed by signer %s", quote.id, signer.id)
    _notify(quote, outcome)
    return outcome


def _notify(quote: Quote, outcome: SignOutcome) -> None:
    """Email who signs next, or everyone once the quote is accepted.

    A failure to send is logged and never undoes the signature.
    """
    from portal.notifications.quotes import send_after_signature

    try:
        send_after_signature(quote, outcome.next_signers, accepted=outcome.accepted)
    except Exception:
        logger.exception("emails after a signature of quote %s failed", quote.id)


def _notify_declined(quote: Quote, signer: QuoteSigner) -> None:
    """Email staff that the quote was declined; a failure never undoes it."""
    from portal.notifications.quote_declined import send_quote_declined

    try:
        send_quote_declined(quote, signer)
    except Exception:
        logger.exception("emails after quote %s was declined failed", quote.id)


def _business_name(quote: Quote) -> str:
    session = object_session(quote)
    business = get_business(session) if session is not None else None
    return business.name if business is not None else ""
