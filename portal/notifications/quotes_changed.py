"""The email telling a quote's signers that a new version replaced the one they had.

It goes to every signer of the replaced version once the new version is
published. A buyer who signs the new version too gets their new signing link,
a countersigner the back-office page, and anyone no longer among the signers
only the notice.
"""

import logging
from email.message import EmailMessage

from flask_babel import force_locale
from flask_babel import gettext as _

from portal.documents.facts import brand_color, known_locale
from portal.models import Business, Quote, QuoteSigner, SignerRole
from portal.notifications.logos import email_logo_url
from portal.notifications.mailer import send_message, sender_address
from portal.notifications.payments import _compose
from portal.notifications.suppression import email_suppressed
from portal.urls import public_url

logger = logging.getLogger(__name__)


def send_quote_changed(quote: Quote, business: Business) -> int:
    """Email the signers of the version ``quote`` replaced; return how many were sent.

    A failed message is logged and the others still go out.
    """
    previous = quote.replaces
    if previous is None or email_suppressed("quote changed", quote.id):
        return 0
    sent = 0
    for old_signer in previous.signers:
        message = build_quote_changed(quote, old_signer, business)
        try:
            send_message(message)
        except Exception:
            logger.exception(
                "quote %s change email to signer %s failed", quote.id, old_signer.id
            )
            continue
        sent += 1
    return sent


def build_quote_changed(
    quote: Quote, old_signer: QuoteSigner, business: Business
) -> EmailMessage:
    current = _current_signer(quote, old_signer)
    if old_signer.role is SignerRole.COUNTERSIGNER:
        locale = known_locale(business.locale)
        action_url = public_url(f"/merchant/quotes/{quote.id}")
    else:
        locale = known_locale(quote.locale or business.locale)
        action_url = (
            public_url(f"/quotes/{quote.token}/sign/{current.token}?lang={locale}")
            if current is not None and current.token
            else None
        )
    with force_locale(locale):
        context = {
            "locale": locale,
            "business": business,
            "brand_color": quote.brand_color or brand_color(business),
            "logo_src": email_logo_url(business),
            "quote": quote,
            "signer": old_signer,
            "signed_before": old_signer.signed_at is not None,
            "still_signer": current is not None,
            "action_url": action_url,
        }
        subject = _(
            "Quote %(number)s from %(business)s has changed",
            number=quote.number,
            business=business.name,
        )
        return _compose(
            "emails/quote_changed",
            context,
            subject=subject,
            sender=sender_address(business.name),
            to=old_signer.email,
            reply_to=business.email,
        )


def _current_signer(quote: Quote, old_signer: QuoteSigner) -> QuoteSigner | None:
    for signer in quote.signers:
        if signer.email == old_signer.email and signer.role is old_signer.role:
            return signer
    return None
