from portal.urls import public_url


def test_command_line_url_uses_port(app, monkeypatch):
    monkeypatch.setenv("PORT", "5077")

    with app.app_context():
        assert public_url("/receipts/abc") == "http://127.0.0.1:5077/receipts/abc"


def test_public_url_setting_wins(app, monkeypatch):
    monkeypatch.setenv("PORT", "5077")
    app.config["KASSA_PUBLIC_URL"] = "https://pay.example/"

    with app.test_request_context("/", base_url="http://127.0.0.1:9000"):
        assert public_url("/pay/poster") == "https://pay.example/pay/poster"


def test_request_host_is_used_inside_a_request(app):
    with app.test_request_context("/", base_url="http://shop.test:8080"):
        assert public_url("pay/poster") == "http://shop.test:8080/pay/poster"
