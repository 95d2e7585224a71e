"""Refunds of payments: money sent back to the buyer, in full or in part."""

from enum import StrEnum


class RefundStatus(StrEnum):
    """States of a refund, named as in Stripe's Refund object."""

    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELED = "canceled"


class RefundReason(StrEnum):
    """Why a refund was made; the first three are Stripe's own reasons."""

    DUPLICATE = "duplicate"
    FRAUDULENT = "fraudulent"
    REQUESTED_BY_CUSTOMER = "requested_by_customer"
    OTHER = "other"
