"""The public list of upcoming events (no account, no names) and the calendar subscription by a
webcal: link with steps, instead of an address to copy from a read-only box."""

import re
from datetime import timedelta

from portal.extensions import db
from portal.models import Participant
from portal.models.enums import EventStatus
from portal.models.support import GroupInstrument
from tests.helpers import EnglishClient


def test_anyone_sees_every_centres_upcoming_published_events_and_no_names(
    app, make_centre, make_participant, make_event, make_registration
):
    north = make_centre(name="Ośrodek Północ")
    south = make_centre(name="Ośrodek Południe")
    shown = [
        make_event(north, title="Piknik rodzinny", capacity=3),
        make_event(south, title="Warsztaty kulinarne", starts_in=timedelta(days=5)),
    ]
    make_event(north, title="Szkic spotkania", status=EventStatus.DRAFT)
    make_event(north, title="Spotkanie minione", starts_in=timedelta(days=-2))
    make_event(north, title="Trening umiejętności", instrument=GroupInstrument.SOCIAL_SKILLS)
    person = make_participant(north, last_name="Zapisanowska", first_name="Bogumiła")
    make_registration(person, shown[0], companions=1)

    app.test_client_class = EnglishClient
    page = app.test_client().get("/events").get_data(as_text=True)

    assert "Piknik rodzinny" in page
    assert "Warsztaty kulinarne" in page
    assert "Ośrodek Północ" in page
    assert "Ośrodek Południe" in page
    assert "1 place left" in page  # three places, two taken by her and her family member
    for hidden in ("Szkic spotkania", "Spotkanie minione", "Trening umiejętności"):
        assert hidden not in page
    assert "Zapisanowska" not in page
    assert "Bogumiła" not in page
    landing = app.test_client().get("/").get_data(as_text=True)
    assert 'href="/events"' in landing


def test_the_calendar_page_offers_a_webcal_link_and_steps_not_a_box_to_copy(
    app, make_centre, make_participant, login_as
):
    person = make_participant(make_centre())
    client = login_as("participant1@example.org")
    client.post("/me/calendar", data={"action": "renew"})
    with app.app_context():
        token = db.session.get(Participant, person).calendar_token

    page = client.get("/me/calendar?lang=en").get_data(as_text=True)

    assert re.search(rf'href="webcal://[^/"]+/calendar/{token}\.ics"', page)
    assert '<ol class="steps">' in page
    assert "readonly" not in page
    assert f"/calendar/{token}.ics</a>" in page  # the address itself, for apps without webcal:
