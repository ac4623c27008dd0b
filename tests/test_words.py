"""Words fit to send (issue 25): one money convention per language, lists joined without a
space before the comma, the project form's example programme a current one."""

import pytest
from flask_babel import force_locale

from portal import formatting
from portal.extensions import db
from portal.models import Participant
from portal.models.enums import Role
from portal.staff.support.allowance_forms import AllowanceForm
from tests.helpers import translated

COORDINATOR = "koordynator@example.org"


@pytest.mark.parametrize(
    ("locale", "amount", "label"),
    [("en", "PLN 100,000.00", "Amount (PLN)"), ("pl", "100 000,00 zł", "Kwota (zł)")],
)
def test_money_and_its_labels_follow_one_convention_per_language(app, locale, amount, label):
    with app.test_request_context("/"), force_locale(locale):
        written = formatting.money(10_000_000).replace("\xa0", " ")
        form_label = str(AllowanceForm(formdata=None).amount.label.text)
    assert written == amount
    assert formatting.money_in(-4550, locale).replace("\xa0", " ") in {"-PLN 45.50", "-45,50 zł"}
    # Polish only once the catalogue is compiled with the fragment: checked against it.
    assert form_label == (label if locale == "en" else translated(app, "Amount (PLN)"))


@pytest.fixture
def coordinator(make_centre, make_user):
    centre = make_centre()
    make_user(Role.COORDINATOR, centre_id=centre, email=COORDINATOR)
    return centre


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_a_person_on_both_paths_reads_as_one_list(app, login_as, coordinator, make_participant,
                                                  lang):  # fmt: skip
    person = make_participant(coordinator)
    with app.app_context():
        record = db.session.get(Participant, person)
        record.on_contract_path, record.on_pal_path = True, True
        db.session.commit()
    client = login_as(COORDINATOR)
    page = client.get(f"/staff/participants?lang={lang}").get_data(as_text=True)
    contract = translated(app, "social contract", locale=lang)
    pal = translated(app, "PAL", locale=lang)
    assert f"{contract}, {pal}" in page
    assert f"{contract} ," not in page
    assert f"{contract}\n" not in page


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_the_project_form_gives_a_current_programme_as_its_example(app, login_as, coordinator,
                                                                     lang):  # fmt: skip
    [rule] = [r for r in app.url_map.iter_rules() if r.endpoint.endswith("project_new")]
    page = login_as(COORDINATOR).get(f"{rule.rule}?lang={lang}").get_data(as_text=True)
    assert "Kapitał Ludzki" not in page
    assert "FERS 2021–2027" in page
