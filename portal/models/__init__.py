"""All models, imported here so that ``Base.metadata`` knows every table."""

from portal.models.business import Business, DocumentSequence
from portal.models.catalog import (
    BillingFrequency,
    Discount,
    Fee,
    Price,
    PriceKind,
    Product,
    TaxRate,
)
from portal.models.contacts import Contact
from portal.models.customers import (
    CustomerSession,
    CustomerSignInLink,
    CustomerSignInRequest,
)
from portal.models.disputes import Dispute, DisputeStatus
from portal.models.invoices import (
    InvoiceReminder,
    ManualPayment,
    ManualPaymentMethod,
    NetTerms,
)
from portal.models.orders import BillingDetails, Order, OrderLine, OrderLineKind
from portal.models.payment_links import (
    Collect,
    CustomField,
    CustomFieldKind,
    PaymentLink,
    PaymentLinkFee,
    PaymentLinkItem,
)
from portal.models.payments import (
    AttemptState,
    AuditEvent,
    CheckoutAttempt,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentMethodKind,
    PaymentStatus,
)
from portal.models.payouts import Payout, PayoutStatus
from portal.models.processor_events import ProcessorEvent
from portal.models.quotes import (
    InstalmentDue,
    InstalmentStatus,
    Quote,
    QuoteEvent,
    QuoteInstalment,
    QuoteRecurringLine,
    QuoteSigner,
    QuoteStatus,
    SignerRole,
)
from portal.models.refunds import Refund, RefundReason, RefundStatus
from portal.models.saved_methods import ProcessorCustomer, SavedPaymentMethod
from portal.models.staff import Staff, StaffRole, StaffSession
from portal.models.subscriptions import (
    RENEWING_STATUSES,
    CollectionMethod,
    PeriodStatus,
    Subscription,
    SubscriptionItem,
    SubscriptionPeriod,
    SubscriptionStatus,
)
from portal.models.testmode import (
    TestModeIntent,
    TestModePaymentMethod,
    TestModeRefund,
)
from portal.models.views import ContactList, IndexName, SavedView

__all__ = [
    "RENEWING_STATUSES",
    "AttemptState",
    "AuditEvent",
    "BillingDetails",
    "BillingFrequency",
    "Business",
    "CheckoutAttempt",
    "Collect",
    "CollectionMethod",
    "Contact",
    "ContactList",
    "CustomField",
    "CustomFieldKind",
    "CustomerSession",
    "CustomerSignInLink",
    "CustomerSignInRequest",
    "Discount",
    "Dispute",
    "DisputeStatus",
    "DocumentSequence",
    "Fee",
    "IndexName",
    "InstalmentDue",
    "InstalmentStatus",
    "Invoice",
    "InvoiceReminder",
    "InvoiceStatus",
    "ManualPayment",
    "ManualPaymentMethod",
    "NetTerms",
    "Order",
    "OrderLine",
    "OrderLineKind",
    "Payment",
    "PaymentLink",
    "PaymentLinkFee",
    "PaymentLinkItem",
    "PaymentMethodKind",
    "PaymentStatus",
    "Payout",
    "PayoutStatus",
    "PeriodStatus",
    "Price",
    "PriceKind",
    "ProcessorCustomer",
    "ProcessorEvent",
    "Product",
    "Quote",
    "QuoteEvent",
    "QuoteInstalment",
    "QuoteRecurringLine",
    "QuoteSigner",
    "QuoteStatus",
    "Refund",
    "RefundReason",
    "RefundStatus",
    "SavedPaymentMethod",
    "SavedView",
    "SignerRole",
    "Staff",
    "StaffRole",
    "StaffSession",
    "Subscription",
    "SubscriptionItem",
    "SubscriptionPeriod",
    "SubscriptionStatus",
    "TaxRate",
    "TestModeIntent",
    "TestModePaymentMethod",
    "TestModeRefund",
]
