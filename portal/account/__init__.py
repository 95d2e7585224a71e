"""The customer account area under ``/account``, reached through an emailed link.

Customers sign in with a single-use link and then see what the business's
``account_*`` settings show: open invoices, payments and receipts,
subscriptions and their billing details. Views other than those in
``PUBLIC_ENDPOINTS`` need a signed-in customer, and every record is looked
up through that customer, so anything else is a 404.
"""

from flask import Blueprint, Flask

blueprint = Blueprint("account", __name__, url_prefix="/account")

# Importing a view module registers its routes.
from portal.account import (  # noqa: E402, F401
    access,
    billing_views,
    card_authentication,
    home,
    method_views,
    payment_views,
    resubscribe_views,
    signin_views,
    subscription_views,
)

blueprint.before_request(access.require_customer)
blueprint.after_request(access.forbid_storing)
blueprint.context_processor(access.template_context)


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
