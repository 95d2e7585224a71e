from portal import create_app


def test_production_adds_hsts(tmp_path):
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'none.sqlite3'}",
            "SECRET_KEY": "test-secret",
            "KASSA_PRODUCTION": True,
        }
    )

    response = app.test_client().get("/healthz")

    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    app.extensions["kassa.engine"].dispose()


def test_development_has_no_hsts(client):
    response = client.get("/healthz")

    assert "Strict-Transport-Security" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_method_not_allowed_names_the_allowed_methods(client):
    response = client.put("/pay/poster")

    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
