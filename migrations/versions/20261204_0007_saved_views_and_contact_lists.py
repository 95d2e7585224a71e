"""saved views and contact lists

Adds the named filter sets of the back office's index pages, the contact
lists whose criteria are evaluated when read, and indexes on payments and
invoices by (created_at, id), the index pages' default order. Alembic's
batch mode on SQLite copies reflected indexes when it rebuilds a table, so
the order in which this and 0006 run does not matter.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column(
            "index_name",
            sa.Enum(
                "payments",
                "invoices",
                "payment_links",
                "contacts",
                name="indexname",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("query", sa.String(length=2000), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(name) > 0", name=op.f("ck_saved_views_name_not_empty")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["staff.id"], name=op.f("fk_saved_views_owner_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_views")),
        sa.UniqueConstraint(
            "owner_id",
            "index_name",
            "name",
            name=op.f("uq_saved_views_owner_id_index_name_name"),
        ),
    )
    op.create_table(
        "contact_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "length(name) > 0", name=op.f("ck_contact_lists_name_not_empty")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["staff.id"], name=op.f("fk_contact_lists_owner_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_lists")),
        sa.UniqueConstraint(
            "owner_id", "name", name=op.f("uq_contact_lists_owner_id_name")
        ),
    )
    op.create_index(
        "ix_payments_created_at_id", "payments", ["created_at", "id"], unique=False
    )
    op.create_index(
        "ix_invoices_created_at_id", "invoices", ["created_at", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_invoices_created_at_id", table_name="invoices")
    op.drop_index("ix_payments_created_at_id", table_name="payments")
    op.drop_table("contact_lists")
    op.drop_table("saved_views")
