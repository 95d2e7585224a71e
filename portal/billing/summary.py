"""What one billing run did, counted for the command line's summary.

Charges, failures and invoices count subscription periods and quote
instalments alike.
"""

from dataclasses import dataclass


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


@dataclass
class RunSummary:
    periods_billed: int = 0  # new periods written
    instalments_billed: int = 0  # quote instalments that came due and got an invoice
    charged: int = 0  # charges that succeeded or are processing, retries included
    failed: int = 0  # charges that failed, retries included
    requires_action: int = 0  # charges held for the customer's authentication
    invoiced: int = 0  # invoices emailed for the customer to pay by link
    reminders: int = 0  # renewal reminders sent
    ended: int = 0  # subscriptions that stopped renewing: canceled or unpaid
    errors: int = 0  # subscriptions or quotes left for the next run after an error

    def add(self, other: "RunSummary") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def line(self) -> str:
        """Describe the run in one line, such as for the end of ``billing run``."""
        billed = _count(self.periods_billed, "period", "periods")
        if self.instalments_billed:
            instalments = _count(self.instalments_billed, "instalment", "instalments")
            billed = f"{billed} and {instalments}"
        text = (
            f"Billed {billed}: "
            f"{self.charged} charged, {self.failed} failed, "
            f"{self.requires_action} awaiting authentication, "
            f"{self.invoiced} invoiced; "
            f"sent {_count(self.reminders, 'renewal reminder', 'renewal reminders')}; "
            f"{_count(self.ended, 'subscription', 'subscriptions')} ended."
        )
        if self.errors:
            text += f" {self.errors} could not be billed and are left for the next run."
        return text
