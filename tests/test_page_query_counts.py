"""Every page runs the same number of SQL statements for one record of each kind and for ten.

The pages come from the app's url_map (tests/urlmap.py), so a page added tomorrow is counted the
day it is added. Each is read, with the ids of unit 0 (tests/records.py), by the first person it
answers with 200: a coordinator, a social worker, an advisor, an administrator, a participant or
someone signed out. Then nine more units of records are added to the centre (every list grows,
and unit 0's event, plan and person gain rows) and the same people read the same pages again.
The subject modules (tests/test_query_counts.py and the like) grow one subject much further.

No page lazy loads from its template: the suite's configuration makes such a load raise
(portal/rendering.py), and this walk names each page that did, with the attribute it loaded.
"""

import re

import pyotp
from sqlalchemy import select

from portal.extensions import db
from portal.models import User
from portal.models.base import utcnow
from portal.models.enums import Role
from portal.services.accounts import two_factor
from tests import urlmap
from tests.conftest import count_queries
from tests.helpers import PASSWORD, app_log, user_of
from tests.records import STAFF_ROLES, WORDS, add_records, build_side

UNITS = 10
# Pages that never answer 200 to a GET by design, with the reason.
NOT_PAGES = {
    "/auth/logout": "signing out is a POST; a GET is refused",
}


def _pages(app) -> list[urlmap.Route]:
    """Every GET route whose arguments are ids (or one of a fixed set of words)."""
    return urlmap.routes(
        app,
        lambda route: (
            route.method == "GET"
            and route.endpoint != "static"
            and route.arguments <= route.ids | WORDS.keys()
            and route.rule not in NOT_PAGES
        ),
    )


def _two_factor_user(app, make_user, side, email: str, *, confirmed: bool) -> str | None:
    """A coordinator of the side's centre setting up two-factor sign-in, or with it on; the
    secret is returned."""
    make_user(Role.COORDINATOR, centre_id=side.centre_id, email=email)
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        two_factor.start(user, now=utcnow())
        secret = user.totp_secret
        if confirmed:
            two_factor.confirm(user, pyotp.TOTP(secret).now(), now=utcnow())
        db.session.commit()
    return secret


def _clients(app, side, login_as, make_user) -> dict[str, object]:
    people = {role: login_as(side.emails[role], PASSWORD, fresh=True) for role in STAFF_ROLES}
    people["participant"] = login_as(side.participant_email, PASSWORD, fresh=True)
    with app.app_context():  # the one with a registration, for the cancelling page
        people["registered"] = login_as(user_of(side.unassigned).email, PASSWORD, fresh=True)
    people["signed out"] = app.test_client()
    _two_factor_user(app, make_user, side, "zaczyna.2fa@example.org", confirmed=False)
    people["setting up two-factor"] = login_as("zaczyna.2fa@example.org", PASSWORD, fresh=True)
    secret = _two_factor_user(app, make_user, side, "ma.2fa@example.org", confirmed=True)
    # Half signed in: the password taken, the code asked for next.
    people["asked for a code"] = login_as("ma.2fa@example.org", PASSWORD, fresh=True)
    people["with two-factor"] = login_as("ma.2fa@example.org", PASSWORD, fresh=True)
    response = people["with two-factor"].post(
        "/auth/code", data={"code": pyotp.TOTP(secret).at(utcnow().timestamp() + 30)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return people


def _read(app, clients, pages, ids, readers=None) -> dict[str, tuple[str, int]]:
    """page rule -> (who read it, statements), for the pages someone could read."""
    counts = {}
    lazy_loads = {}
    for route in pages:
        path = urlmap.fill(route.rule, ids)
        for who in [readers[route.rule]] if readers else clients:
            with count_queries(app) as statements, app_log() as log:
                response = clients[who].get(path)
            refused = re.findall(r"LazyLoadInTemplate: (.+)", log.getvalue())
            if refused:
                lazy_loads[route.rule] = (who, refused)
            if response.status_code == 200:
                counts[route.rule] = (who, len(statements))
                break
    assert not lazy_loads, "pages that lazy load from their template (who, what):\n" + "\n".join(
        f"{rule}: {found}" for rule, found in sorted(lazy_loads.items())
    )
    return counts


def test_every_page_runs_as_many_statements_for_ten_records_of_each_kind_as_for_one(
    app, make_centre, make_user, make_participant, login_as
):
    side = build_side(app, make_centre, make_user, make_participant, "a", "Kowalczyk")
    clients = _clients(app, side, login_as, make_user)
    pages = _pages(app)
    _read(app, clients, pages, side.ids)  # once to warm what a first request loads
    small = _read(app, clients, pages, side.ids)
    unread = sorted({route.rule for route in pages} - small.keys())
    assert not unread, f"pages nobody could read with the records' ids: {unread}"

    for k in range(1, UNITS):
        add_records(app, side, make_participant, k)
    readers = {rule: who for rule, (who, _count) in small.items()}
    # Once to warm again, as at the small size: figures kept between visits (the coordinator's
    # home) are counted again after the change, on the first visit only.
    _read(app, clients, pages, side.ids, readers)
    large = _read(app, clients, pages, side.ids, readers)

    grown = {
        rule: (who, count, large.get(rule, (who, None))[1])
        for rule, (who, count) in small.items()
        if large.get(rule, (who, None))[1] != count
    }
    assert not grown, "statements at 1 and 10 records (who, 1, 10): " + "\n".join(
        f"{rule}: {figures}" for rule, figures in sorted(grown.items())
    )
    assert len(small) >= 100, len(small)  # the walk reached the portal's pages (125 today)
