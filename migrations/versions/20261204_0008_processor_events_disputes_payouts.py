"""processor events, disputes, payouts and saved payment methods

Adds what Stripe brings: webhook events recorded by id so that a repeated
delivery has no second effect, disputes of payments, payouts to the
business's bank, and processor customers with the payment methods buyers
agreed to save for later charges.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "payouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("processor", sa.String(length=20), nullable=False),
        sa.Column("processor_ref", sa.String(length=255), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "in_transit",
                "paid",
                "failed",
                "canceled",
                name="payoutstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("arrival_date", sa.Date(), nullable=True),
        sa.Column("failure_code", sa.String(length=60), nullable=True),
        sa.Column("failure_message", sa.Text(), nullable=True),
        sa.Column("initiated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_payouts_amount_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payouts")),
        sa.UniqueConstraint("processor_ref", name=op.f("uq_payouts_processor_ref")),
    )
    op.create_table(
        "processor_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("processor", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("object_id", sa.String(length=255), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processor_events")),
        sa.UniqueConstraint(
            "processor", "event_id", name=op.f("uq_processor_events_processor_event_id")
        ),
    )
    op.create_index(
        op.f("ix_processor_events_object_id"),
        "processor_events",
        ["object_id"],
        unique=False,
    )
    op.create_table(
        "processor_customers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("processor", sa.String(length=20), nullable=False),
        sa.Column("live_mode", sa.Boolean(), nullable=False),
        sa.Column("customer_ref", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_processor_customers_contact_id_contacts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processor_customers")),
        sa.UniqueConstraint(
            "contact_id",
            "processor",
            "live_mode",
            name=op.f("uq_processor_customers_contact_id_processor_live_mode"),
        ),
        sa.UniqueConstraint(
            "customer_ref", name=op.f("uq_processor_customers_customer_ref")
        ),
    )
    op.create_table(
        "saved_payment_methods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("processor_ref", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("brand", sa.String(length=20), nullable=True),
        sa.Column("last4", sa.String(length=4), nullable=True),
        sa.Column("exp_month", sa.Integer(), nullable=True),
        sa.Column("exp_year", sa.Integer(), nullable=True),
        sa.Column("consent_text", sa.Text(), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consent_address", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["processor_customers.id"],
            name=op.f("fk_saved_payment_methods_customer_id_processor_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_payment_methods")),
        sa.UniqueConstraint(
            "processor_ref", name=op.f("uq_saved_payment_methods_processor_ref")
        ),
    )
    op.create_index(
        op.f("ix_saved_payment_methods_customer_id"),
        "saved_payment_methods",
        ["customer_id"],
        unique=False,
    )
    op.create_table(
        "disputes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("processor_ref", sa.String(length=255), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=60), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "warning_needs_response",
                "warning_under_review",
                "warning_closed",
                "needs_response",
                "under_review",
                "won",
                "lost",
                "prevented",
                name="disputestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("evidence_due_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_disputes_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_disputes_payment_id_payments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
        sa.UniqueConstraint("processor_ref", name=op.f("uq_disputes_processor_ref")),
    )
    op.create_index(
        op.f("ix_disputes_payment_id"), "disputes", ["payment_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_disputes_payment_id"), table_name="disputes")
    op.drop_table("disputes")
    op.drop_index(
        op.f("ix_saved_payment_methods_customer_id"), table_name="saved_payment_methods"
    )
    op.drop_table("saved_payment_methods")
    op.drop_table("processor_customers")
    op.drop_index(op.f("ix_processor_events_object_id"), table_name="processor_events")
    op.drop_table("processor_events")
    op.drop_table("payouts")
