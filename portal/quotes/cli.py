"""``flask --app wsgi quotes ...``: checks of a quote's signature evidence."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from portal.database import new_session
from portal.models import Quote
from portal.quotes.verification import verify_quote


@click.group("quotes", cls=AppGroup, help="Quotes.")
def quotes_group() -> None:
    pass


@quotes_group.command(
    "verify",
    help="Check that the quote's hash-chained log, its content digest and its "
    "stored signed PDF are intact. TOKEN is the token in the quote's URL, "
    "/quotes/TOKEN. Exits with status 1 when anything was changed.",
    # Tokens may start with a hyphen, which must not be read as an option.
    context_settings={"ignore_unknown_options": True},
)
@click.argument("token")
def verify_command(token: str) -> None:
    with new_session() as session:
        quote = session.scalars(select(Quote).where(Quote.token == token)).first()
        if quote is None:
            raise click.ClickException(f"No quote has the token {token!r}.")
        result = verify_quote(session, quote)
        label = quote.display_number or f"Draft quote {quote.id}"

    click.echo(f"{label}: {result.events_checked}.")
    if result.pdf_checked:
        click.echo("Signed PDF checked against its digest.")
    else:
        click.echo("No signed PDF is stored yet.")
    if result.intact:
        click.echo("Intact.")
        return
    for problem in result.problems:
        click.echo(f"Problem: {problem}", err=True)
    raise click.exceptions.Exit(1)
