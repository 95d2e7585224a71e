"""Command-line commands, run as ``flask --app wsgi GROUP COMMAND``."""

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import AppGroup

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["url"] = url
    config.attributes["configure_logger"] = False
    return config


def upgrade_database(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


@click.group("db", cls=AppGroup, help="Database schema.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Apply every pending migration.")
def db_upgrade() -> None:
    upgrade_database(current_app.config["DATABASE_URL"])
    click.echo("Database is up to date.")


def register_commands(app: Flask) -> None:
    from portal.billing.cli import billing_group
    from portal.checkout.cli import payments_group
    from portal.demo import demo_group
    from portal.invoices.cli import invoices_group
    from portal.quotes.cli import quotes_group
    from portal.staff.cli import staff_group

    app.cli.add_command(db_group)
    app.cli.add_command(payments_group)
    app.cli.add_command(demo_group)
    app.cli.add_command(staff_group)
    app.cli.add_command(invoices_group)
    app.cli.add_command(billing_group)
    app.cli.add_command(quotes_group)
