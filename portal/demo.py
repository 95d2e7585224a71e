"""``flask --app wsgi demo ...``: demo data."""

import click


@click.group("demo", help="Demo data.")
def demo_group() -> None:
    pass
