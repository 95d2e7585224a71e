"""The staff email sent when a buyer declines a quote.

It goes to the business's address and to the staff member who created the
quote, in the business's language as the other staff emails are, with the
buyer's reason and a link to the quote in the back office.
"""

import logging
import re
from email.message import EmailMessage

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session, object_session

from portal.businesses import get_business
from portal.documents.facts import known_locale, local_datetime
from portal.models import Business, Quote, QuoteSigner, Staff
from portal.notifications.logos import email_logo_url
from portal.notifications.mailer import send_message, sender_address
from portal.notifications.payments import _compose
from portal.notifications.suppression import email_suppressed
from portal.quotes.facts import quote_color
from portal.urls import public_url

logger = logging.getLogger(__name__)

STAFF_ACTOR = re.compile(r"staff:(\d+)")


def send_quote_declined(quote: Quote, signer: QuoteSigner) -> int:
    """Email staff that ``signer`` declined the quote, and return how many were sent.

    Each message is tried, and a failure is logged while the others still go out.
    """
    if email_suppressed("quote declined", quote.id):
        return 0
    session = object_session(quote)
    business = get_business(session)
    sent = 0
    for address in staff_recipients(session, quote, business):
        message = build_declined_message(quote, signer, business, address)
        try:
            send_message(message)
        except Exception:
            logger.exception("declined email of quote %s failed to send", quote.id)
            continue
        sent += 1
    return sent


def staff_recipients(session: Session, quote: Quote, business: Business) -> list[str]:
    """Return the business's address and the quote creator's, without repeats.

    The creator counts only while they are an active staff member.
    """
    addresses = [business.email] if business.email else []
    match = STAFF_ACTOR.fullmatch(quote.created_by or "")
    creator = session.get(Staff, int(match.group(1))) if match else None
    if creator is not None and creator.active and creator.email:
        addresses.append(creator.email)
    unique: dict[str, str] = {}
    for address in addresses:
        unique.setdefault(address.lower(), address)
    return list(unique.values())


def build_declined_message(
    quote: Quote, signer: QuoteSigner, business: Business, to: str
) -> EmailMessage:
    locale = known_locale(business.locale)
    with force_locale(locale):
        context = {
            "locale": locale,
            "business": business,
            "brand_color": quote_color(quote),
            "logo_src": email_logo_url(business),
            "quote": quote,
            "signer": signer,
            "declined_at": local_datetime(
                signer.declined_at, business.timezone, locale
            ),
            "quote_url": public_url(f"/merchant/quotes/{quote.id}"),
        }
        subject = _(
            "Quote %(number)s was declined by %(name)s",
            number=quote.display_number,
            name=signer.name,
        )
        return _compose(
            "emails/merchant_quote_declined",
            context,
            subject=subject,
            sender=sender_address("Kassa"),
            to=to,
            reply_to=signer.email,
        )
