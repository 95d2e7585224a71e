"""Rows that htmx adds to and removes from the payment link editor.

Each response that adds a row also replaces the Add button out of band, so
that the next click requests the next row number.
"""

from flask import make_response, render_template, request

from portal.database import get_session
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.editing import require_business
from portal.merchant.links.editor import (
    editor_choices,
    new_custom_field_row,
    new_item_row,
)
from portal.merchant.permissions import Permission

# Row numbers only name form fields; this bound keeps them short.
MAX_ROW_INDEX = 10_000


def _row_index() -> int:
    return request.args.get("index", 0, type=int) % MAX_ROW_INDEX


@blueprint.get("/links/rows/item")
@requires(Permission.SELL)
def link_item_row():
    index = _row_index()
    choices = editor_choices(get_session(), require_business())
    body = render_template(
        "merchant/links/partials/item_row_added.html",
        row=new_item_row(index, choices),
        row_name=f"items-{index}",
        next_index=index + 1,
    )
    return make_response(body)


@blueprint.get("/links/rows/custom-field")
@requires(Permission.SELL)
def link_custom_field_row():
    index = _row_index()
    body = render_template(
        "merchant/links/partials/custom_field_row_added.html",
        row=new_custom_field_row(index),
        row_name=f"custom_fields-{index}",
        next_index=index + 1,
    )
    return make_response(body)


@blueprint.get("/links/rows/removed")
@requires(Permission.SELL)
def link_row_removed():
    """Return an empty response to a Remove button, whose ``hx-swap="delete"``
    drops the row."""
    return make_response("")
