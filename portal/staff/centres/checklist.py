"""The set-up checklist as the coordinator sees it: each item of services/centres/readiness.py
with its name and the page where it is done (the set-up overview and the coordinator's home)."""

from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext as _l

from portal.services.centres import readiness

LABELS = {
    "project": _l("The project"),
    "stage": _l("A stage: the year and its dates"),
    "budget_lines": _l("The stage's budget lines"),
    "villages": _l("Villages (sołectwa)"),
    "courses": _l("Course catalogue"),
    "tests": _l("Diagnosis tests"),
    "staff": _l("Staff accounts: a social worker or a career advisor"),
    "contacts": _l(
        "The centre's contacts: address, e-mail, phone, data protection officer and the "
        "building's accessibility"
    ),
    "bank_account": _l("The centre's bank account"),
}


@dataclass(frozen=True)
class Item:
    key: str
    label: object
    done: bool
    url: str


@dataclass(frozen=True)
class Checklist:
    items: list[Item]

    @property
    def done_count(self) -> int:
        return sum(item.done for item in self.items)

    @property
    def complete(self) -> bool:
        return self.done_count == len(self.items)

    @property
    def next_item(self) -> Item | None:
        return next((item for item in self.items if not item.done), None)

    def url_of(self, key: str) -> str:
        return next(item.url for item in self.items if item.key == key)


def _urls(state: readiness.SetupState) -> dict[str, str]:
    project = (
        url_for("staff.setup.project_edit", project_id=state.project_id)
        if state.project_id
        else url_for("staff.setup.project_new")
    )
    stage = (
        url_for("staff.setup.stage_new", project_id=state.project_id)
        if state.project_id
        else project
    )
    return {
        "project": project,
        "stage": stage,
        "budget_lines": (
            url_for("staff.setup.line_new", stage_id=state.stage_id) if state.stage_id else stage
        ),
        "villages": url_for("staff.setup.entries", kind="villages"),
        "courses": url_for("staff.setup.entries", kind="courses"),
        "tests": url_for("staff.setup.entries", kind="tests"),
        "staff": url_for("staff.users"),
        "contacts": url_for("staff.setup.details"),
        "bank_account": url_for("staff.setup.bank_account"),
    }


def for_centre(centre_id: int) -> Checklist:
    state = readiness.state(centre_id)
    urls = _urls(state)
    return Checklist([Item(key, LABELS[key], done, urls[key]) for key, done in state.items])
