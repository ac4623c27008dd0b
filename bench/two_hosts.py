"""The checks of bench/two_hosts.sh, run through the balancer in front of two app hosts.

    two_hosts.py prepare URL FACTS          small data in a fresh database, two events to use
    two_hosts.py check URL FACTS BALANCER NAMESPACE

`check` runs, as people in browsers would (the login form, the event page, its button):
1. the sign-up race: 50 people press sign-up at once for an event with 5 places, through the
   balancer (round robin over both hosts): 5 confirmed, 45 waiting, never more;
2. one session on both hosts: a signed-in person's next requests land on the other host and stay
   signed in (sessions are signed cookies, nothing is kept in a host's memory);
3. a host killed mid-load: 20 people sign up and cancel in a loop for 12 s; after 4 s every
   process of the second host's namespace is killed (SIGKILL). Each action is repeated until it
   is acknowledged, as a person would press again. Afterwards every person's registration is what
   their last acknowledged action made it, and the places counter equals the confirmed places.
Exits non-zero when a check fails.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import data  # noqa: E402
from run import Client, token  # noqa: E402

RACE_PEOPLE, RACE_PLACES = 50, 5
LOAD_PEOPLE, LOAD_PLACES, LOAD_SECONDS, KILL_AFTER = 20, 10, 12.0, 4.0
THREADS = 25
failures: list[str] = []


def check(condition: bool, what: str) -> None:
    print(f"  {'ok  ' if condition else 'FAIL'} {what}", flush=True)
    if not condition:
        failures.append(what)


def prepare(url: str, facts_path: str) -> None:
    facts = data.generate("small", url)
    engine = create_engine(url)
    with engine.begin() as connection:
        # The race event: few places. The load event: the open event's twin with 10 places.
        connection.execute(
            text("UPDATE events SET capacity = :n WHERE id = :id"),
            {"n": RACE_PLACES, "id": facts["signup_event_id"]},
        )
        load = connection.execute(
            text(
                "INSERT INTO events (centre_id, project_id, event_type, title, description, place,"
                " starts_at, ends_at, capacity, places_taken, last_queue_number, audience,"
                " status, trainer, topics, version_id, created_at, updated_at)"
                " SELECT centre_id, project_id, event_type, 'Warsztaty drugie', description,"
                " place, starts_at, ends_at, :n, 0, 0, audience, status, trainer, topics, 1,"
                " created_at, updated_at FROM events WHERE id = :id RETURNING id"
            ),
            {"n": LOAD_PLACES, "id": facts["signup_event_id"]},
        ).scalar_one()
    engine.dispose()
    facts["load_event_id"] = load
    Path(facts_path).write_text(json.dumps(facts))


class Person:
    def __init__(self, balancer: str, email: str, password: str, event_id: int):
        self.client = Client(balancer, email, password)
        self.event_id = event_id
        self.token = token(self.client.page(f"/me/events/{event_id}").text)

    def press(self, button: str) -> requests.Response:
        return self.client.post(
            f"/me/events/{self.event_id}/{button}", {"csrf_token": self.token, "companions": "0"}
        )


def people(balancer: str, facts: dict, emails: list[str], event_id: int) -> list[Person]:
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        return list(pool.map(lambda e: Person(balancer, e, facts["password"], event_id), emails))


def registrations(engine, event_id: int) -> dict[str, tuple[str, int]]:
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT u.email, r.status, r.queue_number FROM registrations r"
                " JOIN participants p ON p.id = r.participant_id"
                " JOIN users u ON u.id = p.user_id WHERE r.event_id = :id"
            ),
            {"id": event_id},
        ).all()
    return {email: (status, queue) for email, status, queue in rows}


def counter(engine, event_id: int) -> tuple[int, int]:
    with engine.connect() as connection:
        return tuple(
            connection.execute(
                text("SELECT places_taken, capacity FROM events WHERE id = :id"), {"id": event_id}
            ).one()
        )


def race(engine, balancer: str, facts: dict) -> None:
    print(f"1. sign-up race: {RACE_PEOPLE} people, {RACE_PLACES} places", flush=True)
    event_id = facts["signup_event_id"]
    crowd = people(balancer, facts, facts["participant_emails"][:RACE_PEOPLE], event_id)
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        answers = list(pool.map(lambda p: p.press("sign-up"), crowd))
    hosts = Counter(a.headers.get("X-Served-By", "?") for a in answers)
    print(f"     sign-ups served by {dict(hosts)}")
    check({a.status_code for a in answers} == {302}, "every sign-up answered 302")
    check(len(hosts) == 2, "the sign-ups went to both hosts")
    crowd_emails = set(facts["participant_emails"][:RACE_PEOPLE])
    found = {e: row for e, row in registrations(engine, event_id).items() if e in crowd_emails}
    statuses = Counter(status for status, _queue in found.values())
    taken, capacity = counter(engine, event_id)
    print(f"     registrations {dict(statuses)}, places taken {taken} of {capacity}")
    check(len(found) == RACE_PEOPLE, f"{RACE_PEOPLE} registrations, one each")
    check(statuses["confirmed"] == taken == capacity, "places taken = confirmed = capacity")
    check(statuses["waiting"] == RACE_PEOPLE - RACE_PLACES, "the rest on the waiting list")
    queues = [queue for _status, queue in found.values()]
    check(len(set(queues)) == len(queues), "queue numbers unique")


def one_session(balancer: str, facts: dict) -> None:
    print("2. one session, both hosts", flush=True)
    person = Client(balancer, facts["participant"], facts["password"])
    served = []
    for _ in range(6):
        response = person.get("/me/")
        served.append((response.headers.get("X-Served-By", "?"), response.status_code))
    print(f"     /me/ six times: {served}")
    check(all(status == 200 for _host, status in served), "signed in on every request")
    check(len({host for host, _status in served}) == 2, "the requests landed on both hosts")


def kill_namespace(namespace: str) -> list[int]:
    found = subprocess.run(  # noqa: S603 - the namespace this script made
        ["/usr/sbin/ip", "netns", "pids", namespace], capture_output=True, text=True
    )
    pids = [int(pid) for pid in found.stdout.split()]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return pids


def host_killed(engine, balancer: str, facts: dict, namespace: str) -> None:
    print(
        f"3. {LOAD_PEOPLE} people sign up and cancel for {LOAD_SECONDS:.0f} s; "
        f"host {namespace} killed after {KILL_AFTER:.0f} s",
        flush=True,
    )
    event_id = facts["load_event_id"]
    emails = facts["participant_emails"][RACE_PEOPLE : RACE_PEOPLE + LOAD_PEOPLE]
    crowd = people(balancer, facts, emails, event_id)
    started = time.monotonic()
    killed_at: list[float] = []
    log: list[tuple[float, str, str, int]] = []  # when, person, host, status (0: no answer)
    last_acknowledged: dict[str, str] = {}
    lock = threading.Lock()

    def loop(k: int, person: Person) -> None:
        button = "sign-up"
        while time.monotonic() - started < LOAD_SECONDS:
            for _attempt in range(20):  # pressed again until acknowledged
                try:
                    response = person.press(button)
                    host, status = response.headers.get("X-Served-By", "?"), response.status_code
                except requests.RequestException:
                    host, status = "?", 0
                with lock:
                    log.append((time.monotonic() - started, emails[k], host, status))
                if status == 302:
                    last_acknowledged[emails[k]] = button
                    break
                time.sleep(0.2)
            button = "cancel" if button == "sign-up" else "sign-up"

    def killer() -> None:
        time.sleep(KILL_AFTER)
        pids = kill_namespace(namespace)
        killed_at.append(time.monotonic() - started)
        print(
            f"     killed {len(pids)} processes of {namespace} at {killed_at[0]:.1f} s", flush=True
        )

    threading.Thread(target=killer, daemon=True).start()
    with ThreadPoolExecutor(max_workers=LOAD_PEOPLE) as pool:
        list(pool.map(lambda kp: loop(*kp), enumerate(crowd)))
    when = killed_at[0] if killed_at else LOAD_SECONDS
    before = Counter((host, status) for t, _e, host, status in log if t < when)
    after = Counter((host, status) for t, _e, host, status in log if t >= when + 2)
    print(f"     before the kill: {dict(before)}")
    during = Counter((host, status) for t, _e, host, status in log if when <= t < when + 2)
    print(f"     within 2 s of the kill: {dict(during)} (status 0: no answer)")
    print(f"     from 2 s after the kill: {dict(after)}")
    check(bool(killed_at), "the second host was killed")
    check(any(host == "b" for host, _s in before), "both hosts served before the kill")
    check(all(host == "a" for host, status in after if status), "only the first host after it")
    check(sum(n for (h, s), n in after.items() if s == 302) > 0, "the first host kept serving")
    unanswered = sum(
        n for (_h, s), n in Counter((h, s) for _t, _e, h, s in log).items() if s != 302
    )
    print(f"     {len(log)} requests, {unanswered} not acknowledged (pressed again)")
    found = registrations(engine, event_id)
    lost = [
        email
        for email, button in last_acknowledged.items()
        if (found.get(email, ("none", 0))[0] == "cancelled") != (button == "cancel")
    ]
    check(not lost, f"every acknowledged action is in the database ({len(last_acknowledged)})")
    taken, capacity = counter(engine, event_id)
    confirmed = sum(1 for status, _q in found.values() if status == "confirmed")
    print(f"     places taken {taken} of {capacity}; confirmed registrations {confirmed}")
    check(taken == confirmed <= capacity, "places taken = confirmed places, within capacity")


def main() -> None:
    if sys.argv[1] == "prepare":
        prepare(sys.argv[2], sys.argv[3])
        return
    url, facts_path, balancer, namespace = sys.argv[2:6]
    facts = json.loads(Path(facts_path).read_text())
    engine = create_engine(url)
    race(engine, balancer, facts)
    one_session(balancer, facts)
    host_killed(engine, balancer, facts, namespace)
    engine.dispose()
    print("all checks passed" if not failures else f"{len(failures)} checks FAILED: {failures}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
