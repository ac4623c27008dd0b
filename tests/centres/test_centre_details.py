"""A centre's official name and contact details: its coordinator corrects them on the set-up,
the installation administrator on the centres page; every change is audited with the old and
new value, and the public pages show what was saved."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEntry, Centre
from portal.models.enums import Role
from portal.services.centres import centres
from portal.services.common.errors import AlreadyExists, PortalError
from tests.helpers import translated

DETAILS = {
    "name": "Miejski Ośrodek Pomocy Społecznej w Kraśniku",
    "address": "ul. Kościuszki 7, 23-200 Kraśnik",
    "email": "mops@krasnik.example.org",
    "phone": "+48 81 825 00 00",
    "dpo_contact": "iod@krasnik.example.org",
}


@pytest.fixture
def centre_id(make_centre):
    return make_centre(name="Ośrodek Pomocy Społecznej w Kraśniku", short_name="ops-krasnik")


@pytest.fixture
def coordinator(centre_id, make_user, login_as):
    make_user(Role.COORDINATOR, centre_id=centre_id, email="koordynator@example.org")
    return login_as("koordynator@example.org")


def _centre(app, centre_id: int) -> Centre:
    with app.app_context():
        centre = db.session.get(Centre, centre_id)
        db.session.expunge(centre)
        return centre


def _details_audit(app, centre_id: int) -> list[AuditEntry]:
    with app.app_context():
        entries = list(
            db.session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "centre.details", AuditEntry.entity_id == centre_id
                )
            )
        )
        for entry in entries:
            db.session.expunge(entry)
        return entries


def test_the_coordinator_saves_the_centres_details_audited_with_old_and_new(
    app, client, centre_id, coordinator
):
    overview = client.get("/staff/setup/?lang=en").get_data(as_text=True)
    assert 'href="/staff/setup/details"' in overview
    page = client.get("/staff/setup/details?lang=en").get_data(as_text=True)
    assert 'value="Ośrodek Pomocy Społecznej w Kraśniku"' in page

    response = client.post("/staff/setup/details", data=DETAILS)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/setup/")

    centre = _centre(app, centre_id)
    assert (centre.name, centre.address, centre.email, centre.phone, centre.dpo_contact) == (
        DETAILS["name"],
        DETAILS["address"],
        DETAILS["email"],
        DETAILS["phone"],
        DETAILS["dpo_contact"],
    )
    [entry] = _details_audit(app, centre_id)
    assert entry.centre_id == centre_id
    assert entry.changes["name"] == {
        "old": "Ośrodek Pomocy Społecznej w Kraśniku",
        "new": DETAILS["name"],
    }
    assert entry.changes["email"] == {"old": "", "new": DETAILS["email"]}
    assert entry.changes["dpo_contact"] == {"old": None, "new": DETAILS["dpo_contact"]}

    # Saving the same again changes nothing and records nothing.
    client.post("/staff/setup/details", data=DETAILS)
    assert len(_details_audit(app, centre_id)) == 1

    # Emptying the officer's contact goes back to none.
    client.post("/staff/setup/details", data={**DETAILS, "dpo_contact": "  "})
    assert _centre(app, centre_id).dpo_contact is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "mops(at)krasnik", "Enter an e-mail address in the form name@example.com."),
        ("phone", "zadzwoń do nas", "Enter a telephone number: digits, spaces, + and -."),
        ("name", "", "Enter the centre's name."),
        ("address", "x" * 201, None),
    ],
)
def test_a_bad_detail_is_refused_beside_its_field_keeping_what_was_typed(
    app, client, centre_id, coordinator, field, value, message
):
    typed = {**DETAILS, field: value}
    response = client.post("/staff/setup/details?lang=en", data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in page  # the message sits beside the field
    if message:
        assert translated(app, message, locale="en", html=False) in page
    for other, text in typed.items():
        if other != field:
            assert f'value="{text}"' in page  # what was typed is kept
    centre = _centre(app, centre_id)
    assert (centre.name, centre.email, centre.phone) == (
        "Ośrodek Pomocy Społecznej w Kraśniku",
        "",
        "",
    )
    assert _details_audit(app, centre_id) == []


def test_the_service_checks_the_shapes_and_lengths_itself(app, ctx, centre_id, make_centre):
    make_centre(name="Gminny Ośrodek Pomocy Społecznej w Modliborzycach", short_name="gops-m")
    refusals = [
        ({"email": "mops@krasnik"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"name": "   "}, "name"),
        ({"dpo_contact": "iod@"}, "dpo_contact"),
        ({"dpo_contact": "x" * 201}, "dpo_contact"),
        ({"address": "ul. Długa 1\x00"}, "address"),
    ]
    for change, field in refusals:
        with pytest.raises(PortalError) as refused:
            centres.update_details(
                centre_id, centres.CentreDetails(**{**DETAILS, **change}), actor=None
            )
        assert refused.value.field == field, change
    with pytest.raises(AlreadyExists) as taken:
        centres.update_details(
            centre_id,
            centres.CentreDetails(
                **{**DETAILS, "name": "Gminny Ośrodek Pomocy Społecznej w Modliborzycach"}
            ),
            actor=None,
        )
    assert taken.value.field == "name"
    # A postal address for the officer is taken as written.
    postal = "Inspektor ochrony danych, ul. Kościuszki 7, 23-200 Kraśnik"
    changes = centres.update_details(
        centre_id, centres.CentreDetails(**{**DETAILS, "dpo_contact": postal}), actor=None
    )
    assert changes["dpo_contact"] == (None, postal)


def test_another_centres_staff_cannot_reach_the_details(
    app, client, centre_id, make_centre, make_user, login_as
):
    other = make_centre(name="Ośrodek w Zaklikowie", short_name="ops-zaklikow")
    make_user(Role.COORDINATOR, centre_id=other, email="inny@example.org")
    make_user(Role.SOCIAL_WORKER, centre_id=centre_id, email="pracownik@example.org")
    outsider = login_as("inny@example.org", fresh=True)
    # The set-up page edits only the coordinator's own centre; the administrator's page refuses.
    assert outsider.post(f"/staff/centres/{centre_id}", data=DETAILS).status_code == 403
    outsider.post("/staff/setup/details", data=DETAILS)
    worker = login_as("pracownik@example.org", fresh=True)
    assert worker.get("/staff/setup/details").status_code == 403
    assert worker.post("/staff/setup/details", data=DETAILS).status_code == 403
    assert _centre(app, centre_id).name == "Ośrodek Pomocy Społecznej w Kraśniku"
    assert _centre(app, other).name == DETAILS["name"]  # the outsider changed only their own


def test_the_administrator_edits_any_centre_from_the_centres_page(
    app, client, centre_id, make_user, login_as
):
    admin_id = make_user(Role.ADMIN, email="instalacja@example.org")  # no centre of its own
    admin = login_as("instalacja@example.org")
    listing = admin.get("/staff/centres?lang=en").get_data(as_text=True)
    assert f'href="/staff/centres/{centre_id}"' in listing
    page = admin.get(f"/staff/centres/{centre_id}?lang=en").get_data(as_text=True)
    assert 'href="/staff/centres"' in page
    response = admin.post(f"/staff/centres/{centre_id}", data=DETAILS)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/staff/centres")
    assert _centre(app, centre_id).phone == DETAILS["phone"]
    [entry] = _details_audit(app, centre_id)
    assert entry.actor_id == admin_id
    assert entry.changes["phone"] == {"old": "", "new": DETAILS["phone"]}
    assert admin.get("/staff/centres/999999").status_code == 404


def test_the_public_pages_show_the_saved_details(app, client, centre_id, coordinator):
    privacy = client.get("/privacy?lang=en").get_data(as_text=True)
    general = "by e-mail at the centre's address above"
    assert general in privacy  # no officer given yet: the general wording
    assert client.post("/staff/setup/details", data=DETAILS).status_code == 302
    visitor = app.test_client()

    landing = visitor.get("/?lang=en").get_data(as_text=True)
    assert DETAILS["name"] in landing
    assert DETAILS["address"] in landing
    assert f'href="mailto:{DETAILS["email"]}"' in landing
    assert 'href="tel:+48818250000"' in landing

    privacy = visitor.get("/privacy?lang=en").get_data(as_text=True)
    assert f'<a href="mailto:{DETAILS["dpo_contact"]}">' in privacy
    assert general not in privacy

    postal = "IOD, ul. Kościuszki 7, 23-200 Kraśnik"
    with app.app_context():
        centres.update_details(
            centre_id, centres.CentreDetails(**{**DETAILS, "dpo_contact": postal}), actor=None
        )
        db.session.commit()
    privacy = visitor.get("/privacy?lang=en").get_data(as_text=True)
    assert postal in privacy
    assert f"mailto:{postal}" not in privacy
