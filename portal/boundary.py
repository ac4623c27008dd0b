"""The one transaction boundary of a web request, and the one way a rule's refusal is shown.

A request that ends without an exception and with a response below 400 commits once, before the
response leaves: a failing commit is then answered like any other error (503 when the database
is gone) instead of after the user was told "saved". Anything else rolls back. Services only
flush; views never commit.

A `PortalError` raised by a service reaches the user through `shown(form)`: the transaction is
rolled back and the message lands next to the field it names, or on top of the page.
"""

from types import TracebackType

from flask import Flask, Response, flash
from wtforms import Form

from portal.extensions import db
from portal.services.common.errors import PageRefused, PortalError


class PortalApp(Flask):
    def dispatch_request(self) -> Response:
        response = self.make_response(super().dispatch_request())
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response


class _Shown:
    # A class, not @contextmanager: its __exit__ says `bool`, so a type checker knows that a
    # refusal is swallowed and that the code after a block ending in `return` can run.
    def __init__(self, form: Form | None) -> None:
        self.form = form

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        if isinstance(error, PageRefused) or not isinstance(error, PortalError):
            return False
        db.session.rollback()
        show(error, self.form)
        return True


def shown(form: Form | None = None) -> _Shown:
    """Run the block as the request's change; a refusal rolls it back and is shown, and the view
    goes on after the block (to render the form again or redirect back)."""
    return _Shown(form)


def show(error: PortalError, form: Form | None = None) -> None:
    field = getattr(form, error.field, None) if form is not None and error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        flash(str(error.message), "error")
