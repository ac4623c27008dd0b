"""A resident's account request sent with an expired form: asked to send it again, never to sign in.

The person asking for an account has none. A form sent after its CSRF token expired (the page
was open longer than the token lives) or after the browser dropped the session cookie used to
land on the page that keeps a signed-out member of staff's text: "sign in again".
"""

import re

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AccountRequest
from tests.helpers import translated, village_id

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def centre(make_centre):
    return make_centre()


def _typed(app, centre: int, token: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "first_name": "Zofia",
        "last_name": "Wrzos",
        "email": "zofia.wrzos@example.org",
        "village_id": str(village_id(app, centre, "Biała Druga")),
        "consent": "y",
    }


def _stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AccountRequest))


@pytest.mark.parametrize("expiry", ["token too old", "session cookie dropped"])
def test_an_expired_account_request_is_shown_again_to_send_not_to_sign_in(
    app, client, centre, expiry
):
    app.config["WTF_CSRF_ENABLED"] = True
    with freeze_time("2026-03-02 09:00:00") as clock:
        token = CSRF.search(client.get("/request-account").get_data(as_text=True)).group(1)
        if expiry == "token too old":
            clock.tick(app.config["WTF_CSRF_TIME_LIMIT"] + 60)
            app.config["PERMANENT_SESSION_LIFETIME"] *= 100  # the cookie itself still lives
        else:
            client.delete_cookie("session")
        response = client.post("/request-account", data=_typed(app, centre, token))

        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert translated(app, "Sign in again to keep what you typed") not in page
        assert translated(app, "Sign in") not in page.split("<main", 1)[-1]
        expired = "The form has expired. Check what you typed and send it again."
        assert translated(app, expired) in page
        for kept in ("Zofia", "Wrzos", "zofia.wrzos@example.org"):
            assert kept in page
        assert _stored(app) == 0

        # Sent again from the page shown, with its fresh token: the request is taken.
        again = _typed(app, centre, CSRF.search(page).group(1))
        assert client.post("/request-account", data=again).status_code == 200
        assert _stored(app) == 1


def test_an_account_request_without_a_token_is_still_refused(app, client, centre):
    app.config["WTF_CSRF_ENABLED"] = True
    client.get("/request-account")
    response = client.post("/request-account", data=_typed(app, centre, "forged"))
    assert response.status_code == 200
    assert _stored(app) == 0
