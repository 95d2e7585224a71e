"""Forms of saved views and contact lists.

The domain functions check the values and word the messages; these forms
carry the CSRF token and the raw values.
"""

from wtforms import BooleanField, HiddenField, StringField

from portal.merchant.base_form import BackOfficeForm


class SavedViewForm(BackOfficeForm):
    index = HiddenField()
    query = HiddenField()
    name = StringField("View name")
    shared = BooleanField("Share with all staff")


class DeleteForm(BackOfficeForm):
    """A delete button: the CSRF token and the index page to return to."""

    index = HiddenField()


class ContactListForm(BackOfficeForm):
    name = StringField("List name")
    shared = BooleanField("Share with all staff")
