"""Errors of invoice actions, with messages safe to show staff and buyers."""


class InvoiceError(Exception):
    """Input that cannot make or change an invoice; nothing was saved.

    ``field`` names the form field the message is about, when there is one.
    """

    status_code = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvoiceStateError(InvoiceError):
    """An action that the invoice's current status does not allow."""

    status_code = 409


class DraftChanged(InvoiceStateError):
    """A draft saved by someone else since the editor opened it."""


class ContactNotFound(InvoiceError):
    status_code = 404
