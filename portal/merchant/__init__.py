"""The merchant's back office, under ``/merchant``, for signed-in staff.

Each view declares who may open it with ``@requires(Permission.X)`` or
``@public`` (see ``portal.merchant.access``); a view without a declaration
is refused.
"""

from flask import Blueprint, Flask

blueprint = Blueprint("merchant", __name__, url_prefix="/merchant")

# Importing a view module registers its routes: add new modules to this list.
from portal.merchant import (  # noqa: E402, F401
    access,
    account,
    catalog,
    contact_lists,
    dashboard,
    disputes,
    errors,
    indexes,
    invoice_detail,
    invoices,
    layout,
    links,
    numbers,
    payment_detail,
    payouts,
    processor_mode,
    quote_actions,
    quote_detail,
    quote_editor,
    quote_signing,
    receipt_settings,
    saved_views,
    settings,
    signin,
    staff,
    subscriptions,
    subscriptions_actions,
    subscriptions_clock,
    subscriptions_new,
    subscriptions_settings,
    times,
)

blueprint.before_request(access.check_access)
blueprint.context_processor(layout.template_context)
blueprint.after_request(layout.forbid_storing)


def init_app(app: Flask) -> None:
    """Bind sign-in to ``app`` and register the blueprint."""
    signin.init_app(app)
    app.register_blueprint(blueprint)
