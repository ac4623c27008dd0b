"""The page of a long list asked for in the address (?page=3), shared by the staff lists."""

from flask import flash, request
from flask_babel import gettext as _

from portal.forms import id_from
from portal.services.common import pages


def asked() -> int | None:
    """The page number in the address; anything else ("abc", "-1", a number past any list) is
    said to be no page number, and the first page is shown."""
    raw = request.args.get("page", "")
    number = id_from(raw)
    if raw and number is None:
        flash(_("That is not a page number: the first page is shown."), "error")
    return number


def page(total: int) -> pages.Pages:
    """The page asked for of a list of `total` rows (a page past the end: the last one)."""
    return pages.page(total, asked())
