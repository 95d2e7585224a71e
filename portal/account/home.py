"""The account overview: each section the business shows, for the signed-in customer."""

from babel.dates import format_date
from flask import render_template

from portal.account import blueprint, records
from portal.account.current import current_customer
from portal.account.subscription_facts import summarise
from portal.businesses import get_business
from portal.database import get_session, now_utc
from portal.documents.facts import address_lines, known_locale, payment_status_label
from portal.documents.refunds import refund_state_label
from portal.i18n import current_locale
from portal.invoices.drafts import contact_billing
from portal.invoices.labels import display_status_label
from portal.invoices.status import buyer_status


@blueprint.get("/")
def home():
    session = get_session()
    business = get_business(session)
    customer = current_customer()
    locale = known_locale(current_locale())
    now = now_utc()

    invoices = []
    if business.account_shows_invoices:
        for invoice in records.open_invoices(session, customer):
            status = buyer_status(invoice, now, business.timezone)
            due_on = ""
            if invoice.due_date is not None:
                due_on = format_date(invoice.due_date, "long", locale=locale)
            label = display_status_label(status)
            invoices.append((invoice, status.value, label, due_on))
    payments = []
    if business.account_shows_payments:
        payments = [
            (
                payment,
                refund_state_label(payment) or payment_status_label(payment.status),
            )
            for payment in records.payments(session, customer)
        ]
    subscriptions = []
    if business.account_shows_subscriptions:
        subscriptions = [
            summarise(subscription, locale)
            for subscription in records.subscriptions(session, customer)
        ]
    quotes = []
    if business.account_shows_quotes:
        for quote, signer in records.quotes_to_sign(
            session, customer, now, business.timezone
        ):
            expires_on = format_date(quote.expires_on, "long", locale=locale)
            quotes.append((quote, signer, expires_on))
    return render_template(
        "account/home.html",
        business=business,
        invoices=invoices,
        payments=payments,
        subscriptions=subscriptions,
        quotes=quotes,
        billing_address=address_lines(contact_billing(customer), locale),
    )
