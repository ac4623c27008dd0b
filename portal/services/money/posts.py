"""Posts paid from a project and their monthly salaries, charged to the salaries line.

One salary posting per post and month: a partial unique index says so whatever the timing, and
its refusal is caught in a savepoint so the request's transaction stays usable.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Expense, Project, ProjectPost, User, UserRole
from portal.models.enums import STAFF_ROLES, BudgetLineKind
from portal.models.spending import DocumentKind
from portal.models.support import ExpenseKind
from portal.services.audit import audit
from portal.services.common import dates, loading
from portal.services.common.errors import PortalError
from portal.services.money import budget, ledger


class PostRefused(PortalError):
    pass


@dataclass(frozen=True)
class PostFields:
    project_id: int
    person_name: str
    user_id: int | None
    title: str
    fte_percent: int
    starts_on: date
    ends_on: date | None
    monthly_cost_grosze: int


def list_posts(centre_id: int) -> list[ProjectPost]:
    return list(
        db.session.scalars(
            select(ProjectPost)
            .where(ProjectPost.centre_id == centre_id)
            .options(selectinload(ProjectPost.project), selectinload(ProjectPost.user))
            .order_by(ProjectPost.person_name, ProjectPost.id)
        )
    )


def posted_months(post_id: int) -> list[Expense]:
    """The post's salary postings, newest month first."""
    return list(
        db.session.scalars(
            select(Expense)
            .where(Expense.post_id == post_id, Expense.kind == ExpenseKind.SALARY)
            .order_by(Expense.month.desc())
        )
    )


def _first_of(day: date) -> date:
    return day.replace(day=1)


def _month_label(month: date) -> str:
    return str(format_date(month, "LLLL y"))


def _checked(centre_id: int, fields: PostFields) -> dict[str, object]:
    project = db.session.scalar(
        select(Project).where(Project.id == fields.project_id, Project.centre_id == centre_id)
    )
    if project is None:
        raise PostRefused(_l("Choose one of the centre's projects."), field="project_id")
    if fields.user_id is not None:
        user = db.session.scalar(
            select(User).where(
                User.id == fields.user_id,
                User.centre_id == centre_id,
                User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(STAFF_ROLES))),
            )
        )
        if user is None:  # another centre's, or a participant's account
            raise PostRefused(_l("Choose a member of the centre's staff."), field="user_id")
    if not 1 <= fields.fte_percent <= 100:
        raise PostRefused(_l("Enter a share from 1 to 100 percent."), field="fte_percent")
    if fields.ends_on is not None and fields.ends_on < fields.starts_on:
        raise PostRefused(_l("The end cannot be before the start."), field="ends_on")
    if fields.monthly_cost_grosze <= 0:
        raise PostRefused(_l("The amount must be more than zero."), field="monthly_cost")
    names = {"person_name": fields.person_name.strip(), "title": fields.title.strip()}
    for name, text in names.items():
        if not text:
            raise PostRefused(_l("This cannot be empty."), field=name)
        if len(text) > 200:
            raise PostRefused(_l("At most %(limit)d characters.", limit=200), field=name)
    return {**fields.__dict__, **names}


def create_post(centre_id: int, fields: PostFields, *, actor: User) -> ProjectPost:
    """A post paid from one of the centre's projects."""
    values = _checked(centre_id, fields)
    post = ProjectPost(centre_id=centre_id, **values)
    db.session.add(post)
    db.session.flush()
    audit.record(
        "post.create",
        post,
        actor=actor,
        changes={name: (None, value) for name, value in values.items()},
    )
    return post


def update_post(post: ProjectPost, fields: PostFields, *, actor: User) -> None:
    """Change a post; its period must still cover every month already posted, and a post with
    postings stays on its project. Past postings keep their amounts."""
    values = _checked(post.centre_id, fields)
    months = [e.month for e in posted_months(post.id) if e.month is not None]
    if months:
        if fields.project_id != post.project_id:
            raise PostRefused(
                _l("Salaries were already posted from this project: the post stays on it."),
                field="project_id",
            )
        if _first_of(fields.starts_on) > min(months):
            raise PostRefused(
                _l("A salary is already posted for %(month)s.", month=_month_label(min(months))),
                field="starts_on",
            )
        if fields.ends_on is not None and _first_of(fields.ends_on) < max(months):
            raise PostRefused(
                _l("A salary is already posted for %(month)s.", month=_month_label(max(months))),
                field="ends_on",
            )
    changes = audit.diff(post, values)
    if changes:
        audit.record("post.update", post, actor=actor, changes=changes)


def _covers(post: ProjectPost, month: date) -> bool:
    return _first_of(post.starts_on) <= month and (
        post.ends_on is None or month <= _first_of(post.ends_on)
    )


def _salaries_line(project_id: int, year: int) -> int:
    line_id = budget.line_ids([project_id], BudgetLineKind.SALARIES).get((project_id, year))
    if line_id is None:
        raise PostRefused(
            _l("The project has no salaries line for %(year)d: add it in the set-up.", year=year),
            field="month",
        )
    return line_id


def _insert_posting(
    post: ProjectPost, month: date, amount: int, line_id: int, actor: User
) -> Expense:
    """The posting row, in a savepoint: a month posted meanwhile is refused, the rest stays."""
    posting = Expense(
        centre_id=post.centre_id,
        budget_line_id=line_id,
        kind=ExpenseKind.SALARY,
        spent_on=month,
        document_number="",
        document_kind=DocumentKind.PAYROLL,
        description=f"{post.person_name}, {post.title}"[:300],
        amount_grosze=amount,
        post_id=post.id,
        month=month,
        created_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(posting)
            db.session.flush()
    except IntegrityError as error:
        raise _already_posted(post, month) from error
    return posting


def _already_posted(post: ProjectPost, month: date) -> PostRefused:
    return PostRefused(
        _l(
            "The salary of %(name)s for %(month)s is already posted.",
            name=post.person_name,
            month=_month_label(month),
        ),
        field="month",
    )


def _is_posted(post_id: int, month: date) -> bool:
    return (
        db.session.scalar(
            select(Expense.id).where(
                Expense.post_id == post_id,
                Expense.month == month,
                Expense.kind == ExpenseKind.SALARY,
            )
        )
        is not None
    )


def _charge(postings: list[Expense], actor: User, *, field: str) -> None:
    """Charge the postings' line (after every row is in: rows first, then the line's lock, in
    every request, so two postings never wait for each other crosswise) and audit each."""
    for posting in postings:
        ledger.spend_or_refuse(posting.budget_line_id, posting.amount_grosze, field=field)
        audit.record(
            "expense.salary",
            posting,
            actor=actor,
            changes={
                "post_id": (None, posting.post_id),
                "month": (None, posting.month),
                "amount_grosze": (None, posting.amount_grosze),
            },
        )


def post_salary(
    post_id: int, month: date, actor: User, amount_grosze: int | None = None
) -> Expense:
    """One month's salary of a post (by default its monthly cost), once per month, within the
    post's period, charged to the salaries line of that year's stage."""
    post = loading.of_centre(ProjectPost, post_id, loading.centre_id_of(actor))
    month = _first_of(month)
    if not _covers(post, month):
        raise PostRefused(
            _l("%(month)s is outside the post's period.", month=_month_label(month)),
            field="month",
        )
    amount = post.monthly_cost_grosze if amount_grosze is None else amount_grosze
    if amount <= 0:
        raise PostRefused(_l("The amount must be more than zero."), field="amount")
    if _is_posted(post.id, month):
        raise _already_posted(post, month)
    line_id = _salaries_line(post.project_id, month.year)
    posting = _insert_posting(post, month, amount, line_id, actor)
    _charge([posting], actor, field="amount")
    return posting


def active_posts(project_id: int, month: date) -> list[ProjectPost]:
    """The project's posts running in `month`, in id order."""
    after = dates.next_month(month)
    return list(
        db.session.scalars(
            select(ProjectPost)
            .where(
                ProjectPost.project_id == project_id,
                ProjectPost.starts_on < after,
                or_(ProjectPost.ends_on.is_(None), ProjectPost.ends_on >= month),
            )
            .order_by(ProjectPost.id)
        )
    )


def post_month(project_id: int, month: date, actor: User) -> list[Expense]:
    """Every post of the project running in `month` not yet posted for it, at its monthly cost:
    all of them or none (a refusal rolls the whole request back)."""
    centre_id = loading.centre_id_of(actor)
    project = db.session.scalar(
        select(Project).where(Project.id == project_id, Project.centre_id == centre_id)
    )
    if project is None:
        raise PostRefused(_l("Choose one of the centre's projects."), field="project_id")
    month = _first_of(month)
    posts = active_posts(project.id, month)
    if not posts:
        raise PostRefused(
            _l("No post of this project runs in %(month)s.", month=_month_label(month)),
            field="month",
        )
    done = set(
        db.session.scalars(
            select(Expense.post_id).where(
                Expense.post_id.in_([p.id for p in posts]),
                Expense.month == month,
                Expense.kind == ExpenseKind.SALARY,
            )
        )
    )
    due = [post for post in posts if post.id not in done]
    if not due:
        raise PostRefused(
            _l("Every salary for %(month)s is already posted.", month=_month_label(month)),
            field="month",
        )
    line_id = _salaries_line(project.id, month.year)
    postings = [
        _insert_posting(post, month, post.monthly_cost_grosze, line_id, actor) for post in due
    ]
    _charge(postings, actor, field="month")
    return postings
