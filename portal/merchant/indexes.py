"""The index pages of payments, invoices, links, contacts and quotes, and their CSV."""

from dataclasses import dataclass

from flask import Response

from portal.listing.definition import IndexDefinition
from portal.listing.filters import QueryArgs
from portal.listing.registry import INDEXES
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.context import current_staff
from portal.merchant.index_page import build_index_page, export_csv, render_index
from portal.merchant.optional_urls import optional_url
from portal.merchant.permissions import Permission, has_permission
from portal.models import IndexName


@dataclass(frozen=True, slots=True)
class IndexPageRoute:
    endpoint: str
    export_endpoint: str
    row_template: str
    filename: str  # start of the CSV file's name


ROUTES = {
    IndexName.PAYMENTS: IndexPageRoute(
        "merchant.payments",
        "merchant.payments_csv",
        "merchant/index/rows/payments.html",
        "payments",
    ),
    IndexName.INVOICES: IndexPageRoute(
        "merchant.invoices",
        "merchant.invoices_csv",
        "merchant/index/rows/invoices.html",
        "invoices",
    ),
    IndexName.PAYMENT_LINKS: IndexPageRoute(
        "merchant.payment_links",
        "merchant.payment_links_csv",
        "merchant/index/rows/payment_links.html",
        "payment-links",
    ),
    IndexName.CONTACTS: IndexPageRoute(
        "merchant.contacts",
        "merchant.contacts_csv",
        "merchant/index/rows/contacts.html",
        "contacts",
    ),
    IndexName.SUBSCRIPTIONS: IndexPageRoute(
        "merchant.subscriptions",
        "merchant.subscriptions_csv",
        "merchant/index/rows/subscriptions.html",
        "subscriptions",
    ),
    IndexName.QUOTES: IndexPageRoute(
        "merchant.quotes",
        "merchant.quotes_csv",
        "merchant/index/rows/quotes.html",
        "quotes",
    ),
}


def show_index(
    definition: IndexDefinition,
    args: QueryArgs | None = None,
    *,
    status: int | None = None,
    **context: object,
) -> Response:
    """Render an index page for the request's query string or for ``args``."""
    route = ROUTES[definition.name]
    index = build_index_page(
        definition,
        endpoint=route.endpoint,
        export_endpoint=route.export_endpoint,
        args=args,
    )
    response = render_index(
        index, "merchant/index/page.html", route.row_template, **context
    )
    if status is not None and response.status_code == 200:
        response.status_code = status
    return response


def _export(name: IndexName) -> Response:
    return export_csv(INDEXES[name], ROUTES[name].filename)


@blueprint.get("/payments")
@requires(Permission.VIEW)
def payments():
    return show_index(INDEXES[IndexName.PAYMENTS])


@blueprint.get("/payments.csv")
@requires(Permission.VIEW)
def payments_csv():
    return _export(IndexName.PAYMENTS)


@blueprint.get("/invoices")
@requires(Permission.VIEW)
def invoices():
    return show_index(INDEXES[IndexName.INVOICES])


@blueprint.get("/invoices.csv")
@requires(Permission.VIEW)
def invoices_csv():
    return _export(IndexName.INVOICES)


@blueprint.get("/links")
@requires(Permission.VIEW)
def payment_links():
    return show_index(INDEXES[IndexName.PAYMENT_LINKS])


@blueprint.get("/links.csv")
@requires(Permission.VIEW)
def payment_links_csv():
    return _export(IndexName.PAYMENT_LINKS)


@blueprint.get("/contacts")
@requires(Permission.VIEW)
def contacts():
    return show_index(INDEXES[IndexName.CONTACTS])


@blueprint.get("/contacts.csv")
@requires(Permission.VIEW)
def contacts_csv():
    return _export(IndexName.CONTACTS)


@blueprint.get("/quotes")
@requires(Permission.VIEW)
def quotes():
    new_quote = None
    if has_permission(current_staff().role, Permission.SELL):
        new_quote = optional_url("merchant.new_quote")
    return show_index(
        INDEXES[IndexName.QUOTES],
        new_record_url=new_quote,
        new_record_label="New quote",
    )


@blueprint.get("/quotes.csv")
@requires(Permission.VIEW)
def quotes_csv():
    return _export(IndexName.QUOTES)
