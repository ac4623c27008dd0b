"""The language chosen before signing in stays after it, and becomes the account's language.

The sign-in clears the session (a fresh one, ASVS 3.2.1) but carries the chosen language over
(`auth.views`); at that moment, whichever way the person signed in, the choice is also saved to
the account, so their e-mails and their next visit on another device are in it too. A session
without a choice leaves the saved language as it is.
"""

from flask import Flask, current_app, session
from flask_login import user_logged_in

from portal.i18n import LANG_KEY
from portal.models import User


def _save_chosen_language(_app: Flask, user: User, **_extra: object) -> None:
    chosen = session.get(LANG_KEY)
    if chosen in current_app.config["LANGUAGES"] and user.locale != chosen:
        user.locale = chosen  # committed with the sign-in's redirect (portal.boundary)


user_logged_in.connect(_save_chosen_language)
