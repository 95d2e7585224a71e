"""Errors of the staff side of quotes, each naming the form field to fix."""


class QuoteError(ValueError):
    """Input that cannot be saved; ``field`` names the form field to fix."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class QuoteStateError(QuoteError):
    """An action that the quote's status does not allow, such as editing a void one."""


class QuoteChanged(QuoteError):
    """The quote was saved by someone else after the form was opened."""
