"""Invoice emails to the buyer: the sent invoice and its reminders.

Both carry the link to the hosted invoice page and the invoice PDF, in the
invoice's language.
"""

from datetime import date
from email.message import EmailMessage
from urllib.parse import urlencode

from babel.dates import format_date
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from portal.documents import render_invoice_pdf
from portal.documents.facts import bill_to, brand_color, known_locale
from portal.documents.summary import summarise_order
from portal.models import Business, Invoice
from portal.money import format_money
from portal.notifications.mailer import send_message, sender_address
from portal.notifications.payments import _compose
from portal.urls import public_url


def invoice_locale(invoice: Invoice, business: Business) -> str:
    return known_locale(invoice.locale or business.locale)


def hosted_invoice_url(invoice: Invoice, locale: str) -> str:
    """Return the absolute URL of the invoice's page, in the buyer's language."""
    query = urlencode({"lang": locale})
    return public_url(f"/invoices/{invoice.token}?{query}")


def send_invoice_email(invoice: Invoice, business: Business) -> None:
    """Email the buyer the invoice. Raises the transport's error on failure."""
    send_message(build_invoice_message(invoice, business))


def send_reminder_email(invoice: Invoice, business: Business, today: date) -> None:
    """Email the buyer a reminder. Raises the transport's error on failure."""
    send_message(build_reminder_message(invoice, business, today))


def build_invoice_message(invoice: Invoice, business: Business) -> EmailMessage:
    locale = invoice_locale(invoice, business)
    with force_locale(locale):
        context = _invoice_context(invoice, business, locale)
        subject = _(
            "Invoice %(number)s from %(business)s",
            number=invoice.number,
            business=business.name,
        )
        return _compose_with_pdf(
            "emails/invoice", context, subject, invoice, business, locale
        )


def build_reminder_message(
    invoice: Invoice, business: Business, today: date
) -> EmailMessage:
    """Build a reminder worded by the days from ``today`` to the due date."""
    locale = invoice_locale(invoice, business)
    with force_locale(locale):
        context = _invoice_context(invoice, business, locale)
        context["timing"] = reminder_timing(invoice.due_date, today)
        values = {"number": invoice.number, "business": business.name}
        if today > invoice.due_date:
            subject = _("Overdue: invoice %(number)s from %(business)s", **values)
        else:
            subject = _("Reminder: invoice %(number)s from %(business)s", **values)
        return _compose_with_pdf(
            "emails/invoice_reminder", context, subject, invoice, business, locale
        )


def _compose_with_pdf(
    template: str,
    context: dict,
    subject: str,
    invoice: Invoice,
    business: Business,
    locale: str,
) -> EmailMessage:
    """Compose an email from the business to the invoice's buyer, PDF attached."""
    message = _compose(
        template,
        context,
        subject=subject,
        sender=sender_address(business.name),
        to=bill_to(invoice.order).email,
        reply_to=business.email,
    )
    _attach_pdf(message, invoice, business, locale)
    return message


def reminder_timing(due_date: date, today: date) -> str:
    """Return when the invoice is due as seen on ``today``, such as "in 3 days"."""
    days = (due_date - today).days
    if days > 0:
        return ngettext("It is due tomorrow.", "It is due in %(num)d days.", days)
    if days == 0:
        return _("It is due today.")
    return ngettext("It was due yesterday.", "It was due %(num)d days ago.", -days)


def _invoice_context(
    invoice: Invoice, business: Business, locale: str
) -> dict[str, object]:
    billing = bill_to(invoice.order)
    return {
        "locale": locale,
        "business": business,
        "brand_color": brand_color(business),
        "invoice": invoice,
        "billing": billing,
        "amount_due": format_money(invoice.amount_due, invoice.currency, locale),
        "due_on": format_date(invoice.due_date, "long", locale=locale)
        if invoice.due_date
        else "",
        "memo_lines": (invoice.memo or "").splitlines(),
        "summary": summarise_order(invoice.order, locale),
        "custom_fields": {},
        "invoice_url": hosted_invoice_url(invoice, locale),
    }


def _attach_pdf(
    message: EmailMessage, invoice: Invoice, business: Business, locale: str
) -> None:
    message.add_attachment(
        render_invoice_pdf(invoice, business, locale),
        maintype="application",
        subtype="pdf",
        filename=f"invoice-{invoice.number}.pdf",
    )
