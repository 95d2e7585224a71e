"""Sequential document numbers such as INV-000123."""

from sqlalchemy import update
from sqlalchemy.orm import Session

from portal.models import DocumentSequence


class MissingSequence(LookupError):
    pass


def next_number(session: Session, name: str) -> str:
    """Take the next number of a series inside the caller's transaction.

    The single UPDATE locks the row until the transaction ends, so two
    concurrent payments never get the same number, and a rolled-back
    transaction gives its number back.
    """
    row = session.execute(
        update(DocumentSequence)
        .where(DocumentSequence.name == name)
        .values(next_value=DocumentSequence.next_value + 1)
        .returning(
            DocumentSequence.prefix,
            DocumentSequence.next_value,
            DocumentSequence.width,
        )
    ).one_or_none()
    if row is None:
        raise MissingSequence(f"No document sequence named {name!r}.")
    prefix, following, width = row
    return f"{prefix}{following - 1:0{width}d}"
