"""``flask --app wsgi staff ...``: add and list back-office staff."""

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from portal.database import new_session
from portal.models import Staff, StaffRole
from portal.staff.accounts import StaffError, create_staff, parse_role
from portal.staff.passwords import WeakPassword

ROLE_NAMES = ", ".join(role.value for role in StaffRole)


@click.group("staff", cls=AppGroup, help="Back-office staff.")
def staff_group() -> None:
    pass


@staff_group.command("create", help="Add a staff member who can sign in at /merchant/.")
@click.option("--email", required=True, help="Email address, used to sign in.")
@click.option("--role", required=True, help=f"One of {ROLE_NAMES}.")
@click.option("--name", default="", help="Display name.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of "
    "prompting for it.",
)
def create_command(email: str, role: str, name: str, password_stdin: bool) -> None:
    try:
        staff_role = parse_role(role)
    except StaffError as error:
        raise click.BadParameter(str(error), param_hint="--role") from None

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            "Password", hide_input=True, confirmation_prompt="Repeat the password"
        )

    with new_session() as session:
        try:
            staff = create_staff(
                session, email=email, password=password, role=staff_role, name=name
            )
        except (StaffError, WeakPassword) as error:
            raise click.ClickException(str(error)) from None
        session.commit()
        click.echo(f"Added {staff.email} as {staff.role.value} (staff {staff.id}).")


@staff_group.command("list", help="List every staff member with role and status.")
def list_command() -> None:
    with new_session() as session:
        members = session.scalars(select(Staff).order_by(Staff.id)).all()
    if not members:
        click.echo("No staff members. Add one with 'flask --app wsgi staff create'.")
        return
    for member in members:
        status = "active" if member.active else "deactivated"
        last = (
            member.last_login_at.strftime("%Y-%m-%d %H:%M UTC")
            if member.last_login_at
            else "never signed in"
        )
        click.echo(
            f"{member.id}\t{member.email}\t{member.role.value}\t{status}\t{last}"
        )
