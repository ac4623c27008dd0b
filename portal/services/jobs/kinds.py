"""The kinds of job, and who may read each one's file.

A job's file is readable by those who may read the page it was requested from, in the same
centre: the kind names those roles. What a kind builds is in `portal/jobs/documents.py` (it
renders templates, so it sits above the services).
"""

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from portal.models.enums import Role


@dataclass(frozen=True)
class Kind:
    name: str
    title: LazyString
    # Who may read the originating page, hence the job's page and its file.
    readers: frozenset[Role]
    # The document's name on the audit trail's download entry ("document.download").
    document: str
    # The personal data of a whole stage, PESEL in full: downloaded only after a recent
    # sign-in, as it was asked for (ASVS 3.7.1).
    fresh_sign_in: bool = False


COORDINATORS = frozenset({Role.COORDINATOR})

YEARLY_PDF = "yearly_report.pdf"
YEARLY_DOCX = "yearly_report.docx"
ESF_EXPORT = "esf.export"
CENTRAL_SYSTEM = "esf.central_system"

KINDS: dict[str, Kind] = {
    YEARLY_PDF: Kind(YEARLY_PDF, _l("The yearly report (PDF)"), COORDINATORS, "yearly_report"),
    YEARLY_DOCX: Kind(YEARLY_DOCX, _l("The yearly report (DOCX)"), COORDINATORS, "yearly_report"),
    ESF_EXPORT: Kind(ESF_EXPORT, _l("The ESF monitoring export"), COORDINATORS, "esf_export", True),
    CENTRAL_SYSTEM: Kind(
        CENTRAL_SYSTEM, _l("The central system's workbook"), COORDINATORS, "central_system", True
    ),
}


def register(kind: Kind) -> None:
    """Add a kind (the tests' kind that waits on a file, run by a real worker)."""
    KINDS[kind.name] = kind
