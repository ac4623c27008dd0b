"""The one transaction boundary of a web request, and the one way a rule's refusal is shown.

A request that ends without an exception and with a response below 400 commits once, before the
response leaves: a failing commit is then answered like any other error (503 when the database
is gone) instead of after the user was told "saved". Anything else rolls back. Services only
flush; views never commit.

A `PortalError` raised by a service reaches the user through `shown(form)`: the transaction is
rolled back and the message lands next to the field it names, or on top of the page.
"""

from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def shown(form: Form | None = None) -> Iterator[None]:
    """Run the block as the request's change; a refusal rolls it back and is shown, and the view
    goes on after the block (to render the form again or redirect back)."""
    try:
        yield
    except PageRefused:
        raise
    except PortalError as error:
        db.session.rollback()
        show(error, form)


def show(error: PortalError, form: Form | None = None) -> None:
    field = getattr(form, error.field, None) if form is not None and error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        flash(str(error.message), "error")
