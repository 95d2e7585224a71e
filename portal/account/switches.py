"""Responses for sections the business hides from the account area."""

from flask import abort


def section_or_404(shown: bool) -> None:
    """Return 404 for a page of a section the business hides, as if it did not exist."""
    if not shown:
        abort(404)
