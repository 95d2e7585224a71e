"""Reminders: scheduled by staff, sent once each by 'flask invoices remind'."""

from datetime import date

import pytest
from sqlalchemy import select

from portal.invoices.errors import InvoiceError, InvoiceStateError
from portal.invoices.lifecycle import void_invoice
from portal.invoices.reminders import schedule_reminders
from portal.models import AuditEvent, InvoiceReminder
from tests.invoices.conftest import STAFF, audit_rows, new_draft, open_invoice

# The consulting invoice is issued on 1 March 2027 and due on 31 March 2027.


@pytest.fixture
def smtp_app(app, smtp_server):
    app.config["KASSA_SMTP_URL"] = smtp_server.url
    app.config["KASSA_PUBLIC_URL"] = "https://pay.nordlys.example"
    return app


def remind(app, as_of: str):
    return app.test_cli_runner().invoke(args=["invoices", "remind", "--as-of", as_of])


def reminders(db) -> list[InvoiceReminder]:
    db.expire_all()
    return list(
        db.scalars(select(InvoiceReminder).order_by(InvoiceReminder.offset_days))
    )


def test_schedule_sets_offsets(db, contact):
    invoice = open_invoice(db, contact)

    schedule_reminders(db, invoice, {-3, 0, 7}, actor=STAFF)

    assert [r.offset_days for r in reminders(db)] == [-3, 0, 7]
    assert audit_rows(db, invoice)[-1].action == "invoice.reminders_scheduled"


def test_schedule_same_offsets_twice_records_once(db, contact):
    invoice = open_invoice(db, contact)

    schedule_reminders(db, invoice, {-3, 7}, actor=STAFF)
    schedule_reminders(db, invoice, {-3, 7}, actor=STAFF)

    actions = [row.action for row in audit_rows(db, invoice)]
    assert actions.count("invoice.reminders_scheduled") == 1


def test_schedule_removes_unsent_offsets(db, contact):
    invoice = open_invoice(db, contact)
    schedule_reminders(db, invoice, {-3, 0, 7}, actor=STAFF)

    schedule_reminders(db, invoice, {14}, actor=STAFF)

    assert [r.offset_days for r in reminders(db)] == [14]


def test_schedule_out_of_range_rejected(db, contact):
    invoice = open_invoice(db, contact)

    with pytest.raises(InvoiceError):
        schedule_reminders(db, invoice, {-61}, actor=STAFF)


def test_schedule_on_void_invoice_rejected(db, contact):
    invoice = open_invoice(db, contact)
    void_invoice(db, invoice, actor=STAFF)

    with pytest.raises(InvoiceStateError):
        schedule_reminders(db, invoice, {7}, actor=STAFF)


def test_remind_sends_due_reminder_once(smtp_app, smtp_server, db, contact):
    invoice = open_invoice(db, contact)
    schedule_reminders(db, invoice, {-3, 7}, actor=STAFF)

    first = remind(smtp_app, "2027-03-28")
    second = remind(smtp_app, "2027-03-28")

    assert first.exit_code == 0, first.output
    assert "Invoice INV-000001, reminder 3 days before the due date: sent." in (
        first.output
    )
    assert "Sent 1 reminder." in first.output
    assert second.exit_code == 0
    assert "Sent 0 reminders." in second.output
    assert len(smtp_server.messages) == 1
    [minus_three, plus_seven] = reminders(db)
    assert minus_three.sent_at is not None
    assert plus_seven.sent_at is None


def test_reminder_email_wording(smtp_app, smtp_server, db, contact):
    invoice = open_invoice(db, contact)
    schedule_reminders(db, invoice, {-3}, actor=STAFF)

    remind(smtp_app, "2027-03-28")

    [received] = smtp_server.messages
    message = received.message
    assert received.recipients == ["aino@example.com"]
    assert message["Subject"] == "Reminder: invoice INV-000001 from Nordlys Studio"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "It is due in 3 days." in text
    assert f"https://pay.nordlys.example/invoices/{invoice.token}?lang=en" in text
    [pdf] = [p for p in message.iter_attachments()]
    assert pdf.get_filename() == "invoice-INV-000001.pdf"


def test_overdue_reminder_wording(smtp_app, smtp_server, db, contact):
    invoice = open_invoice(db, contact)
    schedule_reminders(db, invoice, {7}, actor=STAFF)

    remind(smtp_app, "2027-04-07")

    [received] = smtp_server.messages
    assert received.message["Subject"] == (
        "Overdue: invoice INV-000001 from Nordlys Studio"
    )
    text = received.message.get_body(preferencelist=("plain",)).get_content()
    assert "It was due 7 days ago." in text


def test_missed_runs_send_only_latest(smtp_app, smtp_server, db, contact):
    invoice = open_invoice(db, contact)
    schedule_reminders(db, invoice, {-3, 0, 7}, actor=STAFF)

    result = remind(smtp_app, "2027-04-10")

    assert "Sent 1 reminder." in result.output
    assert len(smtp_server.messages) == 1
    before, on_due, after = reminders(db)
    assert (before.skipped, on_due.skipped, after.skipped) == (True, True, False)
    assert after.sent_at is not None


def test_nothing_due_before_its_day(smtp_app, smtp_server, db, contact):
    invoice = open_invoice(db, contact)
    schedule_reminders(db, invoice, {0}, actor=STAFF)

    result = remind(smtp_app, "2027-03-30")

    assert "Sent 0 reminders." in result.output
    assert smtp_server.messages == []


def test_void_and_draft_invoices_get_no_reminders(smtp_app, smtp_server, db, contact):
    voided = open_invoice(db, contact)
    schedule_reminders(db, voided, {0}, actor=STAFF)
    void_invoice(db, voided, actor=STAFF)
    draft = new_draft(db, contact)
    schedule_reminders(db, draft, {0}, actor=STAFF)

    remind(smtp_app, "2027-04-30")

    assert smtp_server.messages == []


def test_sent_reminder_audited_as_system(smtp_app, db, contact):
    invoice = open_invoice(db, contact)
    schedule_reminders(db, invoice, {0}, actor=STAFF)

    remind(smtp_app, "2027-03-31")

    row = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "invoice.reminder_sent")
    ).one()
    assert row.actor == "system"
    assert row.subject_id == invoice.id
    assert row.details == {"offset_days": "0"}


def test_failed_email_is_retried_next_run(app, db, contact):
    invoice = open_invoice(db, contact)
    schedule_reminders(db, invoice, {0}, actor=STAFF)
    app.config["KASSA_SMTP_URL"] = "smtp://127.0.0.1:9?timeout=2"

    failed = remind(app, "2027-03-31")

    assert failed.exit_code != 0
    assert "could not be emailed" in failed.output
    [reminder] = reminders(db)
    assert reminder.sent_at is None
    app.config["KASSA_SMTP_URL"] = ""
    retried = remind(app, "2027-03-31")
    assert "Sent 1 reminder." in retried.output


def test_remind_rejects_bad_date(app, db, contact):
    result = remind(app, "31.3.2027")

    assert result.exit_code == 2
    assert "Invalid value for '--as-of'" in result.output


def test_invoice_due_date_is_march_31(db, contact):
    assert open_invoice(db, contact).due_date == date(2027, 3, 31)
