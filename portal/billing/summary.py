"""Counts of one billing run's work, for the command line's summary.

Charges, failures and invoices count subscription periods and quote
instalments alike. Each newly billed period or instalment and each retry
gets one outcome: charged, failed, awaiting authentication or invoiced. So
the outcomes add up to the billed items plus the retries, except for items
that an error or a voided invoice stopped.
"""

from dataclasses import dataclass


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


@dataclass
class RunSummary:
    periods_billed: int = 0  # new periods written
    instalments_billed: int = 0  # quote instalments that came due and got an invoice
    retries: int = 0  # failed or held charges tried again on their retry date
    charged: int = 0  # outcome: charges that succeeded or are processing
    failed: int = 0  # outcome: charges that failed, or retries that ran out
    requires_action: int = 0  # outcome: charges held for the customer's authentication
    invoiced: int = 0  # outcome: invoices emailed for the customer to pay by link
    reminders: int = 0  # renewal reminders sent
    ended: int = 0  # subscriptions that stopped renewing: canceled or unpaid
    errors: int = 0  # subscriptions or quotes left for the next run after an error

    def add(self, other: "RunSummary") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def line(self) -> str:
        """Describe the run in one line, such as for the end of ``billing run``.

        For example: "2 periods billed, 1 retry: 2 charged, 1 failed, ...",
        where the outcomes after the colon cover the periods and the retry.
        """
        billed = _count(self.periods_billed, "period", "periods")
        if self.instalments_billed:
            instalments = _count(self.instalments_billed, "instalment", "instalments")
            billed = f"{billed} and {instalments}"
        text = (
            f"{billed} billed, {_count(self.retries, 'retry', 'retries')}: "
            f"{self.charged} charged, {self.failed} failed, "
            f"{self.requires_action} awaiting authentication, "
            f"{self.invoiced} invoiced; "
            f"{_count(self.reminders, 'renewal reminder', 'renewal reminders')} "
            f"sent; {_count(self.ended, 'subscription', 'subscriptions')} ended."
        )
        if self.errors:
            text += f" {self.errors} could not be billed and are left for the next run."
        return text
