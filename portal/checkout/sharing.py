"""Ways to put a payment link elsewhere: QR codes, embed settings, snippets."""

from dataclasses import dataclass

from flask import abort, jsonify, make_response, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from portal.businesses import get_business
from portal.checkout import blueprint
from portal.checkout.embeds import (
    EmbedSnippets,
    build_snippets,
    checkout_url,
    text_color_on,
)
from portal.checkout.qr import qr_png, qr_svg
from portal.database import get_session
from portal.models import PaymentLink
from portal.origins import origin_allowed
from portal.urls import public_url

# A QR code changes only when the public URL does, so caches may keep it a day.
QR_MAX_AGE = 24 * 3600


@dataclass(frozen=True)
class LinkShare:
    """The URLs and snippets that the back office shows to share one payment link."""

    checkout_url: str
    snippets: EmbedSnippets
    qr_svg_url: str
    qr_png_url: str
    allowed_origins: list[str]


def public_base_url() -> str:
    return public_url("/").rstrip("/")


def find_link(slug: str) -> PaymentLink:
    link = (
        get_session().scalars(select(PaymentLink).where(PaymentLink.slug == slug))
    ).first()
    if link is None:
        abort(404)
    return link


@blueprint.app_template_global()
def link_share(link: PaymentLink) -> LinkShare:
    base_url = public_base_url()
    business = get_business(get_session())
    return LinkShare(
        checkout_url=checkout_url(link, base_url),
        snippets=build_snippets(link, base_url, business.brand_color),
        qr_svg_url=url_for("checkout.link_qr_svg", slug=link.slug),
        qr_png_url=url_for("checkout.link_qr_png", slug=link.slug),
        allowed_origins=list(link.allowed_origins),
    )


@blueprint.get("/pay/<slug>/qr.svg")
def link_qr_svg(slug: str):
    link = find_link(slug)
    return _qr_response(qr_svg(checkout_url(link, public_base_url())), "image/svg+xml")


@blueprint.get("/pay/<slug>/qr.png")
def link_qr_png(slug: str):
    link = find_link(slug)
    return _qr_response(qr_png(checkout_url(link, public_base_url())), "image/png")


def _qr_response(body: bytes, mimetype: str):
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Cache-Control"] = f"public, max-age={QR_MAX_AGE}"
    response.add_etag()
    return response.make_conditional(request)


@blueprint.get("/pay/<slug>/embed.json")
def embed_settings(slug: str):
    """Tell embed.js whether the requesting page may frame the checkout.

    The result depends on the browser's ``Origin`` header, which a page
    cannot forge. Any page may read it, because it reveals only what the
    checkout page shows and whether that page's own origin is allowed.
    """
    link = find_link(slug)
    brand_color = get_business(get_session()).brand_color
    response = jsonify(
        frameable=origin_allowed(request.headers.get("Origin"), link.allowed_origins),
        title=link.title,
        color=brand_color,
        textColor=text_color_on(brand_color),
        close=_("Close the checkout"),
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.vary.update(("Origin", "Accept-Language"))
    return response
