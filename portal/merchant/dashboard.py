"""The back office's first page."""

from flask import render_template

from portal.merchant import blueprint
from portal.merchant.access import requires
from portal.merchant.permissions import Permission


@blueprint.get("/")
@requires(Permission.VIEW)
def dashboard():
    return render_template("merchant/dashboard.html")
