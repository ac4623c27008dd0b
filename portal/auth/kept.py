"""Nothing typed is lost to a sign-out or an expired form, for the person who typed it.

A form posted after the idle sign-out, after the session was ended elsewhere, or with a CSRF
token that expired is answered by `ask_to_sign_in()`: a sign-in page that carries what was typed
as hidden fields (never in the address, a log or on the server). Only when the POST proves it
came from this browser's own session of a person:

- the session names the account: signed in, ended elsewhere (the signed cookie still names it)
  or ended for inactivity (auth/idle.py remembers whose it was); and
- every CSRF token posted is one this session issued (its signature is checked, whatever its
  age, and what it signs is this session's own raw token).

A POST without the session's cookie (what another site makes a browser send) or with another
session's token keeps nothing and gets the plain "this form has expired" answer. So does a page
not listed in auth/kept_forms.py; for a listed one only the fields its form declares travel,
never passwords, tokens or anything else the request carried.

After the password (`auth.resume`; with two-factor the code too, `auth.code`; for a sensitive
action `auth.confirm`) and only for the account it was kept for, `signed_in_again()` shows each
field's label and value and the page it goes to, with a fresh CSRF token; nothing is sent until
the person presses the button, and the view then saves it or shows its errors as usual. Files
cannot be kept (a browser does not put them back).
"""

import hmac
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast, overload
from urllib.parse import urlsplit

from flask import current_app, render_template, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException
from wtforms import BooleanField, Field, FileField, Form, PasswordField
from wtforms.widgets import HiddenInput

from portal.auth import idle, kept_forms
from portal.auth.access import safe_next
from portal.auth.forms import LoginForm

log = logging.getLogger("portal.auth")

PREFIX = "kept-"
ACTION = "kept_action"
LANG = "kept_lang"
KEPT_FOR = idle.KEPT_FOR
# The pages that carry a kept form along as hidden fields: the sign-in again, its one-time code,
# and the confirmation a sensitive action asks for (auth/fresh.py).
CARRIERS = ("auth.resume", "auth.code", "auth.confirm")
MAX_FIELDS = 200
MAX_CHARS = 100_000
CSRF_SALT = "wtf-csrf-token"  # Flask-WTF's


@dataclass(frozen=True)
class Kept:
    """A posted form that may be sent again: where, what, and for whom."""

    action: str
    fields: tuple[tuple[str, str], ...]
    cut: bool
    owner: int
    lang: str | None


@dataclass(frozen=True)
class Destination:
    title: object
    form: Form
    prefix: str

    @property
    def token_names(self) -> list[str]:
        name = _csrf_name()
        prefix = self.prefix
        if prefix and prefix[-1] not in "-_;:/.":  # as WTForms names a prefixed form's fields
            prefix += "-"
        return sorted({name, prefix + name})


@dataclass(frozen=True)
class Row:
    label: str
    values: tuple[str | None, ...]  # None: left blank


def _csrf_name() -> str:
    name: str = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    return name


def _secret(name: str) -> bool:
    lowered = name.lower()
    last = lowered.rsplit("-", 1)[-1]
    return "password" in lowered or last in ("confirm", "code")


def applies() -> bool:
    """A form posted to a page of the portal (not the sign-in forms themselves)."""
    if request.method != "POST":
        return False
    if request.blueprint == "auth":
        return request.endpoint in CARRIERS
    return True


# -- whose it is --------------------------------------------------------------------------------


def _session_user() -> int | None:
    """The account this browser's session is (or was) of."""
    if request.endpoint in CARRIERS:
        # The page that carried the form was shown to this session for this account.
        owner = session.get(KEPT_FOR)
        return owner if isinstance(owner, int) and not isinstance(owner, bool) else None
    if current_user.is_authenticated:
        return cast(int, current_user.id)
    # Ended elsewhere (the cookie still names the account, its token no longer matches) or
    # ended for inactivity (auth/idle.py).
    return idle.user_of(session.get("_user_id")) or idle.ended_user(session)


def _tokens_of_this_session() -> bool:
    """At least one CSRF token posted, and every one issued by this session (at any age)."""
    raw = session.get(_csrf_name())
    if not isinstance(raw, str) or not raw:
        return False
    secret = current_app.config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key
    assert secret is not None  # noqa: S101 - the session holding the raw token is signed with it
    serializer = URLSafeTimedSerializer(secret, salt=CSRF_SALT)
    posted = [
        value
        for name, value in request.form.items(multi=True)
        if name.endswith(_csrf_name()) and not name.startswith(PREFIX)
    ]
    if not posted:
        return False
    for value in posted:
        try:
            signed = serializer.loads(value)  # no max_age: an expired token still says whose
        except BadData:
            return False
        if not isinstance(signed, str) or not hmac.compare_digest(signed, raw):
            return False
    return True


# -- what travels -------------------------------------------------------------------------------


def destination(action: str | None) -> Destination | None:
    """The listed form the address builds when posted, or None."""
    if action is None:
        return None
    path = urlsplit(action).path
    try:
        adapter = current_app.create_url_adapter(request)
        assert adapter is not None  # noqa: S101 - None only outside a request
        endpoint, args = adapter.match(path, method="POST")
    except HTTPException:
        return None
    keeps = kept_forms.resolve(endpoint, args)
    if keeps is None:
        return None
    form = keeps.form(formdata=None, prefix=keeps.prefix, meta={"csrf": False})
    return Destination(keeps.title, form, keeps.prefix)


def _declared(form: Form) -> set[str]:
    return {
        field.name
        for field in form
        if not isinstance(field, PasswordField | FileField) and not _secret(field.name)
    }


def _collect(
    pairs: Iterable[tuple[str, str]], declared: set[str]
) -> tuple[list[tuple[str, str]], bool]:
    """The declared fields' values, and whether the form was too long to keep whole."""
    kept: list[tuple[str, str]] = []
    total = 0
    for name, value in pairs:
        if name not in declared:
            continue
        total += len(name) + len(value)
        if len(kept) >= MAX_FIELDS or total > MAX_CHARS:
            return kept, True
        kept.append((name, value))
    return kept, False


def from_request() -> Kept | None:
    """What this POST (or a page carrying it) may keep, or None: see the module's rules."""
    if request.method != "POST":
        return None
    owner = _session_user()
    if owner is None:
        log.info("typed text not kept: no session of a person")
        return None
    if not _tokens_of_this_session():
        log.info("typed text not kept: no token of this session")
        return None
    form = request.form
    if request.endpoint in CARRIERS:
        action = form.get(ACTION)
        pairs = [
            (name.removeprefix(PREFIX), value)
            for name, values in form.lists()
            if name.startswith(PREFIX)
            for value in values
        ]
        lang = form.get(LANG)
    else:
        action = request.path
        pairs = [(name, value) for name, values in form.lists() for value in values]
        lang = str(get_locale())
    action = safe_next(urlsplit(action or "").path or None)
    found = destination(action)
    if action is None or found is None:
        log.info("typed text not kept: not a form that keeps it")
        return None
    fields, cut = _collect(pairs, _declared(found.form))
    if lang not in current_app.config["LANGUAGES"]:
        lang = None
    return Kept(action, tuple(fields), cut, owner, lang)


# -- the pages ----------------------------------------------------------------------------------


def form_expired() -> tuple[str, int]:
    """The plain answer: nothing typed is on the page, nothing is kept."""
    return render_template(
        "errors/error.html",
        code=400,
        title=_("The form has expired"),
        text=_("The page was open too long or was sent twice. Go back, reload it and try again."),
    ), 400


def carry(kept: Kept) -> None:
    """The pages carrying `kept` are shown to this session for its owner only."""
    session[KEPT_FOR] = kept.owner


@overload
def ask_to_sign_in(
    form: LoginForm | None = None, status: int = 401, *, kept: Kept
) -> tuple[str, int]: ...


@overload
def ask_to_sign_in(
    form: LoginForm | None = None, status: int = 401, kept: None = None
) -> tuple[str, int] | None: ...


def ask_to_sign_in(
    form: LoginForm | None = None, status: int = 401, kept: Kept | None = None
) -> tuple[str, int] | None:
    """The sign-in page carrying what was typed; None when nothing may be kept."""
    kept = kept or from_request()
    if kept is None:
        return None
    carry(kept)
    log.info("typed text kept for user %d to sign in again", kept.owner)
    return render_template(
        "auth/kept.html",
        form=form or LoginForm(formdata=None),
        kept=kept,
        destination=destination(kept.action),
        names=(PREFIX, ACTION, LANG),
    ), status


def _label(field: Field) -> str:
    text = str(field.label.text or "").strip()
    if text:
        return text
    if field.short_name == "version":
        return cast(str, _("Version of the record it was opened on"))
    return cast(str, field.short_name)


def _shown(field: Field, value: str) -> str | None:
    if isinstance(field, BooleanField):  # a tick box or a button: what the form will read
        return cast(str, _("Yes") if value not in field.false_values else _("No"))
    if not value.strip():
        return None
    choices = getattr(field, "choices", None)
    if isinstance(choices, list | tuple):
        for choice in choices:
            if isinstance(choice, list | tuple) and len(choice) >= 2 and str(choice[0]) == value:
                return str(choice[1])
    return value


def rows(form: Form, fields: Iterable[tuple[str, str]]) -> list[Row]:
    """Each field sent, in the form's order (what the page held hidden, such as the version it
    was opened on, last): its label and what it will read as."""
    values: dict[str, list[str]] = {}
    for name, value in fields:
        values.setdefault(name, []).append(value)
    sent = [field for field in form if field.name in values]
    sent.sort(key=lambda field: isinstance(field.widget, HiddenInput))
    return [
        Row(_label(field), tuple(_shown(field, value) for value in values[field.name]))
        for field in sent
    ]


def signed_in_again(kept: Kept) -> str | tuple[str, int]:
    """The text once more, labelled, with a fresh token, to send to the form's own address."""
    found = destination(kept.action)
    if found is None:  # the page is gone since (a new release): nothing to send it to
        return form_expired()
    return render_template(
        "auth/kept_send.html",
        kept=kept,
        destination=found,
        rows=rows(found.form, kept.fields),
        tokens=found.token_names,
    )
