"""The email that carries a customer's sign-in link."""

from email.message import EmailMessage

from flask_babel import force_locale
from flask_babel import gettext as _

from portal.documents.facts import brand_color, known_locale
from portal.models import Business
from portal.notifications.logos import email_logo_url
from portal.notifications.mailer import sender_address
from portal.notifications.payments import _compose


def build_sign_in_message(
    *, to: str, link_url: str, business: Business, locale: str, minutes: int
) -> EmailMessage:
    """Build the sign-in email to ``to`` with the link that is valid ``minutes``."""
    locale = known_locale(locale)
    with force_locale(locale):
        context = {
            "locale": locale,
            "business": business,
            "brand_color": brand_color(business),
            "logo_src": email_logo_url(business),
            "link_url": link_url,
            "minutes": minutes,
        }
        return _compose(
            "account/emails/sign_in",
            context,
            subject=_("Sign in to your %(business)s account", business=business.name),
            sender=sender_address(business.name),
            to=to,
            reply_to=business.email,
        )
