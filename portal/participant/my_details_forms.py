"""The participant's own contact details form."""

from flask_babel import lazy_gettext as _l

from portal.forms import PortalForm, VersionField, contact_email_field, phone_field


class ContactForm(PortalForm):
    version = VersionField()
    email = contact_email_field(
        _l("Where the centre can write to you. It does not change how you sign in.")
    )
    phone = phone_field()
