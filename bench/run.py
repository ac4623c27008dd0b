"""`make bench`: the key pages under load, against a ceiling, on generated data of each size.

    .venv/bin/python bench/run.py                      # PostgreSQL: every size; SQLite: small
    .venv/bin/python bench/run.py --sizes small --databases sqlite   # a quick run

For each database and size: bench/data.py generates the data into a fresh database; the portal
starts as README "Running in production" runs it (gunicorn -c gunicorn.conf.py -w 2,
PORTAL_ENV=production with generated keys, production password hashing), and so does the ceiling
app (bench/ceiling.py: 50 rows through SQLAlchemy rendered with Jinja) under the same settings.
A job worker (`flask --app portal worker`) runs beside the portal, on a task queue of its own
(TASK_QUEUE_URL, a SQLite file of the run). Each demo login signs in once, before anything is
timed; then `wrk -t1 -c16 -d10s` loads each key page and, right after it, the ceiling, so both
see the same machine. Then single requests time the heavy actions (approving all 2 000 requests
that match the queue's filter: queue page, confirmation page, its POST; the month's payment
list; the yearly report's page) and the documents built in the background (the report's PDF and
DOCX, the ESF export) from the POST asking for each to its file downloaded from the job's page;
the workers' peak memory is read from /proc.
Targets (the markdown says them, the chart draws the first): every key page at least 0.3 of the
ceiling's requests per second, its p99 at most 3× the ceiling's.

Results: a table on stdout and bench/results/<db>-<size>.md (+ .json), and bench/results/chart.svg
drawn from every result file present. PostgreSQL databases are named portal_bench_<size> on
BENCH_POSTGRES (default postgresql+psycopg://postgres@127.0.0.1:5432), created here.
SQLite runs only the small size: every write takes the one write lock, so the large sizes say
nothing new about it.
"""

import argparse
import html
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyotp
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import chart  # noqa: E402
import data  # noqa: E402

GUNICORN = ROOT / ".venv/bin/gunicorn"
FLASK = ROOT / ".venv/bin/flask"
RESULTS = HERE / "results"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
APPROVE_ALL_FORM = re.compile(r'<form[^>]*id="approve-all-form".*?</form>', re.DOTALL)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
QUEUE_COUNT = re.compile(r'<p id="queue-count">\D*(\d+)')
ALLOWANCE_ID = re.compile(r'name="allowance_id" value="\d+"')
REQUEST_TOKEN = re.compile(r'name="request_token"[^>]*value="([0-9a-f]+)"')
JOB_STATUS = re.compile(r'id="job" data-status="([a-z]+)"')
JOB_FILE = re.compile(r'id="job-file" href="([^"]+)"')
JOB_ERROR = re.compile(r'id="job-error"><p>(.*?)</p>', re.DOTALL)
JOB_POLL_S, JOB_TIMEOUT_S = 0.2, 600
PORTAL_PORT, CEILING_PORT = 8781, 8782
# The targets: each key page serves this share of the ceiling's requests per second
# (chart.TARGET draws it), with a p99 within this multiple of the ceiling's.
TARGET_RATIO, TARGET_P99_RATIO = chart.TARGET, 3
WRK_REPORT = HERE / "wrk_report.lua"
WRK_SIGNUP = HERE / "wrk_signup.lua"


@dataclass
class Measured:
    page: str
    path: str
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    requests: int
    errors: int
    ceiling_rps: float
    ceiling_p99_ms: float

    @property
    def ratio(self) -> float:
        return self.rps / self.ceiling_rps if self.ceiling_rps else 0.0

    @property
    def p99_ratio(self) -> float:
        return self.p99_ms / self.ceiling_p99_ms if self.ceiling_p99_ms else 0.0


@dataclass
class Run:
    database: str
    size: str
    started: str
    load_before: str
    generated_s: float
    duration: str = "10s"
    scale: float = 1.0
    pages: list[Measured] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    peak_rss_mib: dict[str, list[float]] = field(default_factory=dict)


# -- servers ---------------------------------------------------------------------------------


class Server:
    """gunicorn with the production configuration file, in a process group of its own."""

    def __init__(self, app: str, port: int, env: dict[str, str], log: Path):
        self.port, self.log = port, log
        self.url = f"http://127.0.0.1:{port}"
        bind = f"127.0.0.1:{port}"
        with log.open("w") as out:
            self.process = subprocess.Popen(  # noqa: S603 - gunicorn of this checkout
                [str(GUNICORN), "-c", str(ROOT / "gunicorn.conf.py"), "-w", "2", "-b", bind, app],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while not self.healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"{app} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)

    def healthy(self) -> bool:
        try:
            return requests.get(f"{self.url}/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def workers(self) -> list[int]:
        found = subprocess.run(  # noqa: S603
            ["/usr/bin/ps", "-o", "pid=", "--ppid", str(self.process.pid)],
            capture_output=True,
            text=True,
        )
        return [int(pid) for pid in found.stdout.split()]

    def peak_rss_mib(self) -> list[float]:
        """Each worker's high-water mark of resident memory (VmHWM), in MiB."""
        peaks = []
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                peaks.append(round(int(match.group(1)) / 1024, 1))
        return peaks

    def stop(self) -> None:
        stop_group(self.process)


class Worker:
    """`flask --app portal worker`, building the jobs the pages ask for (the report's documents,
    the ESF export), in a process group of its own as the servers are."""

    def __init__(self, env: dict[str, str], log: Path):
        self.log = log
        with log.open("w") as out:
            self.process = subprocess.Popen(  # noqa: S603 - flask of this checkout
                [str(FLASK), "--app", "portal", "worker"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        time.sleep(0.5)
        if self.process.poll() is not None:
            raise SystemExit(f"the worker did not start:\n{log.read_text()[-3000:]}")

    def peak_rss_mib(self) -> list[float]:
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return []
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        return [round(int(match.group(1)) / 1024, 1)] if match else []

    def stop(self) -> None:
        stop_group(self.process)


def stop_group(process: subprocess.Popen) -> None:
    """The process and everything it started: SIGTERM, then SIGKILL after 30 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def production_env(url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PORTAL_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PSEUDONYM_KEY": secrets.token_urlsafe(48),
        "DATABASE_URL": url,
        "BASE_URL": "https://portal.example.org",
        # The bench holds one signed-in session per login for the whole run (sign-in once).
        "IDLE_MINUTES": "240",
        # ...and a download asking for a recent sign-in (the ESF file) must not send it back to
        # the sign-in page when a large size's jobs outlast the default ten minutes.
        "FRESH_LOGIN_MINUTES": "240",
    }
    env.pop("PASSWORD_HASHING", None)
    # Production refuses per-process limiter storage (memory://): the sign-in limits need Redis.
    env["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379/0"
    return env


def _listening(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((host, port)) == 0


# -- a signed-in client ----------------------------------------------------------------------


class Client:
    """One signed-in person. Production cookies are Secure, which requests would not send over
    plain HTTP: the session cookie is kept by hand and sent as a header, as wrk sends it."""

    def __init__(self, base: str, email: str, password: str, totp_secret: str | None = None):
        self.base = base
        self.cookie = ""
        page = self.get("/auth/login")
        response = self.post(
            "/auth/login",
            {"csrf_token": token(page.text), "email": email, "password": password},
        )
        if response.headers.get("Location", "").endswith("/auth/code") and totp_secret:
            response = self._second_step(totp_secret)
        where = response.headers.get("Location", "")
        if response.status_code != 302 or "/auth/login" in where or "/auth/code" in where:
            raise SystemExit(f"sign-in of {email} refused ({response.status_code})")

    def _second_step(self, secret: str) -> requests.Response:
        """Production asks coordinators for a code. A time step is taken once, and a run signs
        the coordinator in more than once: the current code, else the next, else the next after
        waiting for it to come."""
        csrf = token(self.get("/auth/code").text)
        totp = pyotp.TOTP(secret)
        for wait, offset in ((0, 0), (0, 30), (30, 30)):
            time.sleep(wait)
            code = totp.at(time.time() + offset)
            response = self.post("/auth/code", {"csrf_token": csrf, "code": code})
            if "/auth/code" not in response.headers.get("Location", "/auth/code"):
                break
        return response

    def _keep(self, response: requests.Response) -> requests.Response:
        if "session" in response.cookies:
            self.cookie = f"session={response.cookies['session']}"
        return response

    def get(self, path: str, timeout: float = 600) -> requests.Response:
        return self._keep(
            requests.get(
                self.base + path,
                headers={"Cookie": self.cookie},
                allow_redirects=False,
                timeout=timeout,
            )
        )

    def post(self, path: str, form: dict | list, timeout: float = 600) -> requests.Response:
        return self._keep(
            requests.post(
                self.base + path,
                data=form,
                headers={"Cookie": self.cookie},
                allow_redirects=False,
                timeout=timeout,
            )
        )

    def page(self, path: str) -> requests.Response:
        """A page that must render (200) for this person, not a redirect to the sign-in."""
        response = self.get(path)
        if response.status_code != 200:
            where = response.headers.get("Location", "")
            raise SystemExit(f"GET {path}: {response.status_code} {where}")
        return response


def token(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise SystemExit("no csrf_token on the page")
    return match.group(1)


# -- wrk -------------------------------------------------------------------------------------


def wrk(url: str, *, cookie: str = "", script: Path = WRK_REPORT, duration: str, env=None) -> dict:
    command = ["wrk", "-t1", "-c16", f"-d{duration}", "--timeout", "30s", "-s", str(script)]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    found = subprocess.run(  # noqa: S603 - wrk with our arguments
        [*command, url], capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    line = next((x for x in found.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise SystemExit(f"wrk said:\n{found.stdout}\n{found.stderr}")
    requests_, seconds_us, p50, p95, p99, status, timeouts, other = map(int, line.split()[1:])
    return {
        "rps": requests_ / (seconds_us / 1e6),
        "p50_ms": p50 / 1000,
        "p95_ms": p95 / 1000,
        "p99_ms": p99 / 1000,
        "requests": requests_,
        "errors": status + timeouts + other,
    }


def measure(run: Run, name: str, client: Client | None, path: str, ceiling: str, args) -> None:
    if client is not None and not path.startswith("POST"):
        try:
            client.page(path)  # renders for this person (200) before it is loaded
        except (SystemExit, requests.RequestException) as error:
            run.notes.append(f"{name}: the first request failed ({error}); loaded all the same")
    if path.startswith("POST"):
        mine = wrk(
            client.base + "/",
            cookie=client.cookie,
            script=WRK_SIGNUP,
            duration=args.duration,
            env=args.signup_env,
        )
    else:
        mine = wrk(
            (client.base if client else ceiling) + path,
            cookie=client.cookie if client else "",
            duration=args.duration,
        )
    top = wrk(ceiling + "/", duration=args.duration)
    row = Measured(name, path, **mine, ceiling_rps=top["rps"], ceiling_p99_ms=top["p99_ms"])
    run.pages.append(row)
    print(_row(row), flush=True)


HEADER = (
    "| page | path | req/s | p50 ms | p95 ms | p99 ms | errors | ceiling req/s | ratio "
    "| p99 ratio |"
)


def _row(m: Measured) -> str:
    if m.requests == 0:  # nothing answered within the run: no latency to show
        return (
            f"| {m.page} | `{m.path}` | 0 | – | – | – | {m.errors} | {m.ceiling_rps:.0f} | 0 | – |"
        )
    return (
        f"| {m.page} | `{m.path}` | {m.rps:.1f} | {m.p50_ms:.0f} | {m.p95_ms:.0f} | "
        f"{m.p99_ms:.0f} | {m.errors} | {m.ceiling_rps:.0f} | {m.ratio:.2f} | {m.p99_ratio:.1f} |"
    )


# -- one database and size -------------------------------------------------------------------


def url_for(database: str, size: str, workdir: Path) -> str:
    if database == "sqlite":
        return f"sqlite:///{workdir}/bench-{size}.db"
    base = os.environ.get("BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432")
    return f"{base}/portal_bench_{size}"


def timed(run: Run, name: str, action) -> requests.Response | None:
    """One request, timed; a failure (an error status, a worker killed at gunicorn's timeout)
    is noted with the result and the run goes on."""
    started = time.perf_counter()
    try:
        response = action()
    except requests.RequestException as error:
        run.timings[name] = round(time.perf_counter() - started, 3)
        run.notes.append(f"{name}: no answer after {run.timings[name]:.1f} s ({error})")
        print(f"  {name}: no answer after {run.timings[name]:.1f} s", flush=True)
        return None
    run.timings[name] = round(time.perf_counter() - started, 3)
    print(f"  {name}: {run.timings[name]:.2f} s ({response.status_code})", flush=True)
    if response.status_code >= 400:
        run.notes.append(f"{name}: HTTP {response.status_code} after {run.timings[name]:.1f} s")
    return response


def bench_one(database: str, size: str, args, workdir: Path) -> Run:
    url = url_for(database, size, workdir)
    run = Run(
        database,
        size,
        datetime.now(UTC).isoformat(timespec="seconds"),
        " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        0.0,
    )
    print(f"\n== {database}, {size}: generating", flush=True)
    facts = data.generate(size, url, args.scale)
    run.generated_s = facts["seconds"]
    run.duration = args.duration
    run.scale = args.scale
    # The pages and the worker share the run's task queue (a SQLite file: one host).
    tasks = workdir / f"tasks-{database}-{size}.db"
    tasks.unlink(missing_ok=True)
    env = {**production_env(url), "TASK_QUEUE_URL": f"sqlite:///{tasks}"}
    portal = Server("portal:create_app()", PORTAL_PORT, env, workdir / f"portal-{size}.log")
    try:
        worker = Worker(env, workdir / f"worker-{size}.log")
    except SystemExit:
        portal.stop()
        raise
    try:
        ceiling = Server("bench.ceiling:create_app()", CEILING_PORT, env, workdir / "ceiling.log")
    except SystemExit:
        worker.stop()
        portal.stop()
        raise
    try:
        bench_pages(run, facts, portal, ceiling, args)
        bench_actions(run, facts, portal)
        run.peak_rss_mib = {
            "portal": portal.peak_rss_mib(),
            "ceiling": ceiling.peak_rss_mib(),
            "job worker": worker.peak_rss_mib(),
        }
        print(f"  peak RSS per worker (MiB): {run.peak_rss_mib}", flush=True)
    finally:
        worker.stop()
        portal.stop()
        ceiling.stop()
    for name, log in (("portal", f"portal-{size}.log"), ("job worker", f"worker-{size}.log")):
        if "Traceback" in (workdir / log).read_text():
            run.notes.append(f"the {name} logged a traceback (see its log)")
    return run


def bench_pages(run: Run, facts: dict, portal: Server, ceiling: Server, args) -> None:
    password = facts["password"]
    # Each login signs in once, with production hashing, before anything is timed.
    person = Client(portal.url, facts["participant"], password)
    advisor = Client(portal.url, facts["advisor"], password)
    worker = Client(portal.url, facts["social_worker"], password)
    coordinator = Client(portal.url, facts["coordinator"], password, facts["totp_secret"])
    stage, event, signup = facts["stage_id"], facts["event_id"], facts["signup_event_id"]
    lists = coordinator.page("/staff/payments").text
    latest = re.search(r'/staff/payments/(\d+)"', lists)
    if latest is None:
        raise SystemExit("no payment list on /staff/payments")
    # The sign-up form's token belongs to the session the event page hands out.
    signup_token = token(person.page(f"/me/events/{signup}").text)
    args.signup_env = {
        "BENCH_SIGNUP": f"/me/events/{signup}/sign-up",
        "BENCH_CANCEL": f"/me/events/{signup}/cancel",
        "BENCH_BODY": f"csrf_token={signup_token}&companions=0",
    }
    pages = [
        ("participant home", person, "/me/"),
        ("event list", person, "/me/events"),
        ("event page", person, f"/me/events/{event}"),
        ("sign-up then cancel", person, f"POST /me/events/{signup}/sign-up|cancel"),
        ("caseload", advisor, "/staff/caseload"),
        ("plan page", advisor, f"/staff/participants/{facts['plan_participant_id']}/plan"),
        ("participants list", worker, "/staff/participants"),
        ("coordinator home", coordinator, "/staff/"),
        ("approval queue", coordinator, "/staff/approvals"),
        ("dashboard (stage money)", coordinator, f"/staff/stages/{stage}/money"),
        ("payment list", coordinator, f"/staff/payments/{latest.group(1)}"),
        ("ESF export page", coordinator, f"/staff/esf-export/stages/{stage}"),
        ("yearly report", coordinator, f"/staff/stages/{stage}/report"),
    ]
    # Each worker's first requests configure the mappers and compile templates: not measured.
    wrk(ceiling.url + "/", duration="2s")
    print(HEADER, flush=True)
    for name, client, path in pages:
        if args.pages and not any(p in name for p in args.pages):
            continue
        measure(run, name, client, path, ceiling.url, args)
        if not path.startswith("POST"):
            # wrk counts a redirect as an answer: the page must still render for this person,
            # or the figure was of a sign-in page.
            client.page(path)


def bench_actions(run: Run, facts: dict, portal: Server) -> None:
    coordinator = Client(portal.url, facts["coordinator"], facts["password"], facts["totp_secret"])
    stage = facts["stage_id"]
    bulk_approval(run, coordinator)
    lists = coordinator.page("/staff/payments").text
    month = datetime.now(data.WARSAW).strftime("%Y-%m")
    created = timed(
        run,
        "monthly payment list: create (POST)",
        lambda: coordinator.post("/staff/payments", {"csrf_token": token(lists), "month": month}),
    )
    where = created.headers.get("Location", "") if created is not None else ""
    if "/staff/payments/" in where:
        path = where[where.index("/staff/payments/") :]
        timed(run, "monthly payment list: page", lambda: coordinator.get(path))
        timed(run, "monthly payment list: XLSX", lambda: coordinator.get(path + "/list.xlsx"))
    report = timed(
        run, "yearly report: page", lambda: coordinator.get(f"/staff/stages/{stage}/report")
    )
    # The report's documents and the ESF export are built by the worker: each is timed from the
    # POST asking for it to the file downloaded from its job's page.
    if report is None or report.status_code != 200:
        run.notes.append("the yearly report did not render: its documents not asked for")
    else:
        # Each button's form as the page renders it: the session's token and the form's own
        # request token (it names one sending of the form; the kind tells PDF and DOCX apart).
        sent = {"csrf_token": token(report.text)}
        if found := REQUEST_TOKEN.search(report.text):
            sent["request_token"] = found.group(1)
        for file_format in ("pdf", "docx"):
            job_document(
                run,
                coordinator,
                f"yearly report: {file_format.upper()} (job, ask to file)",
                f"/staff/stages/{stage}/report/documents/{file_format}",
                sent,
            )
    # Any page's token serves every form of the session; the export page itself may be slow.
    # Without a request token each POST is a new request, as the form's is for each sending.
    export = coordinator.page("/staff/payments").text
    for file_format in ("xlsx", "csv"):
        job_document(
            run,
            coordinator,
            f"ESF export: {file_format.upper()} (job, ask to file)",
            f"/staff/esf-export/stages/{stage}",
            {"csrf_token": token(export), "file_format": file_format, "variant": "full"},
        )


def job_document(run: Run, coordinator: Client, name: str, path: str, form: dict) -> None:
    """A document built in the background, end to end: the POST asking for it, its job's page
    read every JOB_POLL_S until the job is done, and the file downloaded. A failed job, a job
    not done within JOB_TIMEOUT_S or a file that does not come is noted and the run goes on."""
    started = time.perf_counter()
    try:
        size = _document(coordinator, path, form, started)
    except (JobFailed, requests.RequestException) as error:
        run.timings[name] = round(time.perf_counter() - started, 3)
        why = error if isinstance(error, JobFailed) else f"no answer ({error})"
        run.notes.append(f"{name}: {why} after {run.timings[name]:.1f} s")
        print(f"  {name}: {why} after {run.timings[name]:.1f} s", flush=True)
        return
    run.timings[name] = round(time.perf_counter() - started, 3)
    print(f"  {name}: {run.timings[name]:.2f} s ({size} bytes)", flush=True)


class JobFailed(Exception):
    """A document that did not come: why, for the run's notes."""


def _document(coordinator: Client, path: str, form: dict, started: float) -> int:
    """Ask, wait for the job, download its file; the file's size in bytes."""
    asked = coordinator.post(path, form)
    where = asked.headers.get("Location", "")
    if asked.status_code != 302 or "/staff/jobs/" not in where:
        raise JobFailed(f"HTTP {asked.status_code} to {where or 'nowhere'}, not a job's page")
    job_path = where[where.index("/staff/jobs/") :]
    while True:
        page = coordinator.get(job_path)
        status = JOB_STATUS.search(page.text) if page.status_code == 200 else None
        if status is None:
            raise JobFailed(f"the job's page answered HTTP {page.status_code} without a status")
        if status.group(1) == "done":
            break
        if status.group(1) == "failed":
            error = JOB_ERROR.search(page.text)
            raise JobFailed(
                f"the job failed ({html.unescape(error.group(1).strip()) if error else '?'})"
            )
        if time.perf_counter() - started > JOB_TIMEOUT_S:
            raise JobFailed(f"the job was still {status.group(1)}")
        time.sleep(JOB_POLL_S)
    link = JOB_FILE.search(page.text)
    if link is None:
        raise JobFailed("the finished job's page offers no file")
    file = coordinator.get(html.unescape(link.group(1)))
    if file.status_code != 200 or not file.content:
        raise JobFailed(f"the file came as HTTP {file.status_code} of {len(file.content)} bytes")
    return len(file.content)


def bulk_approval(run: Run, coordinator: Client) -> None:
    """Approving all N requests that match, as the pages do it (bench/bulk_approve.py times the
    same path in process): the queue page (paginated, 50 a page), the confirmation page of the
    queue's filter (none: every request), and its POST deciding all N on the server by it."""
    shown = timed(run, "approval queue: page", lambda: coordinator.get("/staff/approvals"))
    if shown is None or shown.status_code != 200:
        run.notes.append("the approval queue did not render: no bulk approval")
        return
    asked = timed(
        run, "approve all: confirmation page", lambda: coordinator.get("/staff/approvals/all")
    )
    if asked is None or asked.status_code != 200:
        run.notes.append("the confirmation of approve all did not render: no bulk approval")
        return
    confirmation = APPROVE_ALL_FORM.search(asked.text)
    if confirmation is None:
        run.notes.append("the confirmation page offered nothing to approve")
        return
    # The hidden fields as the page carries them: what was confirmed (count, total, check)
    # and the filter; the server refuses when the requests that match are no longer these.
    form = [("csrf_token", token(asked.text))] + [
        (name, html.unescape(value)) for name, value in HIDDEN.findall(confirmation.group(0))
    ]
    count = dict(form).get("count", "?")
    decided = timed(
        run,
        f"approve all {count} by filter (POST)",
        lambda: coordinator.post("/staff/approvals/all", form),
    )
    if decided is not None and "/staff/approvals/all" in decided.headers.get("Location", ""):
        run.notes.append("approve all: the requests changed after the confirmation (asked again)")
    after = coordinator.get("/staff/approvals").text
    left = QUEUE_COUNT.search(after)
    if left or ALLOWANCE_ID.search(after):
        many = left.group(1) if left else "some"
        run.notes.append(f"{many} requests still waiting after approving all by the filter")


# -- results ---------------------------------------------------------------------------------


def write(run: Run, results: Path) -> Path:
    results.mkdir(parents=True, exist_ok=True)
    scaled = "" if run.scale == 1 else f"-x{run.scale:g}"
    stem = f"{run.database}-{run.size}{scaled}"
    body = {
        **asdict(run),
        "pages": [{**asdict(m), "ratio": m.ratio, "p99_ratio": m.p99_ratio} for m in run.pages],
    }
    (results / f"{stem}.json").write_text(json.dumps(body, indent=1))
    lines = [
        f"# {run.database}, {run.size}",
        "",
        *(
            [f"**Data scaled ×{run.scale:g}: a check of the tooling, not a measurement.**", ""]
            if run.scale != 1
            else []
        ),
        f"Run {run.started} on {os.cpu_count()} cores ({platform.machine()}), load average "
        f"{run.load_before} at the start; data generated in {run.generated_s} s. "
        "Portal and ceiling: gunicorn -c gunicorn.conf.py -w 2, production settings; "
        f"load: wrk -t1 -c16 -d{run.duration} from another process on loopback, each page "
        "followed by the ceiling (bench/ceiling.py).",
        "",
        f"Targets: every key page at least {TARGET_RATIO:g} of the ceiling's requests per second "
        f"(ratio ≥ {TARGET_RATIO:g}), and its p99 at most {TARGET_P99_RATIO:g}× the ceiling's "
        f"(p99 ratio ≤ {TARGET_P99_RATIO:g}).",
        "",
        HEADER,
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *(_row(m) for m in run.pages),
        "",
        "| action (one request; a job: from asking to the file) | seconds |",
        "| --- | ---: |",
        *(f"| {name} | {seconds:.2f} |" for name, seconds in run.timings.items()),
        "",
        "Peak resident memory per worker (VmHWM, MiB): "
        + "; ".join(f"{k} {', '.join(map(str, v))}" for k, v in run.peak_rss_mib.items()),
        "",
        *(f"- {note}" for note in run.notes),
    ]
    target = results / f"{stem}.md"
    target.write_text("\n".join(lines).rstrip() + "\n")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="small large region")
    parser.add_argument("--databases", default="postgresql sqlite")
    parser.add_argument("--duration", default="10s", help="wrk -d per page")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="data scale, e.g. 0.02: checks the tooling"
    )
    parser.add_argument("--pages", nargs="*", help="only pages whose name contains one of these")
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help="folder of the tables and the chart"
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk (make bench installs it)")
    if not _listening("127.0.0.1", 6379):
        raise SystemExit(
            "Redis is not answering on 127.0.0.1:6379: the portal serves with the production "
            "settings, whose sign-in limits are kept there (apt-get install redis-server)"
        )
    sizes, databases = (
        args.sizes.replace(",", " ").split(),
        args.databases.replace(",", " ").split(),
    )
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        for database in databases:
            for size in sizes:
                if database == "sqlite" and size != "small":
                    print(f"skipped: SQLite runs the small size only (not {size})")
                    continue
                run = bench_one(database, size, args, Path(tmp))
                print(f"written {write(run, args.results)}")
    print(f"chart: {chart.draw(args.results)}")


if __name__ == "__main__":
    main()
