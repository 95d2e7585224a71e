"""Demo invoices that the owner issues, with net terms, and their later fate.

Drafts are made by ``portal.invoices.drafts.create_draft`` with a stable
idempotency key, which is also how a later seed finds them, and sent, paid by
hand or voided through ``portal.invoices.lifecycle``. Sending here finalizes
an invoice without emailing it, so seeding sends no invoice emails.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from portal.demo_sales import BUYERS
from portal.demo_timeline import Action, DemoShop, Step
from portal.invoices.drafts import FeeDraft, InvoiceDraft, LineDraft, create_draft
from portal.invoices.lifecycle import (
    ManualPaymentInput,
    mark_paid_manually,
    send_invoice,
    void_invoice,
)
from portal.merchant.context import staff_actor
from portal.models import (
    Contact,
    Invoice,
    InvoiceStatus,
    ManualPaymentMethod,
    NetTerms,
)

VAT_SOURCE = "poster"  # the demo link whose VAT rate taxed invoice lines use


@dataclass(frozen=True)
class DemoLine:
    """A line item: a demo link's item (``slug`` and position) or a typed one."""

    quantity: int = 1
    slug: str | None = None
    position: int = 0
    description: str = ""
    unit_amount: int | None = None  # minor units, for a typed line
    discount_percent: Decimal | None = None
    taxed: bool = True  # with the VAT of the demo links


@dataclass(frozen=True)
class DemoInvoice:
    key: str  # the draft's idempotency key
    buyer: str  # a key of BUYERS
    issue_days_ago: int  # the issue date, in days before the seed's local date
    lines: tuple[DemoLine, ...]
    net_terms: NetTerms = NetTerms.NET_30
    fees: tuple[tuple[str, int, bool], ...] = ()  # description, minor units, taxed
    memo: str = ""
    send: bool = True


def issue(spec: DemoInvoice) -> Action:
    """Return the event action that drafts the invoice and, unless a draft, sends it."""

    def action(shop: DemoShop, step: Step) -> None:
        session = shop.session
        buyer = BUYERS[spec.buyer]
        contact = session.scalars(
            select(Contact).where(Contact.email == buyer.email)
        ).one()
        invoice = create_draft(
            session,
            _draft(shop, spec, contact.id, buyer.locale),
            actor=staff_actor(shop.owner),
            idempotency_key=spec.key,
        )
        if spec.send:
            send_invoice(session, invoice, actor=staff_actor(shop.owner))
        step.add(invoice, invoice.order)
        step.audit("invoice", invoice.id)

    return action


def pay_by_bank_transfer(key: str, paid_days_ago: int, reference: str) -> Action:
    """Return the event action that records a bank transfer paying an open invoice."""

    def action(shop: DemoShop, step: Step) -> None:
        invoice = _open_invoice(shop, key)
        if invoice is None:
            return
        mark_paid_manually(
            shop.session,
            invoice,
            ManualPaymentInput(
                amount=invoice.amount_due,
                currency=invoice.currency,
                paid_on=shop.day(paid_days_ago),
                method=ManualPaymentMethod.BANK_TRANSFER,
                reference=reference,
            ),
            actor=staff_actor(shop.owner),
        )
        step.add(invoice, invoice.manual_payment)
        step.audit("invoice", invoice.id)

    return action


def void(key: str) -> Action:
    """Return the event action that voids an open invoice."""

    def action(shop: DemoShop, step: Step) -> None:
        invoice = _open_invoice(shop, key)
        if invoice is None:
            return
        void_invoice(shop.session, invoice, actor=staff_actor(shop.owner))
        step.add(invoice)
        step.audit("invoice", invoice.id)

    return action


def _open_invoice(shop: DemoShop, key: str) -> Invoice | None:
    """Return the demo invoice with ``key`` while it is open, else None."""
    invoice = shop.session.scalars(
        select(Invoice).where(Invoice.idempotency_key == key)
    ).first()
    if invoice is None or invoice.status is not InvoiceStatus.OPEN:
        return None
    return invoice


def _draft(
    shop: DemoShop, spec: DemoInvoice, contact_id: int, locale: str
) -> InvoiceDraft:
    vat_id = shop.links[VAT_SOURCE].items[0].tax_rate_id
    lines = []
    for line in spec.lines:
        price_id = None
        if line.slug is not None:
            price_id = shop.links[line.slug].items[line.position].price_id
        lines.append(
            LineDraft(
                description=line.description,
                unit_amount=line.unit_amount,
                quantity=line.quantity,
                price_id=price_id,
                discount_percent=line.discount_percent,
                tax_rate_id=vat_id if line.taxed else None,
            )
        )
    fees = tuple(
        FeeDraft(description, amount, vat_id if taxed else None)
        for description, amount, taxed in spec.fees
    )
    return InvoiceDraft(
        contact_id=contact_id,
        currency="EUR",
        issue_date=shop.day(spec.issue_days_ago),
        lines=tuple(lines),
        fees=fees,
        net_terms=spec.net_terms,
        memo=spec.memo,
        locale=locale if locale != "en" else None,
    )
