"""Forms of saved views and contact lists.

The domain functions check the values and word the messages; these forms
carry the CSRF token and the raw values.
"""

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField


class SavedViewForm(FlaskForm):
    index = HiddenField()
    query = HiddenField()
    name = StringField("View name")
    shared = BooleanField("Share with all staff")


class DeleteForm(FlaskForm):
    """A delete button: the CSRF token and the index page to return to."""

    index = HiddenField()


class ContactListForm(FlaskForm):
    name = StringField("List name")
    shared = BooleanField("Share with all staff")
