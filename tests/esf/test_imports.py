"""Importing participants from a spreadsheet: the template, the preview with every problem at its
row and column, the import of all rows or of the valid ones, or nothing; bounded uploads checked
by content; roles and centres."""

import csv
import fcntl
import io
import re
import time
import zipfile
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from portal.extensions import db
from portal.models import AuditEntry, ImportBatch, Participant, User, Village
from portal.models.enums import Role
from portal.models.imports import ImportStatus
from portal.models.people import Sex
from portal.services.esf import import_files, import_rules

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
    (["Jan3", "Kos"], ("Imię", "name_chars")),
    (["Anna", "Kos (matka)"], ("Nazwisko", "name_chars")),
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
    assert "Use only letters, spaces, hyphens and apostrophes." in page


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
    assert "At most 5000 rows below the column names and 60 columns" in page
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


# Hostile workbooks, built as a stream so that a sheet of millions of rows stays small on disk:
# the parts a workbook needs, and a worksheet whose rows come from a generator.
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONS = "http://schemas.openxmlformats.org/package/2006/relationships"
_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_RELATIONS}"><Relationship Id="rId1" '
        f'Type="{_OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_OFFICE}"><sheets>'
        '<sheet name="Uczestnicy" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_RELATIONS}"><Relationship Id="rId1" '
        f'Type="{_OFFICE}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}
_HEADER_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>Imię</t></is></c>' + (
    '<c r="B1" t="inlineStr"><is><t>Nazwisko</t></is></c></row>'
)


def _hostile_xlsx(dimension: str, body, *, before_data=()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<worksheet xmlns="{_MAIN}"><dimension ref="{dimension}"/>'.encode())
            for chunk in before_data:
                sheet.write(chunk)
            sheet.write(f"<sheetData>{_HEADER_ROW}".encode())
            for chunk in body:
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def _ten_million_empty_rows():
    # Numbered rows first, then rows that only count on (`<row/>` is row number + 1): deflate
    # shrinks those a thousandfold, so 10 million rows fit in a 2 MB upload as in the finding.
    yield "".join(f'<row r="{n}"/>' for n in range(2, 20_002)).encode()
    for _ in range(100):
        yield b"<row/>" * 99_800


def _one_cell(reference: str):
    yield f'<row r="{reference.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}">'.encode()
    yield f'<c r="{reference}" t="inlineStr"><is><t>Kowalski</t></is></c></row>'.encode()


HOSTILE = {
    "ten million empty rows": (
        lambda: _hostile_xlsx("A1:XFD10000000", _ten_million_empty_rows()),
        "more than 5000 rows below the column names",
    ),
    "one cell on the last row": (
        lambda: _hostile_xlsx("A1:A1048576", _one_cell("A1048576")),
        "more than 5000 rows below the column names",
    ),
    "one cell in the last column": (
        lambda: _hostile_xlsx("A1:XFD2", _one_cell("XFD2")),
        "more than 60 columns",
    ),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_sheet_past_the_limits_is_refused_at_once_and_nothing_is_imported(
    app, client, login_as, staff, case
):
    build, message = HOSTILE[case]
    body = build()
    assert len(body) < 2 * 1024 * 1024
    login_as("worker@example.org")
    before = _people(app)
    started = time.monotonic()
    response = _upload(client, body, "uczestnicy.xlsx")
    # Stopped by the limit as the rows are read, not after reading them all (the finding's
    # workbook held a worker past gunicorn's 30 s timeout; its last row alone took 2 s).
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page  # beside the file field
    assert _no_batch(app)
    assert _people(app) == before


def _column_definitions():
    yield b"<cols>"
    for _ in range(100):
        yield b"<col/>" * 100_000
    yield b"</cols>"


def test_reading_a_file_stops_when_its_time_is_up(app, client, login_as, staff):
    # Within every limit of rows, columns and size, but 10 million elements before the rows:
    # only the clock stops it.
    app.config["IMPORT_PARSE_SECONDS"] = 0.5
    body = _hostile_xlsx("A1:B2", [], before_data=_column_definitions())
    login_as("worker@example.org")
    started = time.monotonic()
    response = _upload(client, body, "uczestnicy.xlsx")
    assert time.monotonic() - started < 5
    assert "Reading the file takes too long" in response.get_data(as_text=True)
    assert _no_batch(app)


def test_rows_and_columns_count_empty_ones_up_to_the_configured_limits(
    app, client, login_as, staff
):
    app.config["IMPORT_MAX_ROWS"] = 3
    login_as("worker@example.org")
    assert _upload(client, _csv([*GOOD, ["Jan", "Trzeci"]])).status_code == 302
    for body in (
        _csv([*GOOD, [], ["Ola", "Czwarta"]]),  # an empty row counts
        _xlsx([*GOOD, [None], ["Ola", "Czwarta"]]),
    ):
        page = _upload(client, body, "plik").get_data(as_text=True)
        assert "more than 3 rows below the column names" in page
    app.config["IMPORT_MAX_COLUMNS"] = 11
    page = _upload(client, _csv(GOOD, header=[*HEADER, "", ""])).get_data(as_text=True)
    assert "more than 11 columns" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(ImportBatch.id))) == 1


def test_a_long_first_line_of_a_csv_file_is_read_at_once(app, client, login_as, staff):
    # csv.Sniffer's patterns take time growing with the square of such a line (16 KB: 0.9 s,
    # these 100 KB: half a minute). The delimiter is now the one the line uses most.
    login_as("worker@example.org")
    body = _csv(GOOD, header=[*HEADER, ",'" * 50_000])
    started = time.monotonic()
    response = _upload(client, body)
    assert time.monotonic() - started < 5
    assert "more than 60 columns" in response.get_data(as_text=True)
    assert _no_batch(app)


def test_dates_numbers_and_yes_no_cells_of_a_workbook_are_read_as_typed(
    app, client, login_as, staff
):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["Jan", "Nowak", 44051401359, None, "M", None, None, None, False, True])
    sheet.append(["Zofia", "Mazur", None, date(1990, 3, 15), "K", None, None, None, "tak", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    login_as("worker@example.org")
    _batch_url(_upload(client, buffer.getvalue(), "dane.xlsx"))
    with app.app_context():
        batch = db.session.scalars(select(ImportBatch)).one()
        assert batch.problems == []
        rows = {row["last_name"]: row for row in batch.rows}
    assert rows["Nowak"]["pesel"] == "44051401359"
    assert (rows["Nowak"]["contract_path"], rows["Nowak"]["pal_path"]) == (False, True)
    assert rows["Mazur"]["birth_date"] == "1990-03-15"


def test_a_file_is_refused_at_once_while_another_is_being_read(app, client, login_as, staff):
    # Another worker holds the host's one reading place (IMPORT_PARALLEL_READS = 1).
    login_as("worker@example.org")
    limits = import_files.Limits.from_config(app.config)
    with limits.place(0).open("a") as place:
        fcntl.flock(place, fcntl.LOCK_EX | fcntl.LOCK_NB)
        page = _upload(client, _csv(GOOD)).get_data(as_text=True)
        assert "Another file is being read just now." in page
        assert 'aria-invalid="true"' in page
        assert _no_batch(app)
    assert _upload(client, _csv(GOOD)).status_code == 302


def _excel_style_workbook(sheet_prolog: str = "") -> bytes:
    """As Excel and the Open XML SDK write a workbook, unlike openpyxl: texts in the shared
    table (rich runs, a phonetic guide), dates as numbers with a date format, the sheet's
    elements under a prefix."""
    strings = [*HEADER, "Nowak", "M", "Mazur", "K", "Ewa", "Lis"]
    table = "".join(f"<si><t>{text}</t></si>" for text in strings)
    table += "<si><r><t>Ja</t></r><r><rPr><b/></rPr><t>n</t></r></si>"  # index 16: "Jan"
    table += '<si><t>Zofia</t><rPh sb="0" eb="5"><t>ゾフィア</t></rPh></si>'  # 17: "Zofia"
    header = "".join(f'<x:c r="{chr(65 + i)}1" t="s"><x:v>{i}</x:v></x:c>' for i in range(10))

    def text(reference, index):
        return f'<x:c r="{reference}" t="s"><x:v>{index}</x:v></x:c>'

    rows = [
        f'<x:row r="1">{header}</x:row>',
        f'<x:row r="2">{text("A2", 16)}{text("B2", 10)}<x:c r="C2"><x:v>44051401359</x:v></x:c>'
        f'{text("E2", 11)}<x:c r="I2" t="b"><x:v>0</x:v></x:c>'
        '<x:c r="J2" t="b"><x:v>1</x:v></x:c></x:row>',
        f'<x:row r="3">{text("A3", 17)}{text("B3", 12)}'
        f'<x:c r="D3" s="1"><x:v>32947</x:v></x:c>{text("E3", 13)}</x:row>',
        f'<x:row r="4">{text("A4", 14)}{text("B4", 15)}'
        f'<x:c r="D4" s="2"><x:v>31229</x:v></x:c>{text("E4", 13)}</x:row>',
    ]
    parts = dict(_PARTS)
    parts["xl/_rels/workbook.xml.rels"] = (
        f'<Relationships xmlns="{_RELATIONS}">'
        f'<Relationship Id="rId1" Type="{_OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_OFFICE}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{_OFFICE}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    )
    # The cell formats: 0 general, 1 a built-in date format, 2 a format of the file's own; the
    # cell style formats before them are not cell formats.
    parts["xl/styles.xml"] = (
        f'<styleSheet xmlns="{_MAIN}"><numFmts count="1">'
        '<numFmt numFmtId="164" formatCode="dd\\.mm\\.yyyy"/></numFmts>'
        '<cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'
        '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>'
        '<xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>'
    )
    parts["xl/sharedStrings.xml"] = f'<sst xmlns="{_MAIN}">{table}</sst>'
    parts["xl/worksheets/sheet1.xml"] = (
        f'{sheet_prolog}<x:worksheet xmlns:x="{_MAIN}"><x:dimension ref="A1:B1"/>'
        f"<x:sheetData>{''.join(rows)}</x:sheetData></x:worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_an_excel_style_workbook_is_read_as_its_cells_show(app, client, login_as, staff):
    # Its dimension says A1:B1: the rows below it are read all the same.
    login_as("worker@example.org")
    _batch_url(_upload(client, _excel_style_workbook(), "z-excela.xlsx"))
    with app.app_context():
        batch = db.session.scalars(select(ImportBatch)).one()
        assert batch.problems == []
        rows = {row["last_name"]: row for row in batch.rows}
    assert [(row["row"], row["first_name"]) for row in rows.values()] == [
        (2, "Jan"),
        (3, "Zofia"),
        (4, "Ewa"),
    ]
    assert (rows["Nowak"]["pesel"], rows["Nowak"]["sex"]) == ("44051401359", "male")
    assert (rows["Nowak"]["contract_path"], rows["Nowak"]["pal_path"]) == (False, True)
    assert rows["Mazur"]["birth_date"] == "1990-03-15"
    assert rows["Lis"]["birth_date"] == "1985-07-01"


def test_a_workbook_with_a_dtd_is_refused(app, client, login_as, staff):
    # No entity of the file's own is expanded: a DTD is refused before any is declared.
    login_as("worker@example.org")
    prolog = '<!DOCTYPE x:worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    page = _upload(client, _excel_style_workbook(prolog), "dtd.xlsx").get_data(as_text=True)
    assert "not a spreadsheet the portal can read" in page
    assert _no_batch(app)
