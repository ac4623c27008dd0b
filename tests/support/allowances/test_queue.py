"""The approval queue: every waiting request listed, a filter, "approve all shown" by that
filter after a confirmation, four-eyes and the budget still holding, one reject page per row."""

import re
from datetime import date, timedelta

from flask_babel import force_locale, ngettext
from markupsafe import escape
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Allowance, AuditEntry, Centre
from portal.models.base import utcnow
from portal.models.enums import AllowanceKind, Role
from tests.helpers import email, input_tag, translated
from tests.support.allowances.bulk import submitted_requests
from tests.support.allowances.steps import A, followed, line, status, zl

APPROVED = ("%(num)d request approved.", "%(num)d requests approved.")
ABOUT = (
    "You are about to approve %(num)d request asking for %(amount)s in all.",
    "You are about to approve %(num)d requests asking for %(amount)s in all.",
)
SHOWN = (
    "%(num)d request matches, asking for %(amount)s in all.",
    "%(num)d requests match, asking for %(amount)s in all.",
)
OWN_LEFT = (
    "%(num)d request you prepared or changed yourself is left for another coordinator.",
    "%(num)d requests you prepared or changed yourself are left for another coordinator.",
)
ROW = re.compile(r'id="approve-(\d+)"')


def plural(app, msgids: tuple[str, str], num: int, **params) -> str:
    """An ngettext message as the Polish page shows it (escaped)."""
    with app.test_request_context(), force_locale("pl"):
        return str(escape(ngettext(*msgids, num, **params)))


def _listed(page: str) -> list[int]:
    return [int(found) for found in ROW.findall(page)]


def _confirmed(page: str) -> dict[str, str]:
    """The figures the confirmation form carries: the number, the amount, the ids' check."""
    found = dict(re.findall(r'name="(count|total|check)" value="([0-9]+)"', page))
    assert found.keys() == {"count", "total", "check"}, "no confirmation form"
    return found


def _statuses(app, ids) -> set:
    with app.app_context():
        return set(db.session.scalars(select(Allowance.status).where(Allowance.id.in_(ids))))


def _fresh(app, o, count, **kw):
    """`count` requests by the social worker submitted just now (not waiting long)."""
    return submitted_requests(
        app,
        centre_id=o.centre,
        participant_ids=[o.person, o.other],
        preparer_id=o.worker,
        count=count,
        submitted_at=utcnow() - timedelta(minutes=5),
        **kw,
    )


def test_the_queue_is_read_a_page_at_a_time_with_the_figures_of_all(app, office, login_as):
    o = office
    ids = _fresh(app, o, 600)
    boss = login_as(email(app, o.boss), fresh=True)
    page = boss.get("/staff/approvals").get_data(as_text=True)
    assert _listed(page) == ids[:50]  # the oldest first, one page
    shown = plural(
        app,
        SHOWN,
        600,
        amount=zl(app, 600 * 10_00),
    )
    assert shown in page  # the number and the amount are of all 600
    assert 'href="/staff/approvals?page=2"' in page
    assert 'href="/staff/approvals?page=12"' in page
    assert _listed(boss.get("/staff/approvals?page=12").get_data(as_text=True)) == ids[550:]
    # A page past the end is the last one; no page number at all is the first, and says so.
    assert _listed(boss.get("/staff/approvals?page=99999").get_data(as_text=True)) == ids[550:]
    for damaged in ("-1", "abc", "0", "9" * 40, "１"):
        response = boss.get(f"/staff/approvals?page={damaged}")
        assert response.status_code == 200, damaged
        assert _listed(response.get_data(as_text=True)) == ids[:50], damaged
        assert translated(app, "That is not a page number: the first page is shown.") in (
            response.get_data(as_text=True)
        ), damaged
    # Each row's checkbox is named by its label: the person and the amount.
    label = translated(
        app,
        "Approve the request of %(name)s for %(amount)s",
        name="Genowefa Pigwa",
        amount=zl(app, 10_00),
    )
    row = re.search(rf'<label class="pick" for="approve-{ids[0]}">.*?</label>', page, re.S)
    assert row
    assert label in row[0]
    # A long queue leaves rejecting to each row's own page.
    assert f'href="/staff/allowances/{ids[0]}/reject"' in page
    assert f'id="reject-{ids[0]}"' not in page


def test_the_filter_works_from_the_address(app, office, login_as, make_allowance, make_user):
    o = office
    with app.app_context():
        warning_days = db.session.get(Centre, o.centre).decision_warning_days
    other_worker = make_user(
        Role.SOCIAL_WORKER, centre_id=o.centre, first_name="Olga", last_name="Druga"
    )
    old = submitted_requests(
        app,
        centre_id=o.centre,
        participant_ids=[o.person],
        preparer_id=o.worker,
        count=3,
        submitted_at=utcnow() - timedelta(days=warning_days + 2),
    )
    fresh = _fresh(app, o, 2)
    theirs = submitted_requests(
        app,
        centre_id=o.centre,
        participant_ids=[o.other],
        preparer_id=other_worker,
        count=2,
        submitted_at=utcnow() - timedelta(minutes=1),
    )
    periodic = make_allowance(
        o.person,
        o.worker,
        kind=AllowanceKind.PERIODIC,
        amount=200_00,
        contract_id=o.contract,
        last_month=date(2026, 5, 1),
        now=utcnow(),
    )
    boss = login_as(email(app, o.boss), fresh=True)

    def shown(query: str) -> set[int]:
        response = boss.get(f"/staff/approvals?{query}")
        assert response.status_code == 200, query
        return set(_listed(response.get_data(as_text=True)))

    assert shown("") == {*old, *fresh, *theirs, periodic}
    assert shown("kind=periodic") == {periodic}
    assert shown("kind=purpose") == {*old, *fresh, *theirs}
    assert shown(f"worker={other_worker}") == set(theirs)
    assert shown("overdue=1") == set(old)
    assert shown(f"overdue=1&worker={other_worker}") == set()
    # The choice is kept in the form.
    page = boss.get("/staff/approvals?overdue=1&kind=purpose").get_data(as_text=True)
    assert "checked" in input_tag(page, "overdue")
    assert 'value="1"' in input_tag(page, "overdue")
    assert re.search(r'<option selected value="purpose">', page)


def test_approve_all_shown_asks_once_then_approves_exactly_the_filtered(
    app, office, login_as, make_budget_line, make_user
):
    o = office
    budget = make_budget_line(o.centre, 100_000_00)
    other_worker = make_user(Role.SOCIAL_WORKER, centre_id=o.centre)
    mine = _fresh(app, o, 40, amount=25_00)
    theirs = submitted_requests(
        app,
        centre_id=o.centre,
        participant_ids=[o.other],
        preparer_id=other_worker,
        count=5,
        submitted_at=utcnow(),
    )
    boss = login_as(email(app, o.boss), fresh=True)
    queue = boss.get(f"/staff/approvals?worker={o.worker}").get_data(as_text=True)
    assert f'href="/staff/approvals/all?worker={o.worker}"' in queue

    # The confirmation says how many and how much; opening it changes nothing.
    confirm = boss.get(f"/staff/approvals/all?worker={o.worker}").get_data(as_text=True)
    about = plural(
        app,
        ABOUT,
        40,
        amount=zl(app, 40 * 25_00),
    )
    assert about in confirm
    assert _statuses(app, mine + theirs) == {A.SUBMITTED}

    page = followed(
        boss,
        boss.post(
            "/staff/approvals/all",
            data={"worker": str(o.worker), **_confirmed(confirm)},
        ),
    )
    assert plural(app, APPROVED, 40) in page
    assert _statuses(app, mine) == {A.APPROVED}
    assert _statuses(app, theirs) == {A.SUBMITTED}  # outside the filter: untouched
    assert line(app, budget)[1] == 40 * 25_00


def test_a_confirmation_is_good_only_for_the_requests_it_showed(
    app, office, login_as, make_budget_line
):
    o = office
    make_budget_line(o.centre, 100_000_00)
    first = _fresh(app, o, 3)
    boss = login_as(email(app, o.boss), fresh=True)
    confirm = boss.get("/staff/approvals/all").get_data(as_text=True)
    later = _fresh(app, o, 1)  # submitted after the coordinator was asked
    response = boss.post("/staff/approvals/all", data=_confirmed(confirm))
    assert response.headers["Location"].endswith("/staff/approvals/all")
    page = followed(boss, response)
    changed = translated(
        app,
        "The requests waiting have changed since you were asked to confirm. "
        "Check the new number and confirm again.",
    )
    assert changed in page
    assert _statuses(app, first + later) == {A.SUBMITTED}
    about = plural(
        app,
        ABOUT,
        4,
        amount=zl(app, 4 * 10_00),
    )
    assert about in page  # asked again, with the new number
    # Made-up or damaged figures approve nothing either.
    boss.post("/staff/approvals/all", data={"count": "4", "total": "4000", "check": "0"})
    boss.post("/staff/approvals/all", data={"count": "x", "total": "-1", "check": "9" * 40})
    assert _statuses(app, first + later) == {A.SUBMITTED}


def test_approve_all_never_approves_the_coordinators_own(
    app, office, login_as, make_budget_line, make_allowance
):
    o = office
    make_budget_line(o.centre, 100_000_00)
    others = _fresh(app, o, 4)
    prepared = make_allowance(o.person, o.boss, now=utcnow())
    changed = _fresh(app, o, 1)[0]
    with app.app_context():  # the coordinator corrected this one before it was submitted
        db.session.add(
            AuditEntry(
                centre_id=o.centre,
                actor_id=o.boss,
                at=utcnow(),
                action="allowance.update",
                entity_type=Allowance.__tablename__,
                entity_id=changed,
                changes={},
            )
        )
        db.session.commit()
    boss = login_as(email(app, o.boss), fresh=True)
    queue = boss.get("/staff/approvals").get_data(as_text=True)
    for own in (prepared, changed):
        assert f'value="{own}" id="approve-{own}" disabled' in queue
        assert f'href="/staff/allowances/{own}/reject"' not in queue
    confirm = boss.get("/staff/approvals/all").get_data(as_text=True)
    assert plural(app, OWN_LEFT, 2) in confirm
    page = followed(boss, boss.post("/staff/approvals/all", data=_confirmed(confirm)))
    # The confirmation said they are left for another coordinator: only the others are decided.
    assert plural(app, APPROVED, 4) in page
    assert _statuses(app, others) == {A.APPROVED}
    assert status(app, prepared) == A.SUBMITTED
    assert status(app, changed) == A.SUBMITTED
    # The other coordinator may decide them.
    boss2 = login_as(email(app, o.boss2), fresh=True)
    confirm = boss2.get("/staff/approvals/all").get_data(as_text=True)
    followed(boss2, boss2.post("/staff/approvals/all", data=_confirmed(confirm)))
    assert _statuses(app, [prepared, changed]) == {A.APPROVED}


def test_approve_all_stops_where_the_budget_line_runs_out(app, office, login_as, make_budget_line):
    o = office
    budget = make_budget_line(o.centre, 1_000_00)
    ids = _fresh(app, o, 5, amount=300_00)
    boss = login_as(email(app, o.boss), fresh=True)
    confirm = boss.get("/staff/approvals/all").get_data(as_text=True)
    page = followed(boss, boss.post("/staff/approvals/all", data=_confirmed(confirm)))
    assert plural(app, APPROVED, 3) in page
    exceeded = translated(app, "Not enough money left on the allowance budget line.", html=False)
    assert translated(app, "Not approved (%(n)d): %(reason)s", n=2, reason=exceeded) in page
    assert [status(app, i) for i in ids] == [A.APPROVED] * 3 + [A.SUBMITTED] * 2  # oldest first
    assert line(app, budget)[:2] == (1_000_00, 900_00)
    assert _listed(page) == ids[3:]  # still waiting, still listed


def test_over_a_thousand_ticked_rows_are_approved_in_one_post(
    app, office, login_as, make_budget_line
):
    """Ticked one by one (or all at once with the script): one form field per row, well within
    the request size (3 MB); the browser sends it url-encoded, which Flask does not count."""
    o = office
    make_budget_line(o.centre, 100_000_00)
    ids = _fresh(app, o, 1_200)
    boss = login_as(email(app, o.boss), fresh=True)
    response = boss.post("/staff/approvals/approve", data={"allowance_id": ids})
    page = followed(boss, response)
    assert plural(app, APPROVED, 1_200) in page
    assert _statuses(app, ids) == {A.APPROVED}


def test_reject_from_the_row_asks_for_the_reason_on_its_own_page(app, office, login_as):
    o = office
    ids = _fresh(app, o, 30)
    boss = login_as(email(app, o.boss), fresh=True)
    path = f"/staff/allowances/{ids[0]}/reject"
    page = boss.get(path).get_data(as_text=True)
    assert 'id="reject-form"' in page
    assert 'name="reason"' in page
    response = boss.post(path, data={"reason": "  "})
    assert response.status_code == 200
    assert translated(app, "Give the reason for rejecting.") in response.get_data(as_text=True)
    assert status(app, ids[0]) == A.SUBMITTED
    page = followed(boss, boss.post(path, data={"reason": "Dochód powyżej kryterium"}))
    assert translated(app, "The request is rejected.") in page
    assert status(app, ids[0]) == A.REJECTED
    assert ids[0] not in _listed(page)
    # Decided: the page says so and offers no form.
    page = boss.get(path).get_data(as_text=True)
    assert translated(app, "This request is not waiting for a decision.") in page
    assert 'id="reject-form"' not in page


def test_the_queue_runs_the_same_statements_for_200_and_2000_requests(
    app, office, login_as, query_counter
):
    o = office
    boss = login_as(email(app, o.boss), fresh=True)
    counts = []
    for count in (200, 1_800):
        _fresh(app, o, count)
        boss.get("/staff/approvals")  # once before measuring
        with query_counter() as statements:
            page = boss.get("/staff/approvals").get_data(as_text=True)
        counts.append(len(statements))
    assert len(_listed(page)) == 50  # one page
    assert plural(app, SHOWN, 2_000, amount=zl(app, 2_000 * 10_00)) in page
    assert counts[0] == counts[1], counts
    with app.app_context():
        assert db.session.scalar(select(func.count(Allowance.id))) == 2_000
