"""Contact lists: the list of lists, the criteria builder, members and their CSV."""

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from portal.contact_lists import store
from portal.contact_lists.criteria import (
    CriteriaError,
    criteria_from_form,
    criteria_from_json,
    criteria_to_form,
)
from portal.database import get_session
from portal.listing.query import count_matching, parse_query
from portal.listing.sharing import may_delete, may_edit
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.context import current_staff
from portal.merchant.index_page import (
    build_index_page,
    export_csv,
    listing_context,
    render_index,
)
from portal.merchant.layout import business_or_none
from portal.merchant.list_forms import ContactListForm
from portal.merchant.permissions import Permission, has_permission
from portal.models import ContactList, PaymentLink


@blueprint.get("/lists")
@requires(Permission.VIEW)
def lists():
    session = get_session()
    context = listing_context()
    summaries = []
    for contact_list in store.visible_lists(session, current_staff()):
        try:
            definition = store.members_definition(contact_list, context)
            criteria = criteria_from_json(contact_list.criteria)
        except CriteriaError as error:
            summaries.append((contact_list, str(error), None))
            continue
        count = count_matching(
            session, definition, parse_query(definition, {}), context
        )
        titles = store.link_titles(session, criteria)
        described = " and ".join(criterion.describe(titles) for criterion in criteria)
        summaries.append((contact_list, described, count))
    return render_template(
        "merchant/lists/index.html",
        summaries=summaries,
        may_create=has_permission(current_staff().role, Permission.SELL),
    )


@blueprint.get("/lists/new")
@requires(Permission.SELL)
def new_list():
    return _render_form(ContactListForm(formdata=None), {"paid_within_days": "30"})


@blueprint.post("/lists/new")
@requires(Permission.SELL)
def create_list():
    form = ContactListForm()
    values = request.form.to_dict()
    try:
        criteria = criteria_from_form(values)
    except CriteriaError as error:
        return _render_form(form, values, errors=error.errors)

    session = get_session()
    try:
        contact_list = store.create_list(
            session,
            current_staff(),
            name=form.name.data or "",
            criteria=criteria,
            shared=form.shared.data,
        )
    except CriteriaError as error:
        session.rollback()
        return _render_form(form, values, errors=error.errors)
    except store.ContactListError as error:
        session.rollback()
        return _render_form(form, values, errors={"name": str(error)})
    session.commit()
    flash(f"Saved the list {contact_list.name!r}.", "success")
    return redirect(url_for("merchant.list_detail", list_id=contact_list.id), 303)


@blueprint.get("/lists/<int:list_id>")
@requires(Permission.VIEW)
def list_detail(list_id: int):
    contact_list = _load_list(list_id)
    definition = _members_definition(contact_list)
    index = build_index_page(
        definition,
        endpoint="merchant.list_detail",
        export_endpoint="merchant.list_members_csv",
        url_values={"list_id": contact_list.id},
        saved_views=False,
    )
    criteria = criteria_from_json(contact_list.criteria)
    titles = store.link_titles(get_session(), criteria)
    staff = current_staff()
    return render_index(
        index,
        "merchant/lists/detail.html",
        "merchant/index/rows/contacts.html",
        contact_list=contact_list,
        described=[criterion.describe(titles) for criterion in criteria],
        may_edit=may_edit(staff, contact_list)
        and has_permission(staff.role, Permission.SELL),
        may_delete=may_delete(staff, contact_list)
        and has_permission(staff.role, Permission.SELL),
        # The members page has no filter form, so no sort field to update.
        oob=False,
    )


@blueprint.get("/lists/<int:list_id>/members.csv")
@requires(Permission.VIEW)
def list_members_csv(list_id: int):
    contact_list = _load_list(list_id)
    return export_csv(_members_definition(contact_list), f"list-{contact_list.id}")


@blueprint.get("/lists/<int:list_id>/edit")
@requires(Permission.SELL)
def edit_list(list_id: int):
    contact_list = _load_own_list(list_id)
    form = ContactListForm(formdata=None, obj=contact_list)
    values = criteria_to_form(criteria_from_json(contact_list.criteria))
    values.setdefault("paid_within_days", "30")
    return _render_form(form, values, contact_list=contact_list)


@blueprint.post("/lists/<int:list_id>/edit")
@requires(Permission.SELL)
def update_list(list_id: int):
    contact_list = _load_own_list(list_id)
    form = ContactListForm()
    values = request.form.to_dict()
    session = get_session()
    try:
        criteria = criteria_from_form(values)
        store.update_list(
            session,
            current_staff(),
            contact_list,
            name=form.name.data or "",
            criteria=criteria,
            shared=form.shared.data,
        )
    except CriteriaError as error:
        session.rollback()
        return _render_form(
            form, values, errors=error.errors, contact_list=contact_list
        )
    except store.ContactListError as error:
        session.rollback()
        return _render_form(
            form, values, errors={"name": str(error)}, contact_list=contact_list
        )
    session.commit()
    flash(f"Saved the list {contact_list.name!r}.", "success")
    return redirect(url_for("merchant.list_detail", list_id=contact_list.id), 303)


@blueprint.post("/lists/<int:list_id>/delete")
@requires(Permission.SELL)
def delete_list(list_id: int):
    session = get_session()
    contact_list = store.visible_list(session, current_staff(), list_id)
    if contact_list is None:
        # A second click on Delete lands here after the first one succeeded.
        flash("That list no longer exists.", "info")
        return redirect(url_for("merchant.lists"), 303)
    try:
        store.delete_list(session, current_staff(), contact_list)
    except store.ContactListError as error:
        abort(403, description=str(error))
    session.commit()
    flash(f"Deleted the list {contact_list.name!r}.", "success")
    return redirect(url_for("merchant.lists"), 303)


def _load_list(list_id: int) -> ContactList:
    contact_list = store.visible_list(get_session(), current_staff(), list_id)
    if contact_list is None:
        abort(404)
    return contact_list


def _load_own_list(list_id: int) -> ContactList:
    contact_list = _load_list(list_id)
    if not may_edit(current_staff(), contact_list):
        abort(
            403, description="Only the staff member who made this list can change it."
        )
    return contact_list


def _members_definition(contact_list: ContactList):
    try:
        return store.members_definition(contact_list, listing_context())
    except CriteriaError as error:
        abort(409, description=f"{error} Edit the list and choose its criteria again.")


def _render_form(
    form: ContactListForm,
    values: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    contact_list: ContactList | None = None,
):
    business = business_or_none()
    links = get_session().execute(
        select(PaymentLink.id, PaymentLink.title).order_by(
            PaymentLink.title, PaymentLink.id
        )
    )
    page = render_template(
        "merchant/lists/form.html",
        form=form,
        values=values,
        errors=errors or {},
        contact_list=contact_list,
        currencies=business.currencies if business else [],
        links=list(links),
    )
    return page, 422 if errors else 200
