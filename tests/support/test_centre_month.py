"""The month of an allowance and of a payment list is the centre's month (Europe/Warsaw).

Just after midnight on the 1st in Poland it is still the last day of the previous month in
UTC; a purpose allowance prepared then is for the new month, and the payment lists page offers
the new month.
"""

from datetime import UTC, date, datetime

from portal.extensions import db
from portal.models import Participant, User
from portal.models.enums import AllowanceKind, PurposeCategory, Role
from portal.services.support import allowances

# 00:30 on 1 December in Warsaw (CET, UTC+1).
JUST_AFTER_MIDNIGHT = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)


def test_a_purpose_allowance_prepared_after_midnight_is_for_the_new_month(
    app, make_user, make_participant
):
    person_id = make_participant()
    with app.app_context():
        centre_id = db.session.get(Participant, person_id).centre_id
    worker_id = make_user(Role.SOCIAL_WORKER, centre_id=centre_id)
    with app.app_context():
        person = db.session.get(Participant, person_id)
        allowance = allowances.create(
            person,
            None,
            allowances.AllowanceFields(
                kind=AllowanceKind.PURPOSE,
                amount_grosze=12_050,
                category=PurposeCategory.TRAVEL,
                purpose="Bilety na dojazd",
                justification="Kurs w Janowie.",
            ),
            prepared_by=db.session.get(User, worker_id),
            now=JUST_AFTER_MIDNIGHT,
        )
        assert allowance.first_month == date(2026, 12, 1)
        plan = allowances.instalment_plan(allowance, decided_on=date(2026, 12, 1))
        assert plan == [(date(2026, 12, 1), 12_050)]


def test_the_payment_lists_page_offers_the_centres_month(
    app, client, make_user, login_as, monkeypatch
):
    make_user(Role.COORDINATOR, email="koordynatorka@example.org")
    login_as("koordynatorka@example.org")
    monkeypatch.setattr("portal.staff.support.payments.utcnow", lambda: JUST_AFTER_MIDNIGHT)
    page = client.get("/staff/payments").get_data(as_text=True)
    assert 'value="2026-12"' in page
