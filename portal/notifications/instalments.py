"""Emails about a quote instalment whose charge failed: one to the buyer, one to staff.

The buyer's email is in the quote's language and links to the instalment's
invoice page, where they can pay with another method. The staff email goes
to the business's address in the business's language, as the merchant's
payment notes do, and links to the quote in the back office.
"""

from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage

from babel.dates import format_date
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.documents.facts import bill_to, known_locale
from portal.models import Business, Invoice, Quote, QuoteInstalment
from portal.money import format_money
from portal.notifications.invoices import hosted_invoice_url
from portal.notifications.logos import email_logo_url
from portal.notifications.mailer import sender_address
from portal.notifications.payments import _compose
from portal.quotes.documents import quote_locale
from portal.quotes.facts import quote_color
from portal.urls import public_url


@dataclass(frozen=True, slots=True)
class FailedInstalment:
    """The facts of a failed instalment charge that both emails report."""

    quote: Quote
    instalment: QuoteInstalment
    invoice: Invoice  # the instalment's open invoice, which the buyer can pay
    reason: str | None  # the processor's decline message, in the buyer's language
    retry_on: date | None  # the next charge, or None when no retry is left


def build_buyer_message(failure: FailedInstalment, business: Business) -> EmailMessage:
    """Build the buyer's email: the failed charge, the next try and the pay link."""
    quote, invoice = failure.quote, failure.invoice
    locale = quote_locale(quote, business)
    with force_locale(locale):
        context = _context(failure, business, locale)
        context["pay_url"] = hosted_invoice_url(invoice, locale)
        subject = _(
            "Your payment to %(business)s for quote %(number)s failed",
            business=business.name,
            number=quote.display_number,
        )
        return _compose(
            "emails/instalment_payment_failed",
            context,
            subject=subject,
            sender=sender_address(business.name),
            to=bill_to(invoice.order).email,
            reply_to=business.email,
        )


def build_staff_message(failure: FailedInstalment, business: Business) -> EmailMessage:
    """Build the staff email about a failed charge, or one that is given up."""
    quote = failure.quote
    locale = known_locale(business.locale)
    with force_locale(locale):
        context = _context(failure, business, locale)
        context["quote_url"] = public_url(f"/merchant/quotes/{quote.id}")
        values = {
            "amount": context["amount"],
            "number": quote.display_number,
        }
        if failure.retry_on is None:
            subject = _(
                "Instalment not collected: %(amount)s of quote %(number)s", **values
            )
        else:
            subject = _(
                "Instalment payment failed: %(amount)s of quote %(number)s", **values
            )
        return _compose(
            "emails/merchant_instalment_failed",
            context,
            subject=subject,
            sender=sender_address("Kassa"),
            to=business.email,
            reply_to=bill_to(failure.invoice.order).email,
        )


def _context(
    failure: FailedInstalment, business: Business, locale: str
) -> dict[str, object]:
    quote, instalment = failure.quote, failure.instalment
    retry_on = failure.retry_on
    return {
        "locale": locale,
        "business": business,
        "brand_color": quote_color(quote),
        "logo_src": email_logo_url(business),
        "quote": quote,
        "invoice": failure.invoice,
        "buyer": quote.contact.name or quote.contact.email,
        "number": instalment.position + 1,
        "count": len(quote.instalments),
        "amount": format_money(instalment.amount, quote.currency, locale),
        "reason": failure.reason,
        "retry_on": format_date(retry_on, "long", locale=locale) if retry_on else "",
    }
