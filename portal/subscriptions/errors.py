"""Errors of subscription actions, with messages safe to show staff and customers."""


class SubscriptionError(Exception):
    """Input that cannot change a subscription; nothing was saved.

    ``field`` names the form field the message is about, when there is one.
    """

    status_code = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class SubscriptionStateError(SubscriptionError):
    """An action that the subscription's current status does not allow."""

    status_code = 409


class ChargeDeclined(SubscriptionError):
    """A charge of the saved payment method that the processor declined."""

    status_code = 402
