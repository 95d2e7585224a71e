"""Creating and editing draft invoices, priced with ``portal.pricing``.

A draft has its own order whose lines are priced on the server from what
staff entered. Nothing here reads a request: the staff form turns its fields
into an ``InvoiceDraft`` and this module checks it against the database.
"""

import hashlib
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import audit
from portal.businesses import get_business
from portal.contacts import ContactDetails, upsert_contact
from portal.database import now_utc
from portal.invoices.attempts import lock_invoice
from portal.invoices.errors import (
    ContactNotFound,
    DraftChanged,
    InvoiceError,
    InvoiceStateError,
)
from portal.invoices.status import local_today
from portal.invoices.terms import check_issue_date, due_date_for
from portal.line_drafts import (
    CheckedFee,
    CheckedLine,
    FeeDraft,
    LineDraft,
    LineDraftError,
    fee_input,
    fill_order,
    line_input,
)
from portal.models import (
    BillingDetails,
    Contact,
    Invoice,
    InvoiceStatus,
    NetTerms,
    Order,
)
from portal.money import format_money
from portal.pricing import OrderTotals, PricingError, price_order
from portal.processors.base import MAX_AMOUNT

logger = logging.getLogger(__name__)

MAX_LINES = 50
MAX_TEXT = 2000  # characters of a memo or footer


@dataclass(frozen=True, slots=True)
class InvoiceDraft:
    """A draft as staff entered it, billed to a saved contact or a new one.

    Exactly one of ``contact_id`` and ``new_contact`` is set. A new contact
    is saved only together with the draft, once the whole draft is valid.
    """

    contact_id: int | None
    currency: str
    issue_date: date
    lines: tuple[LineDraft, ...]
    fees: tuple[FeeDraft, ...] = ()
    net_terms: NetTerms = NetTerms.NET_30
    custom_due_date: date | None = None  # used with NetTerms.CUSTOM only
    memo: str = ""
    footer: str = ""
    locale: str | None = None
    new_contact: ContactDetails | None = None


@dataclass(frozen=True, slots=True)
class _PricedDraft:
    contact: Contact
    totals: OrderTotals
    due_date: date
    # The entered lines and fees, checked, in the totals' order.
    lines: list[CheckedLine]
    fees: list[CheckedFee]


def create_draft(
    session: Session,
    draft: InvoiceDraft,
    *,
    actor: str,
    idempotency_key: str,
    client_address: str | None = None,
) -> Invoice:
    """Insert a draft invoice and commit, or return the one made with this key.

    The key comes from the staff form, so submitting the same form twice
    makes one draft. Raises ``InvoiceError`` for input that cannot be priced.
    """
    existing = _invoice_with_key(session, idempotency_key)
    if existing is not None:
        return existing

    priced = _price(session, draft)
    invoice = Invoice(
        token=secrets.token_urlsafe(24),
        order=_build_order(priced),
        contact=priced.contact,
        status=InvoiceStatus.DRAFT,
        idempotency_key=idempotency_key,
    )
    _apply(invoice, draft, priced)
    session.add(invoice)
    session.flush()
    audit.record(
        session,
        subject_type="invoice",
        subject_id=invoice.id,
        action="invoice.created",
        actor=actor,
        to_state=InvoiceStatus.DRAFT.value,
        client_address=client_address,
        details={"total": str(invoice.total), "currency": invoice.currency},
    )
    session.commit()
    logger.info("invoice %s created as a draft", invoice.id)
    return invoice


def update_draft(
    session: Session,
    invoice: Invoice,
    draft: InvoiceDraft,
    *,
    expected_version: str,
    actor: str,
    client_address: str | None = None,
) -> Invoice:
    """Replace a draft's contact, lines and terms, and commit.

    ``expected_version`` is the ``draft_version`` of the draft that staff
    opened. Raises ``DraftChanged`` when the saved draft differs from it,
    so that a second editor cannot silently overwrite the first one's save,
    and ``InvoiceStateError`` once the invoice has been sent.
    """
    lock_invoice(session, invoice)
    if invoice.status is not InvoiceStatus.DRAFT:
        raise InvoiceStateError(
            f"Invoice {invoice.number} has been sent and can no longer be edited."
        )
    # The lock reloaded the invoice but not its lines, which an edit committed
    # since they were read may have replaced.
    session.refresh(invoice.order)
    if draft_version(invoice) != expected_version:
        raise DraftChanged(
            "This draft was saved by someone else, or in another tab, after you "
            "opened it. Your changes were not saved. Reload the page to see the "
            "saved draft, then make your changes again."
        )
    priced = _price(session, draft)
    order = invoice.order
    order.lines.clear()
    session.flush()  # delete the old lines before their positions are reused
    _fill_order(order, priced)
    invoice.contact = priced.contact
    _apply(invoice, draft, priced)
    audit.record(
        session,
        subject_type="invoice",
        subject_id=invoice.id,
        action="invoice.edited",
        actor=actor,
        from_state=InvoiceStatus.DRAFT.value,
        to_state=InvoiceStatus.DRAFT.value,
        client_address=client_address,
        details={"total": str(invoice.total), "currency": invoice.currency},
    )
    session.commit()
    return invoice


def draft_version(invoice: Invoice) -> str:
    """Return a fingerprint of everything the draft form edits.

    The edit form carries it, and ``update_draft`` compares it with the saved
    draft under the row lock, to detect a save made after the form was opened.
    """
    lines = [
        [
            line.kind.value,
            line.description,
            line.price_id,
            line.quantity,
            line.unit_amount,
            str(line.discount_percent),
            line.discount,
            line.tax_name,
            str(line.tax_percent),
            line.tax_inclusive,
        ]
        for line in sorted(invoice.order.lines, key=lambda line: line.position)
    ]
    state = [
        invoice.contact_id,
        invoice.currency,
        str(invoice.issue_date),
        invoice.net_terms.value if invoice.net_terms else None,
        str(invoice.due_date),
        invoice.memo,
        invoice.footer,
        invoice.locale,
        lines,
    ]
    encoded = json.dumps(state, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


def contact_billing(contact: Contact) -> BillingDetails:
    """Copy a contact's current details as an order's bill-to details."""
    return BillingDetails(
        email=contact.email,
        name=contact.name,
        phone=contact.phone,
        address_line1=contact.address_line1,
        address_line2=contact.address_line2,
        postal_code=contact.postal_code,
        city=contact.city,
        country=contact.country,
        tax_id=contact.tax_id,
    )


def _invoice_with_key(session: Session, key: str) -> Invoice | None:
    return session.scalars(
        select(Invoice).where(Invoice.idempotency_key == key)
    ).first()


def _apply(invoice: Invoice, draft: InvoiceDraft, priced: _PricedDraft) -> None:
    invoice.currency = draft.currency
    invoice.total = priced.totals.total
    invoice.net_terms = draft.net_terms
    invoice.issue_date = draft.issue_date
    invoice.due_date = priced.due_date
    invoice.memo = draft.memo.strip() or None
    invoice.footer = draft.footer.strip() or None
    invoice.locale = draft.locale


def _price(session: Session, draft: InvoiceDraft) -> _PricedDraft:
    """Check the draft against the database and price it.

    Raises ``InvoiceError`` naming the field to fix. A new contact is saved
    only after every check has passed, so a rejected draft saves nothing.
    """
    contact = None
    if draft.new_contact is None:
        contact = session.get(Contact, draft.contact_id)
        if contact is None:
            raise ContactNotFound(
                f"Contact {draft.contact_id} was not found. Choose a contact from "
                "the list or add a new one.",
                "contact",
            )
    business = get_business(session)
    if draft.currency not in business.currencies:
        accepted = ", ".join(business.currencies)
        raise InvoiceError(
            f"{draft.currency} is not a currency this business accepts. "
            f"Choose one of {accepted}.",
            "currency",
        )
    check_issue_date(draft.issue_date, local_today(now_utc(), business.timezone))
    due_date = due_date_for(draft.net_terms, draft.issue_date, draft.custom_due_date)
    for name, text in (("memo", draft.memo), ("footer", draft.footer)):
        if len(text) > MAX_TEXT:
            raise InvoiceError(f"Use at most {MAX_TEXT} characters.", name)
    if not draft.lines:
        raise InvoiceError("Add at least one line item.", "lines")
    if len(draft.lines) > MAX_LINES:
        raise InvoiceError(f"An invoice has at most {MAX_LINES} line items.", "lines")

    try:
        lines = [
            line_input(session, draft.currency, index, line, document="invoice")
            for index, line in enumerate(draft.lines)
        ]
        fees = [fee_input(session, index, fee) for index, fee in enumerate(draft.fees)]
    except LineDraftError as error:
        raise InvoiceError(str(error), error.field) from error
    try:
        totals = price_order(
            draft.currency,
            [pricing_input for pricing_input, _source in lines],
            fees=[pricing_input for pricing_input, _source in fees],
        )
    except PricingError as error:
        raise InvoiceError(str(error), "lines") from error
    _check_total(totals)
    if contact is None:
        contact = upsert_contact(session, draft.new_contact)
    return _PricedDraft(
        contact=contact,
        totals=totals,
        due_date=due_date,
        lines=[source for _input, source in lines],
        fees=[source for _input, source in fees],
    )


def _check_total(totals: OrderTotals) -> None:
    if totals.total <= 0:
        raise InvoiceError(
            "The invoice total is zero. Enter amounts above zero, or lower the "
            "discounts.",
            "lines",
        )
    if totals.total > MAX_AMOUNT:
        limit = format_money(MAX_AMOUNT, totals.currency)
        raise InvoiceError(
            f"The total is above {limit}, the most one payment can be. Split the "
            "invoice in two.",
            "lines",
        )


def _build_order(priced: _PricedDraft) -> Order:
    order = Order()
    _fill_order(order, priced)
    return order


def _fill_order(order: Order, priced: _PricedDraft) -> None:
    """Set an order's totals, bill-to details and lines from a priced draft."""
    fill_order(order, priced.totals, priced.lines, priced.fees)
    order.billing = contact_billing(priced.contact)
