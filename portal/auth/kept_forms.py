"""The forms whose typed text may be kept over a sign-out (auth/kept.py), and only their fields.

A posted form travels only to a page listed here, and only with the fields its form declares:
anything else a request carries (`is_admin`, `centre_id`, whatever another site adds) is dropped
before the sign-in page. A page not listed keeps nothing; its form gets the plain "this form has
expired" answer. Each entry names the form as its view builds it (the same prefix) and the title
the send page shows as the form's destination.

Each audience lists its own pages (`portal.staff.kept_forms`, `portal.participant.kept_forms`)
when its blueprint is imported: the sign-in side knows no audience's forms.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from wtforms import Form

from portal.auth.security_forms import PasswordChangeForm


@dataclass(frozen=True)
class Keeps:
    form: type[Form]
    title: object  # a lazy string
    prefix: str = ""


# An entry: the form, its prefix and title for the view's arguments; None where none is built.
Resolver = Callable[[Mapping[str, object]], Keeps | None]

_REGISTRY: dict[str, Resolver] = {}


def fixed(form: type[Form], title: object, prefix: str = "") -> Resolver:
    keeps = Keeps(form, title, prefix)
    return lambda _args: keeps


def keep(entries: Mapping[str, Resolver]) -> None:
    """List pages whose typed text may be kept: endpoint -> the form its view builds."""
    _REGISTRY.update(entries)


def registry() -> Mapping[str, Resolver]:
    return _REGISTRY


keep({"auth.password": fixed(PasswordChangeForm, _l("Change your password"))})


def resolve(endpoint: str, args: Mapping[str, object]) -> Keeps | None:
    """The form a posted page builds, if its typed text may be kept."""
    resolver = _REGISTRY.get(endpoint)
    return resolver(args) if resolver is not None else None
