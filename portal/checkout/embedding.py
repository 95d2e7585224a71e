"""The embed context: a checkout flow running inside another site's iframe.

embed.js opens ``/pay/<slug>?embed=<host page origin>``. Every page of the
flow that follows (the htmx summary updates, the submit, the authentication
step and the receipt) keeps ``?embed=`` in its links, forms and redirects.
While it is there, the response's ``frame-ancestors`` lists exactly the
link's allowed origins, or stays ``'none'`` when the link allows none.

The ``embed`` value names the host page's origin. It is only trusted as the
target of ``postMessage``, and only when the link allows it. A page that
claims another origin than its real parent posts nothing, because the
browser delivers a message only to the target origin it names.
"""

from dataclasses import dataclass

from flask import g, has_request_context, request
from sqlalchemy import select

from portal.checkout import blueprint
from portal.database import get_session
from portal.models import Payment, PaymentLink
from portal.origins import normalise_origin, origin_allowed
from portal.security import FRAME_ANCESTORS_NONE

EMBED_ARG = "embed"
# The pages a buyer can reach inside the iframe. PDFs open in a new tab
# instead, and other pages are never framed.
LINK_ENDPOINTS = frozenset({"checkout.checkout_page", "checkout.checkout_submit"})
PAYMENT_ENDPOINTS = frozenset(
    {"checkout.authenticate", "checkout.authenticate_submit", "checkout.receipt"}
)
EMBEDDED_ENDPOINTS = LINK_ENDPOINTS | PAYMENT_ENDPOINTS


@dataclass(frozen=True)
class EmbedContext:
    requested: str  # the ?embed= value, carried into the flow's URLs as it is
    # The host page's origin when the link allows it. Messages go only there.
    parent_origin: str | None


def current_embed() -> EmbedContext | None:
    """Return the embed context of this request, or None outside an embed."""
    if not has_request_context():
        return None
    return g.get("embed")


def frame_ancestors(allowed_origins: list[str]) -> str:
    """Return the ``frame-ancestors`` sources for a link's allowed origins."""
    return " ".join(allowed_origins) or FRAME_ANCESTORS_NONE


def enter_embed_context(link: PaymentLink, requested: str) -> EmbedContext:
    """Let the link's allowed origins frame this response, and note the parent."""
    try:
        parent = normalise_origin(requested, allow_any_port=False)
    except ValueError:
        parent = None
    if not origin_allowed(parent, link.allowed_origins):
        parent = None
    context = EmbedContext(requested=requested, parent_origin=parent)
    g.embed = context
    g.frame_ancestors = frame_ancestors(link.allowed_origins)
    return context


@blueprint.url_value_preprocessor
def open_embed_context(endpoint: str | None, values: dict | None) -> None:
    """Enter the embed context when a page of the flow is requested with ?embed=.

    A URL value preprocessor runs before every before-request function, the
    rate limiter's included, so a refused attempt's error page is framed too.
    """
    requested = request.args.get(EMBED_ARG)
    if requested is None or endpoint not in EMBEDDED_ENDPOINTS or not values:
        return
    link = None
    session = get_session()
    if endpoint in LINK_ENDPOINTS:
        link = session.scalars(
            select(PaymentLink).where(PaymentLink.slug == values.get("slug"))
        ).first()
    else:
        payment = session.scalars(
            select(Payment).where(Payment.token == values.get("token"))
        ).first()
        link = payment.link if payment is not None else None
    if link is not None:
        enter_embed_context(link, requested)


@blueprint.url_defaults
def keep_embed_context(endpoint: str, values: dict) -> None:
    """Carry ``?embed=`` into the links, forms and redirects of the flow."""
    embed = current_embed()
    if embed is not None and endpoint in EMBEDDED_ENDPOINTS:
        values.setdefault(EMBED_ARG, embed.requested)


@blueprint.context_processor
def embed_template_context() -> dict:
    return {"embed": current_embed()}
