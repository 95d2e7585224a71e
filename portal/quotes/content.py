"""A quote's canonical content and its SHA-256 digest.

The content covers everything a signer agrees to: the title, the contact, every
one-time and recurring line with its amounts and taxes, the totals, the terms
and cover text, the payment schedule and the signers. It leaves out what may
change without new signatures: branding, the expiration date (staff may extend
it, and the log records that), statuses, and the due dates that acceptance
computes from an instalment's rule. A fixed due date is covered.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from portal.models import InstalmentDue, Order, Quote, QuoteInstalment
from portal.quotes.canonical import canonical_json, sha256_hex

# Bumped when the fields below change, so old digests stay reproducible.
CONTENT_FORMAT = 1
PERCENT_QUANTUM = Decimal("0.0001")  # NUMERIC(7, 4)


def content_digest(quote: Quote) -> str:
    """Return the SHA-256 (hex) of the quote's canonical content."""
    return sha256_hex(canonical_json(canonical_content(quote)))


def canonical_content(quote: Quote) -> dict[str, Any]:
    return {
        "format": CONTENT_FORMAT,
        "number": quote.number,
        "version": quote.version,
        "title": quote.title,
        "currency": quote.currency,
        "contact": {"email": quote.contact.email, "name": quote.contact.name},
        "terms": quote.terms,
        "cover_text": quote.cover_text,
        "collect_payment": quote.collect_payment,
        "order": _order_content(quote.order),
        "recurring": [
            {
                "position": line.position,
                "price_id": line.price_id,
                "description": line.description,
                "frequency": _text(line.price.frequency),
                "quantity": line.quantity,
                "unit_amount": line.unit_amount,
                "tax_name": line.tax_rate.name if line.tax_rate else None,
                "tax_percent": _percent(line.tax_rate.percent)
                if line.tax_rate
                else None,
                "tax_inclusive": line.tax_rate.inclusive if line.tax_rate else None,
            }
            for line in quote.recurring_lines
        ],
        "instalments": [
            {
                "position": part.position,
                "percent": _percent(part.percent),
                "fixed_amount": part.fixed_amount,
                "due": part.due.value,
                "days": part.days,
                "due_on": _published_due_on(part),
                "amount": part.amount,
            }
            for part in quote.instalments
        ],
        "signers": [
            {
                "position": signer.position,
                "role": signer.role.value,
                "name": signer.name,
                "email": signer.email,
            }
            for signer in quote.signers
        ],
    }


def _order_content(order: Order) -> dict[str, Any]:
    return {
        "subtotal": order.subtotal,
        "discount_total": order.discount_total,
        "discount_code": order.discount_code,
        "fee_total": order.fee_total,
        "tax_total": order.tax_total,
        "total": order.total,
        "lines": [
            {
                "position": line.position,
                "kind": line.kind.value,
                "description": line.description,
                "price_id": line.price_id,
                "quantity": line.quantity,
                "unit_amount": line.unit_amount,
                "gross": line.gross,
                "discount": line.discount,
                "tax": line.tax,
                "tax_name": line.tax_name,
                "tax_percent": _percent(line.tax_percent),
                "tax_inclusive": line.tax_inclusive,
                "total": line.total,
            }
            for line in order.lines
        ],
    }


def _percent(value: Decimal | None) -> str | None:
    # SQLite and PostgreSQL return NUMERIC(7, 4) with four places; an unsaved
    # value may have fewer, so every percent is written with four.
    return None if value is None else str(Decimal(value).quantize(PERCENT_QUANTUM))


def _published_due_on(part: QuoteInstalment) -> str | None:
    # Acceptance fills in the due date of an instalment due on signature or
    # some days after it. The signers agreed to that rule, so only a fixed
    # date is part of the content.
    if part.due is not InstalmentDue.ON_DATE:
        return None
    return _date(part.due_on)


def _date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
