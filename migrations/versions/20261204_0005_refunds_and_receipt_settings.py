"""refunds and receipt settings

Adds refunds of payments with their own receipt numbers (RFD-000001), the
test-mode processor's record of refunds, and the business's receipt
settings: a footer text and which optional facts receipts show.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Receipt setting -> whether receipts show that fact unless the business changes it.
RECEIPT_FLAGS = {
    "receipt_show_business_address": True,
    "receipt_show_tax_id": True,
    "receipt_show_payment_method": True,
    "receipt_show_custom_fields": True,
    "receipt_show_buyer_phone": False,
    "receipt_show_buyer_address": False,
}


def upgrade() -> None:
    op.create_table(
        "test_mode_refunds",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("intent_id", sa.String(length=40), nullable=False),
        sa.Column("idempotency_key", sa.String(length=100), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "amount > 0", name=op.f("ck_test_mode_refunds_amount_positive")
        ),
        sa.ForeignKeyConstraint(
            ["intent_id"],
            ["test_mode_intents.id"],
            name=op.f("fk_test_mode_refunds_intent_id_test_mode_intents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_test_mode_refunds")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_test_mode_refunds_idempotency_key")
        ),
    )
    op.create_index(
        op.f("ix_test_mode_refunds_intent_id"),
        "test_mode_refunds",
        ["intent_id"],
        unique=False,
    )
    op.create_table(
        "refunds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "duplicate",
                "fraudulent",
                "requested_by_customer",
                "other",
                name="refundreason",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "succeeded",
                "failed",
                "canceled",
                name="refundstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("failure_message", sa.Text(), nullable=True),
        sa.Column("processor_ref", sa.String(length=100), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("receipt_number", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_refunds_amount_positive")),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_refunds_payment_id_payments"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_refunds_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_refunds_idempotency_key")
        ),
        sa.UniqueConstraint("processor_ref", name=op.f("uq_refunds_processor_ref")),
        sa.UniqueConstraint(
            "receipt_number", name=op.f("uq_refunds_receipt_number")
        ),
    )
    op.create_index(
        op.f("ix_refunds_payment_id"), "refunds", ["payment_id"], unique=False
    )

    # Plain ADD COLUMN, as in 0002, keeps SQLite from rebuilding the table.
    op.add_column("businesses", sa.Column("receipt_footer", sa.Text(), nullable=True))
    for name, shown in RECEIPT_FLAGS.items():
        op.add_column(
            "businesses",
            sa.Column(
                name,
                sa.Boolean(),
                server_default=sa.true() if shown else sa.false(),
                nullable=False,
            ),
        )

    document_sequences = sa.table(
        "document_sequences",
        sa.column("name", sa.String),
        sa.column("prefix", sa.String),
        sa.column("next_value", sa.Integer),
        sa.column("width", sa.Integer),
    )
    op.bulk_insert(
        document_sequences,
        [{"name": "refund", "prefix": "RFD-", "next_value": 1, "width": 6}],
    )


def downgrade() -> None:
    op.execute("DELETE FROM document_sequences WHERE name = 'refund'")
    for name in reversed(RECEIPT_FLAGS):
        op.drop_column("businesses", name)
    op.drop_column("businesses", "receipt_footer")
    op.drop_index(op.f("ix_refunds_payment_id"), table_name="refunds")
    op.drop_table("refunds")
    op.drop_index(
        op.f("ix_test_mode_refunds_intent_id"), table_name="test_mode_refunds"
    )
    op.drop_table("test_mode_refunds")
