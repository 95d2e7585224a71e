"""Quote emails to signers: whose turn it is to sign, and the signed copy.

A buyer's email carries their own signing link and is in the quote's
language. A countersigner's email links to the quote in the back office and
is in the business's language, as the merchant's payment notes are.
"""

import logging
from email.message import EmailMessage

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import object_session

from portal.businesses import get_business
from portal.documents.facts import known_locale
from portal.models import Business, Quote, QuoteSigner, SignerRole
from portal.notifications.logos import email_logo_url
from portal.notifications.mailer import send_message, sender_address
from portal.notifications.payments import _compose
from portal.notifications.suppression import email_suppressed
from portal.quotes.documents import quote_locale
from portal.quotes.facts import quote_color
from portal.urls import public_url

logger = logging.getLogger(__name__)


def signer_url(quote: Quote, signer: QuoteSigner, locale: str) -> str:
    """Return the absolute URL of a buyer signer's own page."""
    return public_url(f"/quotes/{quote.token}/sign/{signer.token}?lang={locale}")


def quote_url(quote: Quote, locale: str) -> str:
    return public_url(f"/quotes/{quote.token}?lang={locale}")


def back_office_url(quote: Quote) -> str:
    return public_url(f"/merchant/quotes/{quote.id}")


def send_signature_request(quote: Quote, signer: QuoteSigner) -> None:
    """Email one signer that it is their turn to sign. Raises on a send failure."""
    if email_suppressed("quote signature request", quote.id):
        return
    business = get_business(object_session(quote))
    if signer.role is SignerRole.BUYER:
        message = build_buyer_request(quote, signer, business)
    else:
        message = build_countersign_request(quote, signer, business)
    send_message(message)


def send_after_signature(
    quote: Quote, next_signers: list[QuoteSigner], *, accepted: bool
) -> None:
    """Email the next signers, or every buyer the signed copy once accepted.

    Each message is tried; a failure is logged and the others still go out.
    """
    if email_suppressed("quote signature emails", quote.id):
        return
    business = get_business(object_session(quote))
    messages = []
    for signer in next_signers:
        if signer.role is SignerRole.BUYER:
            messages.append(build_buyer_request(quote, signer, business))
        else:
            messages.append(build_countersign_request(quote, signer, business))
    if accepted:
        messages.extend(
            build_signed_copy(quote, signer, business) for signer in quote.buyers
        )
    for message in messages:
        try:
            send_message(message)
        except Exception:
            logger.exception("an email about quote %s was not sent", quote.id)


def build_buyer_request(
    quote: Quote, signer: QuoteSigner, business: Business
) -> EmailMessage:
    locale = quote_locale(quote, business)
    with force_locale(locale):
        context = _context(quote, business, locale)
        context["signer"] = signer
        context["action_url"] = signer_url(quote, signer, locale)
        subject = _(
            "Quote %(number)s from %(business)s is ready for your signature",
            number=quote.display_number,
            business=business.name,
        )
        return _compose(
            "emails/quote_signature_request",
            context,
            subject=subject,
            sender=sender_address(business.name),
            to=signer.email,
            reply_to=business.email,
        )


def build_countersign_request(
    quote: Quote, signer: QuoteSigner, business: Business
) -> EmailMessage:
    locale = known_locale(business.locale)
    with force_locale(locale):
        context = _context(quote, business, locale)
        context["signer"] = signer
        context["action_url"] = back_office_url(quote)
        subject = _(
            "Countersign quote %(number)s for %(buyer)s",
            number=quote.display_number,
            buyer=quote.contact.name or quote.contact.email,
        )
        return _compose(
            "emails/quote_countersign_request",
            context,
            subject=subject,
            sender=sender_address(business.name),
            to=signer.email,
            reply_to=None,
        )


def build_signed_copy(
    quote: Quote, signer: QuoteSigner, business: Business
) -> EmailMessage:
    """Build a buyer's email with the signed PDF attached, as it was stored."""
    locale = quote_locale(quote, business)
    with force_locale(locale):
        context = _context(quote, business, locale)
        context["signer"] = signer
        context["action_url"] = quote_url(quote, locale)
        subject = _(
            "Quote %(number)s from %(business)s is accepted",
            number=quote.display_number,
            business=business.name,
        )
        message = _compose(
            "emails/quote_accepted",
            context,
            subject=subject,
            sender=sender_address(business.name),
            to=signer.email,
            reply_to=business.email,
        )
    if quote.signed_pdf is not None:
        number = (quote.display_number or "quote").replace(" ", "-")
        message.add_attachment(
            quote.signed_pdf,
            maintype="application",
            subtype="pdf",
            filename=f"quote-{number}-signed.pdf",
        )
    return message


def _context(quote: Quote, business: Business, locale: str) -> dict[str, object]:
    return {
        "locale": locale,
        "business": business,
        "brand_color": quote_color(quote),
        "logo_src": email_logo_url(business),
        "quote": quote,
    }
