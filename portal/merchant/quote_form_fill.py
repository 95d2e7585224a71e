"""The staff quote form's starting values: blank, or filled from a saved quote."""

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import object_session

from portal.merchant.invoice_form import discount_text
from portal.merchant.quote_form import QuoteForm, empty_rows
from portal.models import Business, OrderLineKind, Quote, TaxRate
from portal.money import to_major
from portal.quotes.building import draft_version

DEFAULT_VALID_DAYS = 30


def blank_form(business: Business, today: date) -> QuoteForm:
    """Return a new quote's form with the business's branding and one empty line."""
    values = {
        "currency": business.currency,
        "expires_on": (today + timedelta(days=DEFAULT_VALID_DAYS)).isoformat(),
        "locale": business.locale,
        "logo_url": business.logo_url or "",
        "brand_color": business.brand_color,
        "collect_payment": "yes",
    }
    rows = empty_rows()
    rows["lines"][0] = {"quantity": "1"}
    rows["buyers"][0] = {}
    return QuoteForm(values=values, rows=rows)


def form_of_quote(quote: Quote) -> QuoteForm:
    """Fill the form from a saved quote, to edit a draft or to revise a published one.

    The draft fingerprint goes in ``version``, for ``update_quote`` to detect
    a save made after the form was opened.
    """
    currency = quote.currency
    values = {
        "contact_email": quote.contact.email,
        "title": quote.title,
        "currency": currency,
        "expires_on": quote.expires_on.isoformat(),
        "discount_id": str(quote.order.discount_id or ""),
        "terms": quote.terms,
        "cover_text": quote.cover_text or "",
        "logo_url": quote.logo_url or "",
        "brand_color": quote.brand_color,
        "collect_payment": "yes" if quote.collect_payment else "",
        "locale": quote.locale or "",
        "version": draft_version(quote),
    }
    rows = empty_rows()
    tax_rates = _tax_rate_ids(quote)
    for line in quote.order.lines:
        tax_rate_id = tax_rates.get(
            (line.tax_name, line.tax_percent, line.tax_inclusive)
        )
        row = {
            "description": line.description,
            "tax_rate_id": str(tax_rate_id) if tax_rate_id else "",
        }
        if line.kind is OrderLineKind.FEE:
            row["amount"] = str(to_major(line.unit_amount, currency))
            rows["fees"][len(rows["fees"])] = row
            continue
        row.update(
            price_id=str(line.price_id or ""),
            quantity=str(line.quantity),
            unit_amount=str(to_major(line.unit_amount, currency)),
            discount=discount_text(line.discount_percent, line.discount, currency),
        )
        rows["lines"][len(rows["lines"])] = row
    for line in quote.recurring_lines:
        rows["recurring"][line.position] = {
            "price_id": str(line.price_id),
            "description": line.description,
            "quantity": str(line.quantity),
            "tax_rate_id": str(line.tax_rate_id or ""),
        }
    for signer in quote.buyers:
        rows["buyers"][len(rows["buyers"])] = {
            "name": signer.name,
            "email": signer.email,
        }
    for signer in quote.countersigners:
        rows["countersigners"][len(rows["countersigners"])] = {
            "staff_id": str(signer.staff_id),
        }
    for part in quote.instalments:
        rows["instalments"][part.position] = {
            "share": _share_text(part.percent, part.fixed_amount, currency),
            "due": part.due.value,
            "days": str(part.days) if part.days is not None else "",
            "due_on": part.due_on.isoformat() if part.due_on else "",
        }
    return QuoteForm(values=values, rows=rows)


def _share_text(percent: Decimal | None, amount: int | None, currency: str) -> str:
    if percent is not None:
        return f"{Decimal(percent).normalize():f}%"
    return str(to_major(amount or 0, currency))


def _tax_rate_ids(quote: Quote) -> dict[tuple, int]:
    """Find the tax rate of each saved line again by its name, percent and kind."""
    rates = object_session(quote).scalars(select(TaxRate)).all()
    return {(rate.name, rate.percent, rate.inclusive): rate.id for rate in rates}
