"""The role matrix: every back-office route, requested by anonymous and each role.

Routes are read from ``app.url_map``, so pages added later are checked
without changing this file. URL arguments are filled with values that match
no record (999999, "x"), so a permitted request typically ends in 404 or 422,
which passes: only a 403, a sign-in redirect or a server error fails.
"""

import logging
import uuid
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.routing.converters import (
    FloatConverter,
    IntegerConverter,
    UUIDConverter,
)

from portal.merchant.access import PUBLIC, declared_access
from portal.merchant.permissions import ROLE_PERMISSIONS, Permission
from portal.models import StaffRole
from portal.quotes.approval import APPROVER_ROLES
from tests.factories import make_business
from tests.fixtures.app import build_app
from tests.fixtures.staff import csrf_token, sign_in

CHECKED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    path: str
    access: object  # a Permission, PUBLIC, or None when nothing is declared

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.endpoint})"


def _argument_value(rule: Rule, name: str) -> object:
    converter = rule._converters[name]
    if isinstance(converter, IntegerConverter | FloatConverter):
        return 999999
    if isinstance(converter, UUIDConverter):
        return uuid.UUID(int=0)
    return "x"


def merchant_routes(app: Flask) -> list[Route]:
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("merchant."):
            continue
        values = {name: _argument_value(rule, name) for name in rule.arguments}
        _domain, path = rule.build(values)
        access = declared_access(app.view_functions[rule.endpoint])
        for method in sorted(rule.methods & set(CHECKED_METHODS)):
            routes.append(Route(rule.endpoint, method, path, access))
    return routes


def undeclared_endpoints(app: Flask) -> set[str]:
    return {route.endpoint for route in merchant_routes(app) if route.access is None}


def request_route(client: FlaskClient, route: Route, token: str):
    if route.method == "GET":
        return client.get(route.path)
    return client.open(route.path, method=route.method, data={"csrf_token": token})


def role_violations(
    client: FlaskClient,
    role: StaffRole,
    app: Flask,
    endpoints: set[str] | None = None,
) -> list[str]:
    """Request each non-public route as ``role`` and describe each wrong response.

    ``endpoints`` limits the check to those endpoints; by default it covers all.
    """
    token = csrf_token(client, "/merchant/account")
    violations = []
    for route in merchant_routes(app):
        if route.access == PUBLIC:
            continue
        if endpoints is not None and route.endpoint not in endpoints:
            continue
        response = request_route(client, route, token)
        status = response.status_code
        sent_to_sign_in = (response.location or "").startswith("/merchant/login")
        allowed = route.access in ROLE_PERMISSIONS[role]
        if route.access is None:
            violations.append(f"{route}: declares no permission, answered {status}")
        elif route.access is not None and not allowed and status != 403:
            violations.append(f"{route}: {role} lacks {route.access}, got {status}")
        elif allowed and status == 403:
            violations.append(f"{route}: {role} has {route.access}, got 403")
        elif allowed and sent_to_sign_in:
            violations.append(f"{route}: {role} was sent to sign in")
        elif status >= 500:
            violations.append(f"{route}: server error {status} for {role}")
    return violations


@pytest.fixture
def business(db):
    business = make_business(db)
    db.commit()
    return business


def test_every_merchant_endpoint_declares_access(app):
    assert merchant_routes(app), "no merchant routes found"
    assert undeclared_endpoints(app) == set()


def test_login_and_logout_are_public(app):
    assert declared_access(app.view_functions["merchant.login"]) == PUBLIC
    assert declared_access(app.view_functions["merchant.logout"]) == PUBLIC


def test_anonymous_is_sent_to_sign_in(app, client, business):
    token = csrf_token(client)

    for route in merchant_routes(app):
        if route.access == PUBLIC:
            continue
        response = request_route(client, route, token)
        assert response.status_code == 302, str(route)
        assert response.location.startswith("/merchant/login"), str(route)


@pytest.mark.parametrize("role", list(StaffRole))
def test_role_matrix(app, client, business, role):
    sign_in(client, role)

    assert role_violations(client, role, app) == []


def test_every_role_has_view():
    for role in StaffRole:
        assert Permission.VIEW in ROLE_PERMISSIONS[role], role


def test_only_owner_and_admin_approve_quotes():
    holders = {
        role for role in StaffRole if Permission.APPROVE in ROLE_PERMISSIONS[role]
    }

    assert holders == {StaffRole.OWNER, StaffRole.ADMIN}
    assert holders == APPROVER_ROLES


def test_only_owner_manages_staff():
    holders = {role for role in StaffRole if Permission.STAFF in ROLE_PERMISSIONS[role]}

    assert holders == {StaffRole.OWNER}


def test_role_permissions():
    assert ROLE_PERMISSIONS[StaffRole.OWNER] == set(Permission)
    assert ROLE_PERMISSIONS[StaffRole.ADMIN] == {
        Permission.VIEW,
        Permission.SELL,
        Permission.REFUND,
        Permission.SETTINGS,
        Permission.APPROVE,
    }
    assert ROLE_PERMISSIONS[StaffRole.SALES] == {Permission.VIEW, Permission.SELL}
    assert ROLE_PERMISSIONS[StaffRole.VIEWER] == {Permission.VIEW}


@pytest.fixture
def throwaway_app(database_url, tmp_path):
    """A separate app with one merchant route that declares nothing."""
    app = build_app(database_url, tmp_path)

    def forgotten():
        return "secret"

    app.add_url_rule(
        "/merchant/forgotten", endpoint="merchant.forgotten", view_func=forgotten
    )
    yield app
    app.extensions["kassa.engine"].dispose()


def test_route_without_permission_is_caught(throwaway_app, caplog):
    client = throwaway_app.test_client()
    sign_in(client, StaffRole.OWNER)

    with caplog.at_level(logging.ERROR, logger="portal.merchant.access"):
        response = client.get("/merchant/forgotten")
        violations = role_violations(
            client, StaffRole.OWNER, throwaway_app, {"merchant.forgotten"}
        )

    assert undeclared_endpoints(throwaway_app) == {"merchant.forgotten"}
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)
    assert "merchant endpoint merchant.forgotten declares no permission" in (
        caplog.text
    )
    assert violations == [
        "GET /merchant/forgotten (merchant.forgotten): declares no permission, "
        "answered 403"
    ]
