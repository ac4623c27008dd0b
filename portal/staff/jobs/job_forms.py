"""The form behind every "prepare the file" button: its token names one sending of the form."""

import secrets

from wtforms import HiddenField
from wtforms.validators import Optional, Regexp

from portal.forms import PortalForm


def new_token() -> str:
    return secrets.token_hex(16)


class JobRequestForm(PortalForm):
    """A request for a document built in the background.

    The page renders a fresh token; the same form sent twice (a double click, the browser's
    "send again") carries the same one and so names the same job. A client that sends none makes
    a new request each time.
    """

    request_token = HiddenField(
        default=new_token, validators=[Optional(), Regexp(r"^[0-9a-f]{32}$")]
    )

    def token(self) -> str:
        return self.request_token.data or new_token()
