"""The quote's PDF, and the signed PDF that ends with a signature certificate.

The signed PDF is rendered once, when the last signature accepts the quote,
and stored with its SHA-256 digest; downloads serve those stored bytes.
"""

import hashlib
from pathlib import Path

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from portal.database import now_utc
from portal.documents.facts import address_lines, known_locale, local_datetime
from portal.documents.pdf import StaticFileFetcher, logo_file_uri, static_root
from portal.invoices.drafts import contact_billing
from portal.models import BillingDetails, Business, Quote, QuoteSigner, SignerRole
from portal.quotes.consent import UnknownConsentVersion, consent_text
from portal.quotes.facts import quote_facts
from portal.quotes.signing import PNG_DATA_URL


class SignatureImageFetcher(StaticFileFetcher):
    """Fetch files under ``static/`` and drawn signatures, which are PNG data: URLs.

    Every other URL is rejected, as ``StaticFileFetcher`` does.
    """

    def __init__(self, root: Path) -> None:
        URLFetcher.__init__(self, allowed_protocols=["file", "data"])
        self.root = root.resolve()

    def fetch(self, url, headers=None):
        if url.startswith(PNG_DATA_URL):
            return URLFetcher.fetch(self, url, headers)
        return super().fetch(url, headers)


def quote_locale(quote: Quote, business: Business) -> str:
    """Return the language of the quote's PDF and emails."""
    return known_locale(quote.locale or business.locale)


def render_quote_pdf(quote: Quote, business: Business, locale: str) -> bytes:
    """Render the quote as it reads now, without the signature certificate."""
    return _html_to_pdf(_render(quote, business, known_locale(locale), False))


def render_signed_pdf(quote: Quote, business: Business) -> bytes:
    """Render the signed quote, ending with its signature certificate page."""
    html = _render(quote, business, quote_locale(quote, business), True)
    return _html_to_pdf(html)


def store_signed_pdf(quote: Quote, business: Business) -> str:
    """Render the signed PDF into the quote, with its digest, unless it has one.

    Returns the SHA-256 (hex) of the stored bytes. The caller commits.
    """
    if quote.signed_pdf_digest is not None:
        return quote.signed_pdf_digest
    pdf = render_signed_pdf(quote, business)
    quote.signed_pdf = pdf
    quote.signed_pdf_digest = hashlib.sha256(pdf).hexdigest()
    return quote.signed_pdf_digest


def prepared_for(quote: Quote) -> BillingDetails:
    """Return the buyer's details: the order's bill-to, or the contact's."""
    return quote.order.billing or contact_billing(quote.contact)


def _render(quote: Quote, business: Business, locale: str, certificate: bool) -> str:
    buyer = prepared_for(quote)
    with force_locale(locale):
        facts = quote_facts(quote, business, locale, now_utc())
        return render_template(
            "documents/quote.html",
            locale=locale,
            business=business,
            business_address=(business.address or "").splitlines(),
            logo=logo_file_uri(quote.logo_url, business.id),
            quote=quote,
            facts=facts,
            brand_color=facts.brand_color,
            buyer=buyer,
            buyer_address=address_lines(buyer, locale),
            published=local_datetime(quote.published_at, business.timezone, locale),
            certificate=_certificate(quote, business, locale) if certificate else None,
        )


def _certificate(quote: Quote, business: Business, locale: str) -> dict[str, object]:
    """Return the signature certificate's facts: each signer's evidence."""
    return {
        "content_digest": quote.content_digest,
        "accepted": _utc_text(quote.accepted_at),
        "signers": [
            _signer_evidence(signer, business, locale)
            for signer in quote.signers
            if signer.signed_at is not None
        ],
    }


def _signer_evidence(
    signer: QuoteSigner, business: Business, locale: str
) -> dict[str, object]:
    try:
        consent = consent_text(locale, business.name, signer.consent_version or "")
    except UnknownConsentVersion:
        consent = None
    role = _("Buyer") if signer.role is SignerRole.BUYER else _("Countersigner")
    return {
        "name": signer.name,
        "email": signer.email,
        "role": role,
        "typed_name": signer.typed_name,
        "drawn_signature": signer.drawn_signature,
        "signed_at": _utc_text(signer.signed_at),
        "terms_shown_at": _utc_text(signer.terms_shown_at),
        "client_address": signer.client_address or _("Not recorded"),
        "user_agent": signer.user_agent or _("Not recorded"),
        "consent_version": signer.consent_version,
        "consent_text": consent,
        "signed_digest": signer.signed_digest,
    }


def _utc_text(moment) -> str | None:
    """Format a timestamp in UTC to the second, such as "2027-03-01 09:30:00 UTC"."""
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _html_to_pdf(html: str) -> bytes:
    root = static_root()
    document = HTML(
        string=html,
        base_url=root.resolve().as_uri() + "/",
        url_fetcher=SignatureImageFetcher(root),
    )
    return document.write_pdf()
