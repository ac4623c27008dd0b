"""Mail the server would not take: the installation administrator sees it and tries again.

No message body or subject is shown (they may carry personal data), and recipients are masked.
"""

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.access import role_required
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.mail import mail
from portal.staff.blueprint import bp


@bp.get("/outbox")
@role_required(Role.ADMIN)
def outbox() -> ResponseReturnValue:
    return render_template(
        "staff/mail/outbox.html",
        messages=mail.undelivered(),
        masked=mail.masked_address,
        max_attempts=mail.MAX_ATTEMPTS,
    )


@bp.post("/outbox/<int:message_id>/retry")
@role_required(Role.ADMIN)
def outbox_retry(message_id: int) -> ResponseReturnValue:
    mail.retry(message_id, actor=current_user, now=utcnow())
    flash(_("The message will be sent again within a few minutes."), "success")
    return redirect(url_for("staff.outbox"))
