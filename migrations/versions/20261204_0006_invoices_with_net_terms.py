"""invoices with net terms, manual payments and reminders

Staff invoices get an issue date, net terms and a due date, a memo and a
footer, and the times they were sent, voided or marked uncollectible. A
checkout attempt now pays either a payment link or an invoice.

Batch mode rebuilds ``invoices`` and ``checkout_attempts`` on SQLite, which
cannot add a CHECK constraint or make a column nullable in place. No other
table refers to either of them before this revision, so dropping the old
copy passes the foreign key checks.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NET_TERMS = (
    "due_on_receipt",
    "net_7",
    "net_15",
    "net_30",
    "net_45",
    "net_60",
    "net_90",
    "custom",
)
MANUAL_METHODS = ("bank_transfer", "cash", "cheque", "other")


def upgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(
            sa.Column(
                "net_terms",
                sa.Enum(*NET_TERMS, name="netterms", native_enum=False, length=32),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("issue_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("due_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("memo", sa.Text(), nullable=True))
        batch.add_column(sa.Column("footer", sa.Text(), nullable=True))
        batch.add_column(sa.Column("locale", sa.String(length=16), nullable=True))
        batch.add_column(
            sa.Column("idempotency_key", sa.String(length=64), nullable=True)
        )
        for name in ("sent_at", "voided_at", "uncollectible_at"):
            batch.add_column(
                sa.Column(name, sa.DateTime(timezone=True), nullable=True)
            )
        batch.create_unique_constraint(
            op.f("uq_invoices_idempotency_key"), ["idempotency_key"]
        )
        batch.create_check_constraint(
            op.f("ck_invoices_total_not_negative"), "total >= 0"
        )
        batch.create_check_constraint(
            op.f("ck_invoices_due_after_issue"), "due_date >= issue_date"
        )

    with op.batch_alter_table("checkout_attempts") as batch:
        batch.alter_column("link_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("invoice_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_checkout_attempts_invoice_id_invoices"),
            "invoices",
            ["invoice_id"],
            ["id"],
        )
        batch.create_check_constraint(
            op.f("ck_checkout_attempts_link_or_invoice"),
            "(link_id IS NULL) <> (invoice_id IS NULL)",
        )

    op.add_column(
        "order_lines",
        sa.Column("discount_percent", sa.Numeric(precision=7, scale=4), nullable=True),
    )

    op.create_table(
        "manual_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                *MANUAL_METHODS,
                name="manualpaymentmethod",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_manual_payments_amount_positive")),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_manual_payments_invoice_id_invoices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manual_payments")),
        sa.UniqueConstraint("invoice_id", name=op.f("uq_manual_payments_invoice_id")),
    )
    op.create_table(
        "invoice_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("offset_days", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "offset_days >= -60 AND offset_days <= 365",
            name=op.f("ck_invoice_reminders_offset_days_range"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_reminders_invoice_id_invoices"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_reminders")),
        sa.UniqueConstraint(
            "invoice_id",
            "offset_days",
            name=op.f("uq_invoice_reminders_invoice_id_offset_days"),
        ),
    )


def downgrade() -> None:
    op.drop_table("invoice_reminders")
    op.drop_table("manual_payments")
    op.drop_column("order_lines", "discount_percent")

    with op.batch_alter_table("checkout_attempts") as batch:
        batch.drop_constraint(
            op.f("ck_checkout_attempts_link_or_invoice"), type_="check"
        )
        batch.drop_constraint(
            op.f("fk_checkout_attempts_invoice_id_invoices"), type_="foreignkey"
        )
        batch.drop_column("invoice_id")
        batch.alter_column("link_id", existing_type=sa.Integer(), nullable=False)

    with op.batch_alter_table("invoices") as batch:
        batch.drop_constraint(op.f("ck_invoices_due_after_issue"), type_="check")
        batch.drop_constraint(op.f("ck_invoices_total_not_negative"), type_="check")
        batch.drop_constraint(op.f("uq_invoices_idempotency_key"), type_="unique")
        for name in (
            "uncollectible_at",
            "voided_at",
            "sent_at",
            "idempotency_key",
            "locale",
            "footer",
            "memo",
            "due_date",
            "issue_date",
            "net_terms",
        ):
            batch.drop_column(name)
