"""Importing participants from a spreadsheet: the template, the preview with every problem at its
row and column, the import of all rows or of the valid ones, or nothing; bounded uploads checked
by content; roles and centres."""

import csv
import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from portal.extensions import db
from portal.models import AuditEntry, ImportBatch, Participant, User, Village
from portal.models.enums import Role, Sex
from portal.models.imports import ImportStatus
from portal.services import import_rules

HEADER = [column.header for column in import_rules.COLUMNS]
RECORDED_PESEL = "02211307589"
GOOD = [
    ["Jan", "Nowak", "44051401359", "", "M", "", "", "", "nie", "tak"],
    ["Zofia", "Mazur", "", "15.03.1990", "K", "Biała Pierwsza", "zofia@example.org",
     "+48 600 100 200", "tak", "nie"],
]  # fmt: skip
# One row of each kind of problem, and the (row, column, code) it must be reported as.
BAD = [
    (["Ewa", "Kowalska", "44051401358"], ("PESEL", "pesel_checksum")),
    (["Ewa", "Lis", "", "31.02.1980"], ("Data urodzenia", "date_impossible")),
    (["Piotr", "Wójcik", "", "", "", "Zielona Dolina"], ("Sołectwo", "village_unknown")),
    (["Adam", "Zieliński", "44051401359"], ("PESEL", "pesel_in_file")),
    (["Ola", "Nowa", RECORDED_PESEL], ("PESEL", "pesel_recorded")),
    (["Marek", ""], ("Nazwisko", "required")),
    (["J" * 101, "Długi"], ("Imię", "too_long")),
    (["Karol", '=HYPERLINK("http://example.com","klik")'], ("Nazwisko", "formula")),
    (["Iga", "Sowa", "", "", "", "", "", "", "może"], ("Ścieżka kontraktu", "yes_no")),
]


@pytest.fixture
def staff(app, make_user, make_participant):
    make_user(Role.SOCIAL_WORKER, email="worker@example.org")
    with app.app_context():
        centre_id = db.session.scalar(
            select(User.centre_id).where(User.email == "worker@example.org")
        )
    make_user(Role.COORDINATOR, email="coordinator@example.org", centre_id=centre_id)
    make_user(Role.ADVISOR, email="advisor@example.org", centre_id=centre_id)
    make_participant(centre_id, last_name="Zapisana", pesel_number=RECORDED_PESEL)
    return centre_id


def _rows(good=GOOD, bad=BAD):
    return [*good[:1], *[row for row, _ in bad], *good[1:]]


def _csv(rows, header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([cell or None for cell in row])  # a formula stays a formula cell
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _upload(client, body: bytes, name: str = "uczestnicy.csv", *, lang: str = "en"):
    return client.post(
        f"/staff/import?lang={lang}",
        data={"file": (io.BytesIO(body), name)},
        content_type="multipart/form-data",
    )


def _batch_url(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def _people(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Participant.last_name)))


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_preview_lists_every_problem_at_its_row_and_column_and_stores_nothing(
    app, client, login_as, staff, kind
):
    login_as("worker@example.org")
    before = _people(app)
    body = (_csv if kind == "csv" else _xlsx)(_rows())
    url = _batch_url(_upload(client, body, f"plik.{kind}"))
    assert _people(app) == before  # a preview records nobody
    with app.app_context():
        batch = db.session.scalars(select(ImportBatch)).one()
        found = {(row, column, code) for row, column, code, _params in batch.problems}
        expected = {(3 + i, *where) for i, (_row, where) in enumerate(BAD)}
        assert found == expected
        assert [row["row"] for row in batch.rows] == [2, 3 + len(BAD)]
        assert batch.file_kind == kind
    page = client.get(url + "?lang=en").get_data(as_text=True)
    cells = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>', page)
    assert {(int(row), column) for row, column, _text in cells} == {
        (row, column) for row, column, _code in expected
    }
    assert "The PESEL check digit does not match" in page
    assert "This date does not exist." in page
    assert "The same PESEL is already in row 2." in page
    assert "Longer than 100 characters." in page
    assert "A formula is not allowed" in page


def test_import_valid_rows_only_records_them_and_nothing_from_bad_rows(
    app, client, login_as, staff
):
    login_as("worker@example.org")
    before = _people(app)
    url = _batch_url(_upload(client, _csv(_rows())))
    refused = client.post(url + "?lang=en", data={"mode": "all"})
    assert refused.status_code == 200
    assert "Some rows have problems" in refused.get_data(as_text=True)
    assert _people(app) == before
    done = client.post(url, data={"mode": "valid"})
    assert done.status_code == 302
    assert _people(app) == before | {"Nowak", "Mazur"}
    with app.app_context():
        mazur = db.session.scalars(
            select(Participant).where(Participant.last_name == "Mazur")
        ).one()
        village = db.session.get(Village, mazur.village_id)
        assert (village.name, mazur.sex, mazur.phone) == (
            "Biała Pierwsza",
            Sex.FEMALE,
            "+48 600 100 200",
        )
        assert mazur.birth_date.isoformat() == "1990-03-15"
        assert (mazur.on_contract_path, mazur.on_pal_path) == (True, False)
        nowak = db.session.scalars(
            select(Participant).where(Participant.last_name == "Nowak")
        ).one()
        assert (nowak.pesel, nowak.sex, nowak.on_pal_path) == ("44051401359", Sex.MALE, True)
        batch = db.session.scalars(select(ImportBatch)).one()
        assert (batch.status, batch.imported_count, batch.rows) == (ImportStatus.IMPORTED, 2, [])
        actions = list(db.session.scalars(select(AuditEntry.action)))
        assert actions.count("participant.import") == 2
        assert {"import.preview", "import.imported"} <= set(actions)
    # Single use: a second click imports nothing more.
    again = client.post(url + "?lang=en", data={"mode": "valid"})
    assert "already been imported or discarded" in again.get_data(as_text=True)
    assert len(_people(app)) == len(before) + 2


def test_a_file_without_problems_is_imported_whole(app, client, login_as, staff):
    login_as("coordinator@example.org")
    url = _batch_url(_upload(client, _xlsx(GOOD), "dane.xlsx"))
    assert client.post(url, data={"mode": "all"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Participant.id))) == 3


def test_import_all_is_one_transaction_a_row_refused_now_imports_nothing(
    app, client, login_as, staff, make_participant
):
    login_as("worker@example.org")
    url = _batch_url(_upload(client, _csv(GOOD)))
    make_participant(staff, last_name="Wcześniejszy", pesel_number="44051401359")  # meanwhile
    before = _people(app)
    refused = client.post(url + "?lang=en", data={"mode": "all"})
    assert "Row 2 can no longer be imported" in refused.get_data(as_text=True)
    assert _people(app) == before
    with app.app_context():
        assert db.session.scalars(select(ImportBatch)).one().status == ImportStatus.PENDING
    assert client.post(url, data={"mode": "valid"}).status_code == 302
    assert _people(app) == before | {"Mazur"}


def test_discarding_imports_nothing(app, client, login_as, staff):
    login_as("worker@example.org")
    before = _people(app)
    url = _batch_url(_upload(client, _csv(GOOD)))
    assert client.post(url + "/discard").status_code == 302
    assert client.post(url, data={"mode": "all"}).status_code == 200
    assert _people(app) == before
    with app.app_context():
        batch = db.session.scalars(select(ImportBatch)).one()
        assert (batch.status, batch.rows) == (ImportStatus.DISCARDED, [])


def _no_batch(app) -> bool:
    with app.app_context():
        return db.session.scalar(select(func.count(ImportBatch.id))) == 0


def test_an_oversized_upload_is_refused_beside_the_field(app, client, login_as, staff):
    login_as("worker@example.org")
    big = _csv([["Jan", "Nowak" + str(i), "", "", "", "", "", "", "", ""] for i in range(90_000)])
    assert 2 * 1024 * 1024 < len(big) < 3 * 1024 * 1024
    # Built by hand so that the test client's temporary copy of the body is closed.
    builder = EnvironBuilder(
        path="/staff/import?lang=en",
        method="POST",
        data={"file": (io.BytesIO(big), "duzy.csv")},
        content_type="multipart/form-data",
    )
    environ = builder.get_environ()
    try:
        response = client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "larger than 2 MB" in page
    assert 'aria-invalid="true"' in page
    # Past the request limit the body is not even parsed (sent raw: the test client would
    # otherwise spool its own copy to a temporary file).
    huge = client.post(
        "/staff/import",
        data=b"x" * (4 * 1024 * 1024),
        content_type="multipart/form-data; boundary=portal",
    )
    assert huge.status_code == 413
    assert _no_batch(app)


def test_a_file_is_judged_by_its_content_not_its_name(app, client, login_as, staff):
    login_as("worker@example.org")
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("notes.txt", "not a workbook")
    for body in (png, archive.getvalue(), b"%PDF-1.4\n\x00\x01binary"):
        response = _upload(client, body, "uczestnicy.xlsx")
        assert response.status_code == 200
        assert "not a spreadsheet the portal can read" in response.get_data(as_text=True)
    # A spreadsheet by content is read whatever its name says.
    assert _upload(client, _xlsx(GOOD), "uczestnicy.csv").status_code == 302
    wrong = _upload(client, _csv([["a"]], header=["Kolumna", "Inna"]))
    assert "missing: Imię, Nazwisko" in wrong.get_data(as_text=True)
    nothing = client.post("/staff/import?lang=en", data={}, content_type="multipart/form-data")
    assert "Choose the file to upload." in nothing.get_data(as_text=True)


def test_the_template_carries_the_documented_columns(client, login_as, staff):
    login_as("worker@example.org")
    page = client.get("/staff/import?lang=en").get_data(as_text=True)
    assert all(header in page for header in HEADER)
    xlsx = client.get("/staff/import/template.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data), read_only=True).worksheets[0]
    assert list(next(sheet.iter_rows(values_only=True))) == HEADER
    text = client.get("/staff/import/template.csv").data.decode("utf-8-sig")
    assert text.strip() == ";".join(HEADER)


def test_roles_and_another_centres_batch(app, client, login_as, make_user, staff):
    login_as("advisor@example.org")
    assert client.get("/staff/import").status_code == 403
    assert client.get("/staff/import/template.csv").status_code == 403
    client.post("/auth/logout")
    login_as("worker@example.org")
    url = _batch_url(_upload(client, _csv(GOOD)))
    client.post("/auth/logout")
    login_as("advisor@example.org")
    assert client.get(url).status_code == 403
    client.post("/auth/logout")
    make_user(Role.COORDINATOR, email="elsewhere@example.org")
    login_as("elsewhere@example.org")
    assert client.get(url).status_code == 404
    assert client.post(url, data={"mode": "valid"}).status_code == 404
    assert client.post(url + "/discard").status_code == 404
    with app.app_context():
        assert db.session.scalars(select(ImportBatch)).one().status == ImportStatus.PENDING
    assert "Mazur" not in _people(app)
