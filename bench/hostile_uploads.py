"""Hostile spreadsheets uploaded four at a time: does sign-in stay quick?

    .venv/bin/python bench/hostile_uploads.py                        # SQLite, 8 s per line
    .venv/bin/python bench/hostile_uploads.py --seconds 20 --database postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench_hostile

The portal runs as bench/run.py runs it (gunicorn -c gunicorn.conf.py, the production
configuration with production password hashing, Redis for the limiter), with 4 workers, on
bench/data.py's small data scaled down (the database is emptied and built afresh). An anonymous
visitor opens the sign-in page (GET /auth/login) one request after another: first alone, then,
for each hostile workbook in turn, while four sessions of a social worker each upload it again as
soon as it is answered, so that four uploads are always in flight. The workbooks: a sheet
declaring A1:XFD10000000 with 10 million empty rows (89 KB, the finding's file), the same with
700 000 numbered rows (`<row r="N"/>`, 1.7 MB), a single cell on row 1 048 576, a single cell in
column XFD, a shared-string table of 4.8 million entries (123 KB), and 10 million elements
before the rows that no row or column limit counts (only the time budget stops it). Printed per
line: the sign-in page's p50, p99 and worst time, and the uploads' times and answers.

Run it on PostgreSQL, as production runs. On SQLite every POST holds the write lock from its
first query to its end, so the uploads queue behind one another on the database whatever the
reading places (IMPORT_PARALLEL_READS), and the workers waiting there are missing for sign-in.
"""

import argparse
import io
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import data  # noqa: E402
from run import GUNICORN, ROOT, Client, production_env, token  # noqa: E402

PORT = 8783
WORKERS = 4
# The refusal while another file is read, in either language.
BUSY = ("Another file is being read just now.", "Właśnie trwa odczyt innego pliku.")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{RELATIONS}"><Relationship Id="rId1" '
        f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE}"><sheets>'
        '<sheet name="Uczestnicy" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{RELATIONS}">'
        f'<Relationship Id="rId1" Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{OFFICE}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
}
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Imię</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Nazwisko</t></is></c></row>'
)


def workbook(dimension: str, rows, strings=(), before_data=()) -> bytes:
    """A workbook whose sheet and string table are written from generators of bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'.encode())
            for chunk in before_data:
                sheet.write(chunk)
            sheet.write(f"<sheetData>{HEADER_ROW}".encode())
            for chunk in rows:
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as table:
            table.write(f'<sst xmlns="{MAIN}">'.encode())
            for chunk in strings:
                table.write(chunk)
            table.write(b"</sst>")
    return buffer.getvalue()


def one_cell(reference: str, row: int):
    yield f'<row r="{row}"><c r="{reference}" t="inlineStr"><is><t>x</t></is></c></row>'.encode()


def hostile() -> dict[str, bytes]:
    numbered = ("".join(f'<row r="{n}"/>' for n in range(k, k + 10_000)).encode() for k in
                range(2, 700_002, 10_000))  # fmt: skip
    return {
        "10 million empty rows": workbook(
            "A1:XFD10000000", (b"<row/>" * 100_000 for _ in range(100))
        ),
        "700 000 numbered empty rows": workbook("A1:XFD10000000", numbered),
        "a cell on row 1 048 576": workbook("A1:A1048576", one_cell("A1048576", 1_048_576)),
        "a cell in column XFD": workbook("A1:XFD2", one_cell("XFD2", 2)),
        "4.8 million shared strings": workbook(
            "A1:B1", (), (b"<si><t/></si>" * 80_000 for _ in range(60))
        ),
        # Within every limit of rows, columns and size: only the time budget stops it.
        "10 million elements before the rows": workbook(
            "A1:B1", [], before_data=(b"<col/>" * 100_000 for _ in range(100))
        ),
    }


def start_portal(env: dict[str, str], log: Path):
    out = log.open("w")
    process = subprocess.Popen(  # noqa: S603 - gunicorn of this checkout
        [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), "-w", str(WORKERS),
         "-b", f"127.0.0.1:{PORT}", "portal:create_app()"],
        cwd=ROOT, env={**env, "ACCESS_LOG": "off"}, stdout=out, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{PORT}/healthz", timeout=5).status_code == 200:
                return process
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"the portal did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def percentiles(times: list[float]) -> str:
    if not times:
        return "no requests"
    ordered = sorted(times)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return (
        f"{len(ordered):5d} requests  p50 {at(0.50):7.1f} ms  p99 {at(0.99):7.1f} ms  "
        f"max {ordered[-1] * 1000:7.1f} ms"
    )


def probe_sign_in(base: str, stop: threading.Event, times: list[float], errors: Counter) -> None:
    """An anonymous visitor opening the sign-in page, one request after another."""
    while not stop.is_set():
        started = time.perf_counter()
        try:
            response = requests.get(f"{base}/auth/login", timeout=120)
            if response.status_code != 200:
                errors[response.status_code] += 1
        except requests.RequestException as error:
            errors[type(error).__name__] += 1
        times.append(time.perf_counter() - started)


def upload_loop(client: Client, body: bytes, stop: threading.Event, results: list) -> None:
    """One signed-in social worker uploading the same file again as soon as it is answered."""
    csrf = token(client.get("/staff/import").text)
    while not stop.is_set():
        started = time.perf_counter()
        try:
            response = requests.post(
                # No ?lang=: on a POST it saves the person's language, and that row's lock
                # would queue one person's uploads behind each other.
                f"{client.base}/staff/import",
                data={"csrf_token": csrf},
                files={"file": ("uczestnicy.xlsx", body, "application/octet-stream")},
                headers={"Cookie": client.cookie},
                allow_redirects=False,
                timeout=120,
            )
            refused = response.status_code == 200 and 'aria-invalid="true"' in response.text
            outcome = "refused with a message" if refused else f"HTTP {response.status_code}"
            if refused and any(text in response.text for text in BUSY):
                outcome = "refused: another file is being read"
        except requests.RequestException as error:
            outcome = type(error).__name__
        results.append((time.perf_counter() - started, outcome))


def phase(base: str, seconds: float, uploaders: list[Client], body: bytes = b""):
    """Sign-in page times while each uploader keeps one upload of `body` in flight."""
    stop = threading.Event()
    times: list[float] = []
    errors: Counter = Counter()
    results: list[tuple[float, str]] = []
    threads = [threading.Thread(target=probe_sign_in, args=(base, stop, times, errors))]
    threads += [
        threading.Thread(target=upload_loop, args=(client, body, stop, results))
        for client in uploaders
    ]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return times, errors, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each phase")
    parser.add_argument("--database", help="SQLAlchemy URL to empty and fill (default: SQLite)")
    parser.add_argument("--scale", type=float, default=0.05, help="of bench/data.py's small")
    args = parser.parse_args()
    files = hostile()
    with tempfile.TemporaryDirectory(prefix="portal-hostile-") as workdir:
        url = args.database or f"sqlite:///{workdir}/portal.db"
        facts = data.generate("small", url, args.scale)
        log = Path(workdir) / "gunicorn.log"
        process = start_portal(production_env(url), log)
        base = f"http://127.0.0.1:{PORT}"
        lines = []
        try:
            workers = [
                Client(base, facts["social_worker"], facts["password"]) for _ in range(WORKERS)
            ]
            phase(base, 2, workers[:1], files["a cell in column XFD"])  # templates compiled
            times, errors, _ = phase(base, args.seconds, [])
            lines.append(f"{'no uploads':34s} sign-in {percentiles(times)}  {_errors(errors)}")
            for name, body in files.items():
                times, errors, uploads = phase(base, args.seconds, workers, body)
                outcomes = dict(Counter(outcome for _t, outcome in uploads))
                lines.append(f"{name:34s} sign-in {percentiles(times)}  {_errors(errors)}")
                lines.append(f"{f'  ({len(body) / 1024:.0f} KB) x4':34s} uploads "
                             f"{percentiles([t for t, _o in uploads])}  {outcomes}")  # fmt: skip
        finally:
            process.terminate()
            process.wait(timeout=30)
        killed = log.read_text().count("WORKER TIMEOUT")
    where = "SQLite" if url.startswith("sqlite") else url
    print(f"\ngunicorn, {WORKERS} workers, {where}; {args.seconds:.0f} s per line; anonymous "
          "GET /auth/login one after another, four uploads always in flight")  # fmt: skip
    print("\n".join(lines))
    print(f"workers killed at gunicorn's timeout: {killed}")


def _errors(errors: Counter) -> str:
    return f"errors {dict(errors)}" if errors else ""


if __name__ == "__main__":
    main()
