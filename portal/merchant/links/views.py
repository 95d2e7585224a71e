"""Creating and editing payment links.

The editor's Add and Remove buttons work in two ways. With htmx they fetch
or drop one row (``portal.merchant.links.rows``). Without JavaScript they
submit the whole form with an ``editor`` value, and the form comes back with
the row added or removed and nothing saved.
"""

import logging

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError

from portal.catalog.errors import CatalogError, InvalidInput
from portal.catalog.idempotency import valid_key
from portal.catalog.text import parse_id
from portal.database import get_session, now_utc
from portal.links.reading import read_link
from portal.links.revision import CONFLICT_MESSAGE, link_revision, lock_link
from portal.links.saving import create_link, update_link
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.catalog.common import start_key
from portal.merchant.editing import (
    KEY_MISSING,
    attach_errors,
    created_before,
    record_changed,
    record_created,
    require_business,
)
from portal.merchant.links.editor import (
    editor_choices,
    fill_choices,
    form_data_of,
    form_values,
    next_index,
    remove_row,
)
from portal.merchant.links.forms import LinkForm
from portal.merchant.links.loading import load_link
from portal.merchant.permissions import Permission
from portal.models import Business, Collect, PaymentLink, Price

logger = logging.getLogger(__name__)

SUBJECT = "payment_link"
SLUG_TAKEN = "Another payment link already has this URL ending. Choose another one."


def _render_editor(
    form: LinkForm,
    business: Business,
    link: PaymentLink | None = None,
    errors: list[str] | None = None,
    status: int = 200,
):
    fill_choices(form, editor_choices(get_session(), business, link))
    if link is None:
        start_key(form)
    page = render_template(
        "merchant/links/editor.html",
        form=form,
        link=link,
        errors=errors or [],
        timezone=business.timezone,
        next_item_index=next_index(form.items),
        next_field_index=next_index(form.custom_fields),
    )
    return page, status


def _apply_editor_action(form: LinkForm) -> bool:
    """Add or remove a row when the form was sent by such a button, not by Save."""
    action = request.form.get("editor", "")
    if action == "add_item":
        form.items.append_entry()
    elif action == "add_field":
        form.custom_fields.append_entry()
    elif action.startswith("remove_item:"):
        remove_row(form.items, action.removeprefix("remove_item:"))
    elif action.startswith("remove_field:"):
        remove_row(form.custom_fields, action.removeprefix("remove_field:"))
    else:
        return False
    return True


@blueprint.get("/links/new")
@requires(Permission.SELL)
def new_link():
    business = require_business()
    # "Create payment link" on a product page starts the link with that price.
    price_id = parse_id(request.args.get("price_id"))
    price = get_session().get(Price, price_id) if price_id else None
    form = LinkForm(
        formdata=None,
        title=price.product.name if price else "",
        currency=price.currency if price else business.currency,
        items=[{"price_id": str(price.id) if price else ""}],
        collect_name=Collect.OPTIONAL.value,
        collect_address=Collect.OFF.value,
        collect_phone=Collect.OFF.value,
    )
    return _render_editor(form, business)


@blueprint.post("/links/new")
@requires(Permission.SELL)
def create_link_view():
    business = require_business()
    form = LinkForm()
    if _apply_editor_action(form):
        return _render_editor(form, business)
    if not form.validate_on_submit():
        return _render_editor(form, business, status=422)
    if not valid_key(form.key.data):
        return _render_editor(form, business, errors=[KEY_MISSING], status=422)

    session = get_session()
    existing = created_before(session, SUBJECT, form.key.data)
    if existing is not None:
        session.rollback()
        return redirect(url_for("merchant.link_detail", link_id=existing), 303)
    data, items, fields = form_values(form)
    try:
        values = read_link(
            session,
            data,
            items,
            fields,
            currencies=business.currencies,
            timezone=business.timezone,
            now=now_utc(),
        )
        link = create_link(session, values)
    except InvalidInput as error:
        session.rollback()
        return _render_editor(
            form, business, errors=attach_errors(form, error.errors), status=422
        )
    except CatalogError as error:
        session.rollback()
        errors = attach_errors(form, {error.field or "form": error.message})
        return _render_editor(form, business, errors=errors, status=422)

    record_created(session, SUBJECT, link.id, form.key.data, {"slug": link.slug})
    try:
        session.commit()
    except IntegrityError:
        # Another link took the slug between the check and the commit.
        session.rollback()
        logger.warning("new payment link's slug was taken before commit")
        errors = attach_errors(form, {"slug": SLUG_TAKEN})
        return _render_editor(form, business, errors=errors, status=409)
    logger.info("payment link %s created", link.id)
    flash(f"Payment link {link.title} is created.", "success")
    return redirect(url_for("merchant.link_detail", link_id=link.id), 303)


@blueprint.get("/links/<int:link_id>/edit")
@requires(Permission.SELL)
def edit_link(link_id: int):
    business = require_business()
    link = load_link(link_id)
    form = LinkForm(formdata=None, data=form_data_of(link, business.timezone))
    form.revision.data = link_revision(link)
    return _render_editor(form, business, link)


@blueprint.post("/links/<int:link_id>/edit")
@requires(Permission.SELL)
def update_link_view(link_id: int):
    business = require_business()
    link = load_link(link_id)
    form = LinkForm()
    if _apply_editor_action(form):
        return _render_editor(form, business, link)
    if not form.validate_on_submit():
        return _render_editor(form, business, link, status=422)

    session = get_session()
    lock_link(session, link_id)
    # Read the link again under the lock, as the last save committed it.
    session.expire_all()
    link = load_link(link_id)
    if form.revision.data != link_revision(link):
        session.rollback()
        logger.info("payment link %s: save from an outdated form rejected", link_id)
        return _render_editor(form, business, link, [CONFLICT_MESSAGE], 409)
    data, items, fields = form_values(form)
    try:
        values = read_link(
            session,
            data,
            items,
            fields,
            currencies=business.currencies,
            timezone=business.timezone,
            now=now_utc(),
            current=link,
        )
        changes = update_link(session, link, values)
    except InvalidInput as error:
        session.rollback()
        errors = attach_errors(form, error.errors)
        return _render_editor(form, business, link, errors, 422)
    except CatalogError as error:
        session.rollback()
        errors = attach_errors(form, {error.field or "form": error.message})
        return _render_editor(form, business, link, errors, 422)

    if changes:
        record_changed(session, SUBJECT, link.id, changes)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            logger.warning("payment link %s: slug was taken before commit", link_id)
            errors = attach_errors(form, {"slug": SLUG_TAKEN})
            return _render_editor(form, business, link, errors, 409)
        logger.info("payment link %s changed: %s", link.id, sorted(changes))
    flash("Payment link saved." if changes else "Nothing was changed.", "success")
    return redirect(url_for("merchant.link_detail", link_id=link.id), 303)
