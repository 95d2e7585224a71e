"""Errors of payment actions, with messages safe to show staff."""


class PaymentActionError(Exception):
    """A request that breaks a rule of the action; nothing was changed.

    ``field`` names the form field the message is about, when there is one.
    ``status_code`` is the HTTP status a view answers with.
    """

    status_code = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PaymentNotFound(PaymentActionError):
    status_code = 404


class RefundRejected(PaymentActionError):
    """A refund that was not made, with the amount still refundable.

    ``refundable`` is in minor units of the payment's currency.
    """

    def __init__(
        self, message: str, *, refundable: int, field: str | None = "amount"
    ) -> None:
        super().__init__(message, field)
        self.refundable = refundable
