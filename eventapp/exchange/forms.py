"""Forms of the exchange area: upload a document, confirm a replace."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired

from ..forms import AppForm


class UploadForm(AppForm):
    # No extension check: the content is what matters, and it is fully validated.
    file = FileField(_l("Instance file (JSON)"),
                     validators=[FileRequired(_l("Choose a file to import."))])


class ConfirmReplaceForm(AppForm):
    token = HiddenField(validators=[DataRequired()])
    confirm = BooleanField(
        _l("I understand that the current programme, participants and assignments of this "
           "event will be deleted and replaced by the file's content."),
        validators=[DataRequired(_l("Tick the box to confirm the replacement."))],
    )
