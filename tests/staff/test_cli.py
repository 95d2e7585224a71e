"""``flask staff create`` and ``flask staff list``."""

from sqlalchemy import select

from portal.models import Staff, StaffRole
from portal.staff.passwords import verify_password

PASSWORD = "a long enough password"


def create(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["staff", "create", *args], input=input)


def test_create_with_prompt(app, db):
    result = create(
        app,
        "--email",
        "Boss@Kassa.test",
        "--role",
        "owner",
        "--name",
        "Boss",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )

    staff = db.scalars(select(Staff)).one()
    assert result.exit_code == 0, result.output
    assert "Added boss@kassa.test as owner" in result.output
    assert PASSWORD not in result.output
    assert staff.role is StaffRole.OWNER
    assert staff.name == "Boss"
    assert verify_password(staff.password_hash, PASSWORD)


def test_create_prompts_again_on_mismatch(app, db):
    result = create(
        app,
        "--email",
        "a@kassa.test",
        "--role",
        "sales",
        input=f"{PASSWORD}\nsomething else\n{PASSWORD}\n{PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert "Error: The two entered values do not match." in result.output
    assert db.scalars(select(Staff)).one().email == "a@kassa.test"


def test_create_password_stdin(app, db):
    result = create(
        app,
        "--email",
        "a@kassa.test",
        "--role",
        "viewer",
        "--password-stdin",
        input=f"{PASSWORD}\n",
    )

    assert result.exit_code == 0, result.output
    assert verify_password(db.scalars(select(Staff)).one().password_hash, PASSWORD)


def test_create_bad_role(app, db):
    result = create(
        app, "--email", "a@kassa.test", "--role", "boss", "--password-stdin", input=""
    )

    assert result.exit_code == 2
    assert "Unknown role 'boss': choose one of owner, admin, sales, viewer." in (
        result.output
    )
    assert db.scalars(select(Staff)).all() == []


def test_create_short_password(app, db):
    result = create(
        app,
        "--email",
        "a@kassa.test",
        "--role",
        "owner",
        "--password-stdin",
        input="short\n",
    )

    assert result.exit_code == 1
    assert "The password is too short: use at least 12 characters." in result.output
    assert db.scalars(select(Staff)).all() == []


def test_create_taken_email(app, db):
    args = ["--email", "a@kassa.test", "--role", "owner", "--password-stdin"]
    create(app, *args, input=f"{PASSWORD}\n")

    result = create(app, *args, input=f"{PASSWORD}\n")

    assert result.exit_code == 1
    assert "A staff member with the email a@kassa.test already exists." in (
        result.output
    )
    assert len(db.scalars(select(Staff)).all()) == 1


def test_list(app):
    create(
        app,
        "--email",
        "a@kassa.test",
        "--role",
        "admin",
        "--password-stdin",
        input=f"{PASSWORD}\n",
    )

    result = app.test_cli_runner().invoke(args=["staff", "list"])

    assert result.exit_code == 0
    assert "a@kassa.test\tadmin\tactive\tnever signed in" in result.output


def test_list_empty(app):
    result = app.test_cli_runner().invoke(args=["staff", "list"])

    assert "No staff members." in result.output
