"""Saving, reopening and deleting the saved views of the index pages."""

from urllib.parse import urlencode

from flask import abort, flash, redirect, render_template, url_for

from portal.database import get_session
from portal.listing import saved_views as store
from portal.listing.registry import index_definition
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.context import current_staff
from portal.merchant.index_page import VIEW
from portal.merchant.indexes import ROUTES, show_index
from portal.merchant.list_forms import DeleteForm, SavedViewForm
from portal.merchant.permissions import Permission
from portal.models import SavedView


def view_url(view: SavedView) -> str:
    """Return the index URL that shows the view's filters under its name."""
    base = url_for(ROUTES[view.index_name].endpoint)
    separator = "&" if view.query else ""
    return f"{base}?{view.query}{separator}{urlencode({VIEW: view.id})}"


@blueprint.post("/views")
@requires(Permission.VIEW)
def save_view():
    form = SavedViewForm()
    definition = index_definition(form.index.data or "")
    if definition is None:
        message = "Views are saved from the index pages. Go back and try again."
        return render_template(
            "errors.html", title="Unknown index", message=message
        ), 400
    if not form.validate_on_submit():
        return _save_failed(definition, form, "The form expired. Save the view again.")

    session = get_session()
    try:
        view = store.save_view(
            session,
            current_staff(),
            definition,
            name=form.name.data or "",
            query=form.query.data or "",
            shared=form.shared.data,
        )
    except store.SavedViewError as error:
        session.rollback()
        return _save_failed(definition, form, str(error))
    session.commit()
    flash(f"Saved the view {view.name!r}.", "success")
    return redirect(view_url(view), 303)


def _index_endpoint(name: str) -> str:
    definition = index_definition(name)
    return ROUTES[definition.name].endpoint if definition else "merchant.dashboard"


def _save_failed(definition, form: SavedViewForm, message: str):
    args = store.query_args(form.query.data or "")
    return show_index(definition, args, status=422, save_form=form, save_error=message)


@blueprint.get("/views/<int:view_id>")
@requires(Permission.VIEW)
def open_view(view_id: int):
    view = store.visible_view(get_session(), current_staff(), view_id)
    if view is None:
        abort(404)
    return redirect(view_url(view))


@blueprint.post("/views/<int:view_id>/delete")
@requires(Permission.VIEW)
def delete_view(view_id: int):
    form = DeleteForm()
    session = get_session()
    view = store.visible_view(session, current_staff(), view_id)
    if view is None:
        # A second click on Delete lands here after the first one succeeded.
        flash("That view no longer exists.", "info")
        return redirect(url_for(_index_endpoint(form.index.data or "")), 303)
    try:
        store.delete_view(session, current_staff(), view)
    except store.SavedViewError as error:
        abort(403, description=str(error))
    session.commit()
    flash(f"Deleted the view {view.name!r}.", "success")
    return redirect(url_for(ROUTES[view.index_name].endpoint), 303)
