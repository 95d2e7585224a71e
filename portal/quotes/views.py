"""The buyer's quote pages: the quote, its PDFs, each signer's page and paying.

Reached by the quote's unguessable token, and each buyer signer's page by
that signer's own token as well. A draft or a quote waiting for approval is
not shown, so an unknown token and an unpublished quote both get a 404.
"""

import logging

from flask import Blueprint, abort, make_response, render_template
from sqlalchemy import select

from portal.businesses import get_business
from portal.database import get_session, now_utc
from portal.documents.facts import address_lines, known_locale
from portal.extensions import client_address
from portal.i18n import current_locale
from portal.models import Quote, QuoteSigner, QuoteStatus
from portal.quotes.documents import prepared_for, render_quote_pdf
from portal.quotes.facts import quote_facts
from portal.quotes.signing import closed_reason, record_view

logger = logging.getLogger(__name__)

blueprint = Blueprint("quotes", __name__)

UNPUBLISHED = (QuoteStatus.DRAFT, QuoteStatus.PENDING_APPROVAL)
BUYER = "buyer"


@blueprint.after_request
def forbid_storing(response):
    """Keep quote pages, which show the buyer's details, out of caches."""
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


def load_quote(token: str) -> Quote:
    quote = get_session().scalars(select(Quote).where(Quote.token == token)).first()
    if quote is None or quote.status in UNPUBLISHED:
        abort(404)
    return quote


@blueprint.get("/quotes/<token>")
def quote_page(token: str):
    quote = load_quote(token)
    record_view(get_session(), quote, actor=BUYER, client_address=client_address())
    return render_quote(quote)


@blueprint.get("/quotes/<token>/pdf")
def quote_pdf(token: str):
    """Render the quote as it reads now, in the page's language."""
    quote = load_quote(token)
    business = get_business(get_session())
    pdf = render_quote_pdf(quote, business, current_locale())
    return _pdf_response(pdf, f"quote-{_file_number(quote)}.pdf")


@blueprint.get("/quotes/<token>/signed.pdf")
def signed_pdf(token: str):
    """Serve the signed PDF exactly as it was stored after the last signature."""
    quote = load_quote(token)
    if quote.signed_pdf_digest is None:
        abort(404)
    response = _pdf_response(
        quote.signed_pdf, f"quote-{_file_number(quote)}-signed.pdf"
    )
    response.headers["Digest"] = f"sha-256={quote.signed_pdf_digest}"
    return response


def render_quote(
    quote: Quote,
    *,
    signer: QuoteSigner | None = None,
    signing: dict[str, object] | None = None,
    paying: dict[str, object] | None = None,
    status: int = 200,
):
    """Render the quote page, or a signer's page when ``signer`` is given.

    ``signing`` and ``paying`` carry the sign and pay forms' values, errors
    and messages; views fill them in ``portal.quotes.signing_views`` and
    ``portal.quotes.pay_views``.
    """
    from portal.quotes.pay_views import payment_context

    session = get_session()
    business = get_business(session)
    locale = known_locale(current_locale())
    now = now_utc()
    buyer = prepared_for(quote)
    page = render_template(
        "quotes/page.html",
        business=business,
        quote=quote,
        facts=quote_facts(quote, business, locale, now),
        buyer=buyer,
        buyer_address=address_lines(buyer, locale),
        closed=closed_reason(quote, now, business.timezone),
        newer_version=_newer_version(quote),
        signer=signer,
        signing=signing or {},
        payment=payment_context(quote, business, paying or {}),
    )
    return page, status


def _newer_version(quote: Quote) -> Quote | None:
    """Return the published version that replaced ``quote``, if any."""
    if quote.status is not QuoteStatus.VOID:
        return None
    newer = (
        get_session()
        .scalars(select(Quote).where(Quote.replaces_id == quote.id))
        .first()
    )
    if newer is None or newer.status in UNPUBLISHED:
        return None
    return newer


def _file_number(quote: Quote) -> str:
    return (quote.display_number or "quote").replace(" ", "-")


def _pdf_response(pdf: bytes, filename: str):
    response = make_response(pdf)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# Importing the other view modules registers their routes on the blueprint.
from portal.quotes import pay_views, signing_views  # noqa: E402, F401
