"""The Staff page: add staff members, change their role, deactivate them."""

import logging

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import select

from portal.database import get_session
from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.context import current_staff, record_staff_action
from portal.merchant.forms import RoleForm, StaffCreateForm
from portal.merchant.permissions import Permission
from portal.models import Staff, StaffRole
from portal.staff import accounts

logger = logging.getLogger(__name__)


def _render_staff(
    form: StaffCreateForm | None = None,
    *,
    error: str | None = None,
    status: int = 200,
):
    members = get_session().scalars(
        select(Staff).order_by(Staff.active.desc(), Staff.email)
    )
    page = render_template(
        "merchant/staff.html",
        form=form or StaffCreateForm(formdata=None),
        members=list(members),
        roles=list(StaffRole),
        error=error,
    )
    return page, status


def _load_staff(staff_id: int) -> Staff:
    staff = get_session().get(Staff, staff_id)
    if staff is None:
        abort(404)
    return staff


@blueprint.get("/staff")
@requires(Permission.STAFF)
def staff():
    return _render_staff()


@blueprint.post("/staff")
@requires(Permission.STAFF)
def add_staff():
    form = StaffCreateForm()
    if not form.validate_on_submit():
        return _render_staff(form, status=422)

    session = get_session()
    try:
        member = accounts.create_staff(
            session,
            email=form.email.data,
            password=form.password.data,
            role=StaffRole(form.role.data),
            name=form.name.data or "",
        )
    except accounts.StaffError as error:
        session.rollback()
        form.email.errors.append(str(error))
        return _render_staff(form, status=422)
    record_staff_action(
        session,
        subject_type="staff",
        subject_id=member.id,
        action="staff_created",
        to_state=member.role.value,
    )
    session.commit()
    flash(f"Added {member.email} as {member.role.value}.", "success")
    return redirect(url_for("merchant.staff"), 303)


@blueprint.post("/staff/<int:staff_id>/role")
@requires(Permission.STAFF)
def change_staff_role(staff_id: int):
    member = _load_staff(staff_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _render_staff(error="Choose one of the listed roles.", status=422)

    session = get_session()
    old_role, new_role = member.role, StaffRole(form.role.data)
    if old_role is new_role:
        return redirect(url_for("merchant.staff"))
    try:
        accounts.change_role(session, member, new_role)
    except accounts.LastOwner as error:
        session.rollback()
        return _render_staff(error=str(error), status=409)
    record_staff_action(
        session,
        subject_type="staff",
        subject_id=member.id,
        action="role_changed",
        from_state=old_role.value,
        to_state=new_role.value,
    )
    session.commit()
    flash(f"{member.email} is now {new_role.value}.", "success")
    return redirect(url_for("merchant.staff"))


@blueprint.post("/staff/<int:staff_id>/deactivate")
@requires(Permission.STAFF)
def deactivate_staff(staff_id: int):
    member = _load_staff(staff_id)
    if member.id == current_staff().id:
        error = "You cannot deactivate yourself. Ask another owner to do it."
        return _render_staff(error=error, status=409)
    if not member.active:
        return redirect(url_for("merchant.staff"))

    session = get_session()
    try:
        ended = accounts.deactivate(session, member)
    except accounts.LastOwner as error:
        session.rollback()
        return _render_staff(error=str(error), status=409)
    record_staff_action(
        session,
        subject_type="staff",
        subject_id=member.id,
        action="deactivated",
        from_state="active",
        to_state="inactive",
        details={"sessions_ended": str(ended)},
    )
    session.commit()
    flash(f"{member.email} is deactivated and signed out.", "success")
    return redirect(url_for("merchant.staff"))


@blueprint.post("/staff/<int:staff_id>/reactivate")
@requires(Permission.STAFF)
def reactivate_staff(staff_id: int):
    member = _load_staff(staff_id)
    if member.active:
        return redirect(url_for("merchant.staff"))

    session = get_session()
    accounts.reactivate(session, member)
    record_staff_action(
        session,
        subject_type="staff",
        subject_id=member.id,
        action="reactivated",
        from_state="inactive",
        to_state="active",
    )
    session.commit()
    flash(f"{member.email} can sign in again.", "success")
    return redirect(url_for("merchant.staff"))
