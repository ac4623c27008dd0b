"""The one way to load what a page asks for (services/common/loading.py): a record of another
centre is as good as missing, and only the loader and the edge answer "not found"."""

import re
from pathlib import Path

import pytest
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import Participant, Project, ProjectStage, User, Village
from portal.models.enums import Role
from portal.services.common import loading
from portal.services.common.errors import NotFound

PORTAL = Path(__file__).parent.parent / "portal"
# Where a 404 may still be written out: the loader itself, and the edge that answers it.
ANSWERS_NOT_FOUND = {"services/common/loading.py", "http.py"}


@pytest.fixture
def two_centres(app, make_centre, make_participant):
    ours, theirs = make_centre(), make_centre()
    return {
        "ours": ours,
        "theirs": theirs,
        "person": make_participant(ours, with_account=False),
        "stranger": make_participant(theirs, with_account=False),
    }


def test_of_centre_gives_the_centres_own_record(app, two_centres):
    with app.app_context():
        person = loading.of_centre(Participant, two_centres["person"], two_centres["ours"])
        assert (person.id, person.centre_id) == (two_centres["person"], two_centres["ours"])


@pytest.mark.parametrize("record", ["stranger", "missing"])
def test_of_centre_refuses_another_centres_record_and_a_missing_one(app, two_centres, record):
    record_id = two_centres.get(record, 2**31 - 1)
    with app.app_context(), pytest.raises(NotFound):
        loading.of_centre(Participant, record_id, two_centres["ours"])


def test_of_centre_for_update_reads_the_row_afresh(app, two_centres):
    person_id, centre_id = two_centres["person"], two_centres["ours"]
    with app.app_context():
        held = loading.of_centre(Participant, person_id, centre_id)
        assert held.first_name == "Jan"
        # Another transaction's change, as the session sees it: the row differs from its copy.
        db.session.execute(
            update(Participant)
            .where(Participant.id == person_id)
            .values(first_name="Janina")
            .execution_options(synchronize_session=False)
        )
        assert loading.of_centre(Participant, person_id, centre_id).first_name == "Jan"
        locked = loading.of_centre(Participant, person_id, centre_id, for_update=True)
        assert locked is held
        assert locked.first_name == "Janina"
        db.session.rollback()


def test_one_scopes_through_a_join(app, two_centres):
    """A stage has no centre of its own: it is the centre's through its project."""
    with app.app_context():
        stage_id = db.session.scalar(
            select(ProjectStage.id).join(Project).where(Project.centre_id == two_centres["theirs"])
        )

        def stage_of(centre_id: int) -> ProjectStage:
            return loading.one(
                select(ProjectStage)
                .join(Project)
                .where(ProjectStage.id == stage_id, Project.centre_id == centre_id)
            )

        assert stage_of(two_centres["theirs"]).id == stage_id
        with pytest.raises(NotFound):
            stage_of(two_centres["ours"])


def test_centre_id_of_an_actor_without_a_centre_is_not_found(app, make_user, two_centres):
    admin_id = make_user(Role.ADMIN)
    coordinator_id = make_user(Role.COORDINATOR, centre_id=two_centres["ours"])
    with app.app_context():
        assert loading.centre_id_of(db.session.get_one(User, coordinator_id)) == two_centres["ours"]
        with pytest.raises(NotFound):
            loading.centre_id_of(db.session.get_one(User, admin_id))
        assert loading.centre(two_centres["ours"]).id == two_centres["ours"]
        with pytest.raises(NotFound):
            loading.centre(2**31 - 1)


def test_same_centre_refuses_a_record_of_another_centre(app, two_centres):
    with app.app_context():
        ours = db.session.scalars(
            select(Village).where(Village.centre_id == two_centres["ours"])
        ).first()
        theirs = db.session.scalars(
            select(Village).where(Village.centre_id == two_centres["theirs"])
        ).first()
        loading.same_centre(two_centres["ours"], ours, None)
        with pytest.raises(NotFound):
            loading.same_centre(two_centres["ours"], ours, theirs)


def test_found_and_known():
    assert loading.found(0) == 0  # only None is missing, not a falsy value
    assert loading.known("csv", ("csv", "xlsx")) == "csv"
    with pytest.raises(NotFound):
        loading.found(None)
    with pytest.raises(NotFound):
        loading.known("pdf", ("csv", "xlsx"))


def test_another_centres_record_is_404_through_a_page(client, login_as, make_user, two_centres):
    make_user(Role.COORDINATOR, centre_id=two_centres["ours"], email="koordynator@example.org")
    login_as("koordynator@example.org")
    assert client.get(f"/staff/participants/{two_centres['person']}").status_code == 200
    assert client.get(f"/staff/participants/{two_centres['stranger']}").status_code == 404


def test_only_the_loader_and_the_edge_answer_not_found():
    """Every other module loads through services/common/loading.py instead of writing its own
    `raise NotFound()` or `abort(404)`."""
    written_out = re.compile(r"raise NotFound\b|abort\(\s*404\b")
    offenders = [
        f"{path.relative_to(PORTAL).as_posix()}:{number}"
        for path in sorted(PORTAL.rglob("*.py"))
        if path.relative_to(PORTAL).as_posix() not in ANSWERS_NOT_FOUND
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if written_out.search(line)
    ]
    assert not offenders, "load through services/common/loading.py:\n" + "\n".join(offenders)
