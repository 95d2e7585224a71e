"""Rendering an index page, or only its results for htmx, and its CSV export.

One URL returns the whole page or the ``#index-results`` element that htmx
swaps in, so every response carries ``Vary: HX-Request``. A history
restore by htmx gets the whole page. Bad filter values get status 400 with
a message per field.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import (
    Response,
    current_app,
    make_response,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from sqlalchemy import select

from portal.database import get_session, new_session, now_utc
from portal.listing import invoices, payment_links, payments, quotes, subscriptions
from portal.listing.context import ListingContext
from portal.listing.cursor import CursorCodec, CursorError
from portal.listing.definition import IndexDefinition, Sort, ValueKind
from portal.listing.export import csv_chunks
from portal.listing.filters import Choice, QueryArgs
from portal.listing.query import (
    PAGE_SIZES,
    Page,
    ParsedQuery,
    Position,
    count_matching,
    fetch_page,
    iterate_rows,
    parse_query,
    query_pairs,
)
from portal.listing.saved_views import visible_view, visible_views
from portal.listing.sharing import may_delete
from portal.merchant.context import current_staff
from portal.merchant.layout import business_or_none
from portal.merchant.optional_urls import optional_url
from portal.models import PaymentLink, SavedView

AFTER = "after"
BEFORE = "before"
VIEW = "view"


@dataclass
class IndexPage:
    """Everything the index templates show, and the URLs they link to."""

    definition: IndexDefinition
    endpoint: str
    export_endpoint: str
    url_values: dict[str, Any]  # URL values of the endpoint, such as list_id
    parsed: ParsedQuery
    errors: dict[str, str]
    raw: dict[str, list[str]]  # the query string as sent, to show in the form
    page: Page | None = None
    total: int | None = None
    choices: dict[str, list[Choice]] = field(default_factory=dict)
    views: list[SavedView] = field(default_factory=list)
    current_view: SavedView | None = None
    has_cursor: bool = False
    can_save_view: bool = False
    next_url: str | None = None
    previous_url: str | None = None
    cursor: tuple[str, str] | None = None  # the valid ``after`` or ``before`` pair

    @property
    def pairs(self) -> list[tuple[str, str]]:
        return query_pairs(self.definition, self.parsed)

    @property
    def query(self) -> str:
        return urlencode(self.pairs)

    @property
    def save_query(self) -> str:
        """Return the query a saved view would store: canonical, or as sent if invalid.

        Saving an invalid query is rejected with the same message the page shows.
        """
        if not self.errors:
            return self.query
        pairs = [
            (name, value)
            for name, values in self.raw.items()
            if name not in (AFTER, BEFORE, VIEW)
            for value in values
            if value
        ]
        return urlencode(pairs)

    def url(self, pairs: Iterable[tuple[str, str]] | None = None) -> str:
        """Return the index URL with ``pairs``, by default the current filters."""
        base = url_for(self.endpoint, **self.url_values)
        query = urlencode(list(self.pairs if pairs is None else pairs))
        return f"{base}?{query}" if query else base

    def page_url(self) -> str:
        """Return the URL of the page shown: the current filters and its cursor."""
        if self.cursor is None:
            return self.url()
        return self.url([*self.pairs, self.cursor])

    def export_url(self) -> str:
        base = url_for(self.export_endpoint, **self.url_values)
        return f"{base}?{self.query}" if self.query else base

    def sort_url(self, key: str) -> str:
        """Return the URL sorted by ``key``: flipped when already sorted by it.

        A new text column sorts A to Z first; other columns largest or newest first.
        """
        sort_key = self.definition.sort_key(key)
        current = self.parsed.sort
        if current.key.key == key:
            descending = not current.descending
        else:
            descending = sort_key.kind is not ValueKind.TEXT
        param = Sort(sort_key, descending).param
        pairs = [pair for pair in self.pairs if pair[0] != "sort"]
        return self.url([*pairs, ("sort", param)])

    def value(self, param: str) -> str:
        values = self.raw.get(param) or [""]
        return values[0]

    def values(self, param: str) -> list[str]:
        return self.raw.get(param, [])


# Functions the row templates call to label statuses and build links.
ROW_HELPERS = {
    "optional_url": optional_url,
    "page_sizes": PAGE_SIZES,
    "payment_status_label": payments.status_label,
    "invoice_status": invoices.shown_status,
    "invoice_status_labels": invoices.STATUS_LABELS,
    "link_status": payment_links.shown_status,
    "link_status_labels": payment_links.STATUS_LABELS,
    "subscription_status_labels": subscriptions.STATUS_LABELS,
    "subscription_frequency_labels": subscriptions.FREQUENCY_LABELS,
    "subscription_collection_labels": subscriptions.COLLECTION_LABELS,
    "quote_status": quotes.shown_status,
    "quote_status_labels": quotes.STATUS_LABELS,
}


def _local_time(listing: ListingContext, value: datetime) -> str:
    """Format a stored timestamp as a local date and time, such as 2026-12-04 09:30."""
    return listing.local_datetime(value).strftime("%Y-%m-%d %H:%M")


def listing_context() -> ListingContext:
    business = business_or_none()
    return ListingContext(business.timezone if business else "UTC", now_utc())


def cursor_codec() -> CursorCodec:
    return CursorCodec(current_app.secret_key)


def build_index_page(
    definition: IndexDefinition,
    *,
    endpoint: str,
    export_endpoint: str,
    url_values: dict[str, Any] | None = None,
    saved_views: bool = True,
    args: QueryArgs | None = None,
) -> IndexPage:
    """Parse the query string, or ``args``, and read the requested page of rows."""
    raw = (
        request.args.to_dict(flat=False)
        if args is None
        else {key: list(values) for key, values in args.items()}
    )
    parsed = parse_query(definition, raw)
    index = IndexPage(
        definition=definition,
        endpoint=endpoint,
        export_endpoint=export_endpoint,
        url_values=url_values or {},
        parsed=parsed,
        errors=dict(parsed.errors),
        raw=raw,
    )
    session = get_session()
    index.choices = _choices(definition, parsed)
    if saved_views:
        index.can_save_view = True
        staff = current_staff()
        index.views = visible_views(session, staff, definition)
        index.current_view = _current_view(staff, index)

    after, before = _positions(index)
    if index.errors:
        return index
    context = listing_context()
    index.page = fetch_page(
        session, definition, parsed, context, after=after, before=before
    )
    index.total = count_matching(session, definition, parsed, context)
    index.has_cursor = after is not None or before is not None
    codec = cursor_codec()
    if index.page.next_position is not None:
        token = codec.encode(definition, parsed.sort, index.page.next_position)
        index.next_url = index.url([*index.pairs, (AFTER, token)])
    if index.page.previous_position is not None:
        token = codec.encode(definition, parsed.sort, index.page.previous_position)
        index.previous_url = index.url([*index.pairs, (BEFORE, token)])
    return index


def _positions(index: IndexPage) -> tuple[Position | None, Position | None]:
    """Decode the ``after`` or ``before`` cursor; a bad one becomes a 400 message."""
    tokens = {
        name: values[0]
        for name in (AFTER, BEFORE)
        if (values := [value for value in index.raw.get(name, []) if value])
    }
    if not tokens:
        return None, None
    if len(tokens) > 1:
        index.errors[AFTER] = "A page link has both after and before; use one."
        return None, None
    (name, token), *_rest = tokens.items()
    if index.errors:
        return None, None
    try:
        position = cursor_codec().decode(index.definition, index.parsed.sort, token)
    except CursorError as error:
        index.errors[name] = str(error)
        return None, None
    index.cursor = (name, token)
    return (position, None) if name == AFTER else (None, position)


def _current_view(staff, index: IndexPage) -> SavedView | None:
    """Return the saved view named in ``?view=`` when the page shows its filters."""
    text = index.value(VIEW)
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    view = visible_view(get_session(), staff, int(text))
    if view is None or view.index_name != index.definition.name:
        return None
    return view if view.query == index.query else None


def _choices(
    definition: IndexDefinition, parsed: ParsedQuery
) -> dict[str, list[Choice]]:
    """Return the options of the currency and payment link selects."""
    choices: dict[str, list[Choice]] = {}
    keys = {item.key for item in definition.filters}
    if "currency" in keys:
        business = business_or_none()
        codes = list(business.currencies) if business else []
        chosen = parsed.values.get("currency")
        if chosen and chosen not in codes:
            codes.append(chosen)
        choices["currency"] = [Choice(code, code) for code in codes]
    if "link" in keys:
        rows = get_session().execute(
            select(PaymentLink.id, PaymentLink.title).order_by(
                PaymentLink.title, PaymentLink.id
            )
        )
        choices["link"] = [Choice(str(link_id), title) for link_id, title in rows]
    return choices


def wants_results_only() -> bool:
    """True for an htmx request that swaps the results, not a history restore."""
    htmx = request.headers.get("HX-Request") == "true"
    boosted = request.headers.get("HX-Boosted") == "true"
    restoring = request.headers.get("HX-History-Restore-Request") == "true"
    return htmx and not boosted and not restoring


def render_index(
    index: IndexPage, template: str, row_template: str, **context: Any
) -> Response:
    """Render the whole page, or only ``#index-results`` for htmx, with Vary set."""
    results_only = wants_results_only()
    listing = listing_context()
    values = {
        "index": index,
        "row_template": row_template,
        "listing": listing,
        "oob": results_only,
        "save_form": None,
        "save_error": None,
        **ROW_HELPERS,
        "local_time": lambda value: _local_time(listing, value),
        "may_delete_view": lambda view: may_delete(current_staff(), view),
        **context,
    }
    if results_only:
        body = render_template("merchant/index/partials/index_results.html", **values)
    else:
        body = render_template(template, **values)
    response = make_response(body, 400 if index.errors else 200)
    response.vary.add("HX-Request")
    response.vary.add("HX-History-Restore-Request")
    if results_only and not index.errors:
        # History keeps the canonical URL rather than every empty form field,
        # with the cursor so that a reload shows the same page.
        response.headers["HX-Push-Url"] = index.page_url()
    return response


def export_csv(definition: IndexDefinition, filename: str) -> Response:
    """Stream every row of the filtered index as CSV, or a 400 naming bad values."""
    parsed = parse_query(definition, request.args.to_dict(flat=False))
    if not parsed.valid:
        message = "\n".join(parsed.errors.values()) + "\n"
        return Response(message, status=400, mimetype="text/plain")
    context = listing_context()

    def generate() -> Iterator[str]:
        # The request's own session is closed once the view returns, before
        # the body is sent, so the export reads through a session of its own.
        with new_session() as session:
            rows = iterate_rows(session, definition, parsed, context)
            yield from csv_chunks(definition.csv_columns, rows, context)

    response = Response(
        stream_with_context(generate()), content_type="text/csv; charset=utf-8"
    )
    today = context.today.isoformat()
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{filename}-{today}.csv"'
    )
    return response
