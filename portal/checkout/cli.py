"""``flask --app wsgi payments ...``: payment maintenance commands."""

import click


@click.group("payments", help="Payments.")
def payments_group() -> None:
    pass
