import threading

from portal.models import PaymentStatus
from tests.checkout.conftest import kit_form, open_checkout, payments

SUBMITS = 20


def test_concurrent_submits_give_one_payment(app, db, kit_link):
    html, token = open_checkout(app.test_client(), "workshop-kit")
    form = kit_form(html, token)
    barrier = threading.Barrier(SUBMITS)
    responses = []

    def submit() -> None:
        client = app.test_client()
        barrier.wait()
        responses.append(client.post("/pay/workshop-kit", data=form))

    threads = [threading.Thread(target=submit) for _ in range(SUBMITS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(responses) == SUBMITS
    assert {response.status_code for response in responses} == {303}
    assert len({response.headers["Location"] for response in responses}) == 1
    [payment] = payments(db)
    assert payment.status is PaymentStatus.SUCCEEDED
    assert payment.receipt_number == "RCT-000001"


def test_concurrent_buyers_cannot_pass_link_limit(app, db, kit_link):
    kit_link.max_payments = 1
    db.commit()
    client = app.test_client()
    forms = []
    for _ in range(SUBMITS):
        html, token = open_checkout(client, "workshop-kit")
        forms.append(kit_form(html, token))
    barrier = threading.Barrier(SUBMITS)
    statuses = []

    def submit(form) -> None:
        buyer = app.test_client()
        barrier.wait()
        statuses.append(buyer.post("/pay/workshop-kit", data=form).status_code)

    threads = [threading.Thread(target=submit, args=(form,)) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [303] + [410] * (SUBMITS - 1)
    [payment] = payments(db)
    assert payment.status is PaymentStatus.SUCCEEDED
