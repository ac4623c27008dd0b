"""Nothing typed is lost to a sign-out or an expired form.

A form posted after the idle sign-out, after the session was ended elsewhere, or with a CSRF
token that expired is not answered with an error page. The edge (`portal.http`) answers it with
`ask_to_sign_in()`: a sign-in form that carries what was typed as hidden fields of the page (never
in the address, never in a log, never on the server). After the password is entered again
(`auth.resume`), `signed_in_again()` shows the text once more with a fresh CSRF token, and the
person sends it to the form's own address with one button: the view then saves it, or shows its
errors beside the fields as usual. Nothing is replayed without a new sign-in and a new token.

Passwords and CSRF tokens are never kept; files cannot be (a browser does not put them back).
"""

from flask import current_app, render_template, request
from flask_babel import get_locale

from portal.auth.access import safe_next
from portal.auth.forms import LoginForm

PREFIX = "kept-"
ACTION = "kept_action"
TOKENS = "kept_token"  # the names the form's own CSRF tokens had (`<prefix>-csrf_token`)
LANG = "kept_lang"
# The pages that carry a kept form along as hidden fields: the sign-in again, its one-time code,
# and the confirmation a sensitive action asks for (auth/fresh.py).
CARRIERS = ("auth.resume", "auth.code", "auth.confirm")
MAX_FIELDS = 200
MAX_CHARS = 100_000


def _secret(name: str) -> bool:
    lowered = name.lower()
    last = lowered.rsplit("-", 1)[-1]
    return "password" in lowered or last in ("confirm", "code")


def _collect(pairs) -> tuple[list[tuple[str, str]], list[str], bool]:
    """(name, value) pairs to keep, the CSRF field names seen, and whether anything was left out."""
    kept: list[tuple[str, str]] = []
    tokens: list[str] = []
    total = 0
    for name, value in pairs:
        if name.endswith("csrf_token"):
            if name not in tokens and len(tokens) < 10:
                tokens.append(name)
            continue
        if _secret(name) or name in (ACTION, TOKENS, LANG):
            continue
        total += len(name) + len(value)
        if len(kept) >= MAX_FIELDS or total > MAX_CHARS:
            return kept, tokens, True
        kept.append((name, value))
    return kept, tokens, False


def _from_request() -> tuple[list[tuple[str, str]], list[str], bool, str | None]:
    form = request.form
    if request.endpoint in CARRIERS:  # a page carrying a kept form was open too long
        pairs = [
            (name.removeprefix(PREFIX), value)
            for name, values in form.lists()
            if name.startswith(PREFIX)
            for value in values
        ]
        kept, _tokens, cut = _collect(pairs)
        tokens = [n for n in form.getlist(TOKENS)[:10] if n.endswith("csrf_token")]
        return kept, tokens, cut, safe_next(form.get(ACTION))
    pairs = [(name, value) for name, values in form.lists() for value in values]
    kept, tokens, cut = _collect(pairs)
    return kept, tokens, cut, safe_next(request.path)


def applies() -> bool:
    """A form posted to a page of the portal (not the sign-in forms themselves)."""
    if request.method != "POST":
        return False
    if request.blueprint == "auth":
        return request.endpoint in CARRIERS
    return True


def ask_to_sign_in(form: LoginForm | None = None, status: int = 401):
    kept, tokens, cut, action = _from_request()
    if action is None:
        return None
    lang = request.form.get(LANG) if request.endpoint in CARRIERS else str(get_locale())
    if lang not in current_app.config["LANGUAGES"]:
        lang = None
    return render_template(
        "auth/kept.html",
        form=form or LoginForm(formdata=None),
        kept=kept,
        tokens=tokens,
        cut=cut,
        action=action,
        lang=lang,
        names=(PREFIX, ACTION, TOKENS, LANG),
    ), status


def kept_for_resume() -> tuple[list[tuple[str, str]], list[str], bool, str | None]:
    return _from_request()


def signed_in_again(kept, tokens, cut, action):
    """The text once more, with a fresh token, to send to the form's own address."""
    return render_template(
        "auth/kept_send.html",
        kept=kept,
        tokens=sorted({*tokens, "csrf_token"}),
        cut=cut,
        action=action,
        shown=[value for name, value in kept if value.strip() and not name.endswith("version")],
    )
