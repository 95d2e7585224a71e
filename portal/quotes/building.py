"""Creating and editing draft quotes from what staff entered.

Nothing here reads a request: the staff form turns its fields into a
``QuoteDraft`` and this module checks it against the database, prices it and
stores it. Every check runs before anything is written, so a rejected draft
saves nothing, not even a new contact.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.business_settings import InvalidSetting, check_brand_color, check_logo_url
from portal.businesses import get_business
from portal.contacts import ContactDetails, upsert_contact
from portal.database import now_utc
from portal.invoices.drafts import FeeDraft, LineDraft
from portal.invoices.status import local_today
from portal.locking import lock_row
from portal.models import (
    Business,
    Contact,
    InstalmentDue,
    Order,
    Quote,
    QuoteInstalment,
    QuoteSigner,
    QuoteStatus,
    SignerRole,
    Staff,
    StaffRole,
)
from portal.quotes.canonical import canonical_json
from portal.quotes.content import canonical_content
from portal.quotes.errors import QuoteChanged, QuoteError, QuoteStateError
from portal.quotes.evidence import append_event
from portal.quotes.lines import PricedLines, RecurringDraft, fill_order, price_lines
from portal.quotes.schedule import (
    HUNDRED,
    InstalmentInput,
    ScheduleError,
    split_total,
)

logger = logging.getLogger(__name__)

MAX_TITLE = 200
MAX_TERMS = 20_000  # characters
MAX_COVER_TEXT = 5_000
MAX_SIGNERS = 10
MAX_VALID_DAYS = 730  # how far ahead an expiration date may be
EDITABLE_STATUSES = frozenset({QuoteStatus.DRAFT, QuoteStatus.PENDING_APPROVAL})


@dataclass(frozen=True, slots=True)
class SignerDraft:
    """A buyer (name and email) or a countersigner (a staff member's id)."""

    role: SignerRole
    name: str = ""
    email: str = ""
    staff_id: int | None = None


@dataclass(frozen=True, slots=True)
class QuoteDraft:
    """A quote as staff entered it, for a saved contact or a new one.

    Exactly one of ``contact_id`` and ``new_contact`` is set. Signers sign in
    the order given, every buyer before any countersigner.
    """

    contact_id: int | None
    title: str
    currency: str
    expires_on: date
    lines: tuple[LineDraft, ...]
    signers: tuple[SignerDraft, ...]
    recurring: tuple[RecurringDraft, ...] = ()
    fees: tuple[FeeDraft, ...] = ()
    discount_id: int | None = None
    terms: str = ""
    cover_text: str = ""
    logo_url: str | None = None  # the business's logo when None
    brand_color: str | None = None  # the business's colour when None
    collect_payment: bool = True
    # Empty means one instalment of the whole one-time total, due on signature.
    instalments: tuple[InstalmentInput, ...] = ()
    locale: str | None = None
    new_contact: ContactDetails | None = None


@dataclass(frozen=True, slots=True)
class _CheckedDraft:
    contact: Contact | None  # None until a new contact is saved
    priced: PricedLines
    instalments: list[QuoteInstalment]
    signers: list[QuoteSigner]
    logo_url: str | None
    brand_color: str


def create_quote(
    session: Session,
    draft: QuoteDraft,
    *,
    actor: str,
    idempotency_key: str,
    static_root: Path,
    client_address: str | None = None,
) -> Quote:
    """Insert a draft quote and commit, or return the one made with this key.

    ``static_root`` is the folder a logo path must exist under. Raises
    ``QuoteError`` naming the field to fix.
    """
    existing = session.scalars(
        select(Quote).where(Quote.idempotency_key == idempotency_key)
    ).first()
    if existing is not None:
        return existing

    business = get_business(session)
    checked = check_draft(session, business, draft, static_root)
    contact = checked.contact or upsert_contact(session, draft.new_contact)
    quote = Quote(
        token=secrets.token_urlsafe(32),
        status=QuoteStatus.DRAFT,
        order=Order(),
        created_by=actor,
        idempotency_key=idempotency_key,
    )
    store_draft(quote, draft, checked, contact)
    session.add(quote)
    session.flush()
    append_event(
        session,
        quote,
        "created",
        actor,
        client_address=client_address,
        details={"total": quote.order.total, "currency": quote.currency},
    )
    session.commit()
    logger.info("quote %s created as a draft", quote.id)
    return quote


def update_quote(
    session: Session,
    quote: Quote,
    draft: QuoteDraft,
    *,
    expected_version: str,
    actor: str,
    static_root: Path,
    client_address: str | None = None,
) -> Quote:
    """Replace a draft's content and commit.

    A quote waiting for approval goes back to draft, since the approval was
    for the content it had. ``expected_version`` is the ``draft_version`` of
    the quote that staff opened. Raises ``QuoteChanged`` when the saved quote
    differs from it, ``QuoteStateError`` once the quote is published (edit it
    with ``portal.quotes.versions.revise_quote``), and ``QuoteError`` for input
    to fix.
    """
    lock_row(session, Quote, quote.id)
    session.refresh(quote)
    if quote.status not in EDITABLE_STATUSES:
        raise QuoteStateError(
            f"The quote is {quote.status.value.replace('_', ' ')} and can no "
            "longer be edited as a draft."
        )
    if draft_version(quote) != expected_version:
        raise QuoteChanged(
            "This quote was saved by someone else, or in another tab, after you "
            "opened it. Your changes were not saved. Reload the page to see the "
            "saved quote, then make your changes again."
        )

    business = get_business(session)
    checked = check_draft(session, business, draft, static_root)
    contact = checked.contact or upsert_contact(session, draft.new_contact)
    previous = quote.status
    quote.order.lines.clear()
    quote.recurring_lines.clear()
    quote.instalments.clear()
    quote.signers.clear()
    session.flush()  # delete the old rows before their positions are reused
    store_draft(quote, draft, checked, contact)
    quote.status = QuoteStatus.DRAFT
    quote.approved_by = None
    quote.approved_at = None
    append_event(
        session,
        quote,
        "edited",
        actor,
        client_address=client_address,
        details={
            "total": quote.order.total,
            "currency": quote.currency,
            "from_status": previous.value,
        },
    )
    session.commit()
    return quote


def draft_version(quote: Quote) -> str:
    """Return a fingerprint of everything the quote form edits.

    The form carries it, and ``update_quote`` compares it under the row lock
    to detect a save made after the form was opened.
    """
    state = {
        "content": canonical_content(quote),
        "expires_on": quote.expires_on.isoformat(),
        "logo_url": quote.logo_url,
        "brand_color": quote.brand_color,
        "locale": quote.locale,
        "discount_id": quote.order.discount_id,
        "status": quote.status.value,
    }
    return hashlib.sha256(canonical_json(state)).hexdigest()[:32]


def check_draft(
    session: Session, business: Business, draft: QuoteDraft, static_root: Path
) -> _CheckedDraft:
    """Check every field of the draft and price it, writing nothing.

    Raises ``QuoteError`` naming the field to fix.
    """
    contact = _contact(session, draft)
    _check_texts(draft)
    if draft.currency not in business.currencies:
        raise QuoteError(
            f"{draft.currency} is not a currency this business accepts. "
            f"Choose one of {', '.join(business.currencies)}.",
            "currency",
        )
    today = local_today(now_utc(), business.timezone)
    _check_expiry(draft.expires_on, today)
    logo_url, brand_color = _branding(business, draft, static_root)
    priced = price_lines(
        session,
        draft.currency,
        draft.lines,
        draft.fees,
        draft.recurring,
        draft.discount_id,
    )
    return _CheckedDraft(
        contact=contact,
        priced=priced,
        instalments=_instalments(draft, priced.totals.total, today),
        signers=_signers(session, draft.signers),
        logo_url=logo_url,
        brand_color=brand_color,
    )


def store_draft(
    quote: Quote, draft: QuoteDraft, checked: _CheckedDraft, contact: Contact
) -> None:
    """Copy a checked draft onto the quote and its order, lines and signers."""
    quote.contact = contact
    quote.title = draft.title.strip()
    quote.currency = draft.currency
    quote.expires_on = draft.expires_on
    quote.terms = draft.terms.strip()
    quote.cover_text = draft.cover_text.strip() or None
    quote.logo_url = checked.logo_url
    quote.brand_color = checked.brand_color
    quote.collect_payment = draft.collect_payment
    quote.locale = draft.locale
    fill_order(quote.order, checked.priced, contact)
    quote.order.discount_id = draft.discount_id
    quote.recurring_lines.extend(checked.priced.recurring)
    quote.instalments.extend(checked.instalments)
    quote.signers.extend(checked.signers)


def _contact(session: Session, draft: QuoteDraft) -> Contact | None:
    if draft.new_contact is not None:
        return None
    contact = session.get(Contact, draft.contact_id)
    if contact is None:
        raise QuoteError(
            f"Contact {draft.contact_id} was not found. Choose a contact from the "
            "list or add a new one.",
            "contact_email",
        )
    return contact


def _check_texts(draft: QuoteDraft) -> None:
    title = draft.title.strip()
    if not title:
        raise QuoteError("Enter a title, such as the project's name.", "title")
    if len(title) > MAX_TITLE:
        raise QuoteError(f"Use at most {MAX_TITLE} characters.", "title")
    if len(draft.terms) > MAX_TERMS:
        raise QuoteError(f"Use at most {MAX_TERMS} characters.", "terms")
    if len(draft.cover_text) > MAX_COVER_TEXT:
        raise QuoteError(f"Use at most {MAX_COVER_TEXT} characters.", "cover_text")


def _check_expiry(expires_on: date, today: date) -> None:
    if expires_on < today:
        raise QuoteError(
            f"The expiration date {expires_on.isoformat()} is in the past. Choose "
            f"{today.isoformat()} or later.",
            "expires_on",
        )
    latest = today + timedelta(days=MAX_VALID_DAYS)
    if expires_on > latest:
        raise QuoteError(
            f"Choose an expiration date by {latest.isoformat()}, at most "
            f"{MAX_VALID_DAYS} days ahead.",
            "expires_on",
        )


def _branding(
    business: Business, draft: QuoteDraft, static_root: Path
) -> tuple[str | None, str]:
    try:
        logo_url = (
            business.logo_url
            if draft.logo_url is None
            else check_logo_url(draft.logo_url, static_root)
        )
    except InvalidSetting as error:
        raise QuoteError(str(error), "logo_url") from error
    try:
        brand_color = check_brand_color(draft.brand_color or business.brand_color)
    except InvalidSetting as error:
        raise QuoteError(str(error), "brand_color") from error
    return logo_url, brand_color


def _instalments(draft: QuoteDraft, total: int, today: date) -> list[QuoteInstalment]:
    if not draft.collect_payment or total == 0:
        if draft.instalments:
            reason = (
                "the quote collects no payment"
                if not draft.collect_payment
                else "the one-time total is zero"
            )
            raise QuoteError(
                f"Remove the payment schedule, because {reason}.", "instalments"
            )
        return []
    parts = draft.instalments or (
        InstalmentInput(InstalmentDue.ON_SIGNATURE, percent=HUNDRED),
    )
    try:
        amounts = split_total(total, draft.currency, parts)
    except ScheduleError as error:
        raise QuoteError(str(error), "instalments") from error
    for position, part in enumerate(parts):
        _check_due_date(position, part.due_on, today)
    return [
        QuoteInstalment(
            position=position,
            percent=part.percent,
            fixed_amount=part.fixed_amount,
            due=part.due,
            days=part.days,
            due_on=part.due_on,
            amount=amount,
        )
        for position, (part, amount) in enumerate(zip(parts, amounts, strict=True))
    ]


def _check_due_date(position: int, due_on: date | None, today: date) -> None:
    """Raise ``QuoteError`` when a fixed due date is before ``today``."""
    if due_on is not None and due_on < today:
        raise QuoteError(
            f"Instalment {position + 1} is due on {due_on.isoformat()}, which is "
            f"in the past. Choose {today.isoformat()} or later.",
            f"instalments-{position}-due_on",
        )


def _signers(session: Session, drafts: tuple[SignerDraft, ...]) -> list[QuoteSigner]:
    buyers = [d for d in drafts if d.role == SignerRole.BUYER]
    countersigners = [d for d in drafts if d.role == SignerRole.COUNTERSIGNER]
    if not buyers:
        raise QuoteError("Add at least one buyer who signs the quote.", "signers")
    if len(drafts) > MAX_SIGNERS:
        raise QuoteError(f"A quote has at most {MAX_SIGNERS} signers.", "signers")

    signers = [_buyer(index, draft) for index, draft in enumerate(buyers)] + [
        _countersigner(session, index, draft)
        for index, draft in enumerate(countersigners)
    ]
    emails = [signer.email for signer in signers]
    duplicates = sorted({email for email in emails if emails.count(email) > 1})
    if duplicates:
        raise QuoteError(
            f"{', '.join(duplicates)} is listed as a signer more than once. "
            "Each person signs once.",
            "signers",
        )
    for position, signer in enumerate(signers):
        signer.position = position
    return signers


def _buyer(index: int, draft: SignerDraft) -> QuoteSigner:
    prefix = f"buyers-{index}"
    name = draft.name.strip()
    if not name:
        raise QuoteError("Enter the signer's full name.", f"{prefix}-name")
    if len(name) > 200:
        raise QuoteError("Use at most 200 characters.", f"{prefix}-name")
    try:
        email = validate_email(
            draft.email.strip(), check_deliverability=False, allow_smtputf8=False
        ).normalized.lower()
    except EmailNotValidError:
        raise QuoteError(
            "Enter a valid email address, such as name@example.com.",
            f"{prefix}-email",
        ) from None
    return QuoteSigner(
        role=SignerRole.BUYER,
        name=name,
        email=email,
        token=secrets.token_urlsafe(32),
    )


def _countersigner(session: Session, index: int, draft: SignerDraft) -> QuoteSigner:
    field = f"countersigners-{index}-staff_id"
    staff = session.get(Staff, draft.staff_id) if draft.staff_id else None
    if staff is None or not staff.active:
        raise QuoteError(
            "Choose an active staff member to countersign the quote.", field
        )
    if staff.role is StaffRole.VIEWER:
        raise QuoteError(
            f"{staff.email} has the viewer role, which cannot countersign. Choose "
            "a staff member with the sales role or above.",
            field,
        )
    return QuoteSigner(
        role=SignerRole.COUNTERSIGNER,
        name=staff.name or staff.email,
        email=staff.email,
        staff=staff,
    )
