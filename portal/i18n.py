"""Language choice for each request, and the formatting filters templates use."""

from collections.abc import Sequence
from typing import cast

from babel.support import NullTranslations
from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import Babel, get_locale, get_translations
from flask_login import current_user
from markupsafe import Markup

from portal.formatting import date_time, iso_date, money, month, short_date, short_time, time_range

LANG_KEY = "lang"


def select_locale() -> str:
    """?lang=, then this session's choice, the saved preference, the browser's, then Polish."""
    languages: Sequence[str] = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work: the installation's language
        return _default_locale()
    asked = request.args.get("lang")
    if asked is not None and asked in languages:
        return asked
    # A choice made in this session wins over the saved preference, which catches up with it
    # on the session's next change (a GET never writes).
    chosen = session.get(LANG_KEY)
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    if current_user.is_authenticated:
        saved: str | None = current_user.locale
        if saved is not None and saved in languages:
            return saved
    return request.accept_languages.best_match(languages) or _default_locale()


def _default_locale() -> str:
    locale: str = current_app.config["BABEL_DEFAULT_LOCALE"]
    return locale


def in_polish() -> Markup:
    """` lang="pl"` for an element holding what people typed in Polish (event titles, plan
    text, names of courses and villages) when the page is in another language, so a screen
    reader reads it with Polish pronunciation; nothing on a Polish page."""
    return Markup("") if str(get_locale()) == "pl" else Markup(' lang="pl"')


def _catalogue() -> NullTranslations:
    """The catalogue of the language in force, found once per request and language.

    Flask-Babel finds it again for every string a template translates (the request's context,
    its domain, the locale's name, its cache: a page of labels does that hundreds of times).
    `force_locale` (a mail in its reader's language, a PDF in Polish) puts another locale in
    force, and the catalogue follows it."""
    if not has_app_context():
        found: NullTranslations = get_translations()
        return found
    locale = get_locale()
    cached = g.get("_portal_catalogue")
    if cached is None or cached[0] is not locale:
        cached = (locale, get_translations())
        g._portal_catalogue = cached
    return cast(NullTranslations, cached[1])


def init_app(app: Flask, babel: Babel) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters.update(
        money=money,
        date=short_date,
        isodate=iso_date,
        datetime=date_time,
        time=short_time,
        month=month,
        timerange=time_range,
    )
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["in_polish"] = in_polish
    # The same callables as Flask-Babel's, on the catalogue found once (see _catalogue).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )
