"""What each demo login finds waiting, made through the same services the pages call.

The coordinator has allowance requests to decide and a pending account request; a social worker
has a draft request to submit; the advisor has a draft plan to share and a participant who asked
a question; the participant on a contract has a shared plan to acknowledge and an allowance
granted, its instalment due (beside 2013's paid ones). The 2013 people carry
the ESF monitoring data set's minimum, most of them the rest of it too, some questions answered
"refuses to answer" (Chrzanów's two 2009 records carry none: the esf-incomplete list and the
central system's checks of that stage name them).
"""

from datetime import UTC, date, datetime, timedelta

from portal.extensions import db
from portal.models import AccountRequest, Participant, User, Village
from portal.models.centres import Area
from portal.models.enums import ActionKind, AllowanceKind, Instrument, PurposeCategory
from portal.models.people import Answer, Education, LabourMarketStatus
from portal.services.plans import plan_goals, plans
from portal.services.support import allowances, approvals, contracts

EDUCATION = [Education.PRIMARY, Education.LOWER_SECONDARY, Education.UPPER_SECONDARY]
STATUS = [
    LabourMarketStatus.UNEMPLOYED_REGISTERED,
    LabourMarketStatus.UNEMPLOYED_REGISTERED,
    LabourMarketStatus.INACTIVE,
]


def monitoring_data(people: list[Participant]) -> None:
    """The 2013 people's ESF data: the minimum data set for everyone (the stage's file for the
    central monitoring system holds all of them), the rest for all but the last three."""
    for index, person in enumerate(people):
        person.education = EDUCATION[index % 3]
        person.labour_market_status = STATUS[index % 3]
        registered = person.labour_market_status == LabourMarketStatus.UNEMPLOYED_REGISTERED
        if registered and _under_18_in_2013(person):
            # A labour office registers the unemployed from 18.
            person.labour_market_status = LabourMarketStatus.UNEMPLOYED_UNREGISTERED
        person.is_long_term_unemployed = person.labour_market_status != STATUS[2] and index % 2 == 0
        person.jobless_household = Answer.YES if index % 3 else Answer.NO
        person.single_adult_with_children = Answer.NO if index % 4 else Answer.YES
        if index >= len(people) - 3:
            continue  # their address, social situation and exit are not recorded yet
        person.area = person.area or _area(person)
        person.minority = Answer.REFUSED if index % 7 == 0 else Answer.NO
        person.homeless = Answer.NO
        person.disability = Answer.REFUSED if index % 9 == 0 else Answer.NO
        person.other_disadvantage = Answer.YES
        person.support_end = date(2013, 11, 30) if person.on_contract_path else date(2013, 12, 12)
        person.left_early = False
        person.exit_completed_path = True
        person.exit_job_seeking = index % 2 == 0
        person.exit_employed = index % 5 == 0
        person.exit_qualification = person.on_contract_path and index % 3 == 0


def _under_18_in_2013(person: Participant) -> bool:
    born = person.birth_date
    return born is not None and born > date(2013 - 18, 4, 1)


def _area(person: Participant) -> Area:
    return Area.RURAL if person.village_id else Area.URBAN


def waiting_work(
    *,
    today: date,
    coordinator: User,
    advisor: User,
    workers: list[User],
    uczestnik: Participant,
    others: list[Participant],
    village: Village,
) -> None:
    now = datetime.now(UTC)
    start = today.replace(day=1)
    end = (start + timedelta(days=190)).replace(day=1) - timedelta(days=1)
    # The participant's current contract, signed by the first social worker.
    contract = contracts.create(
        uczestnik,
        contracts.ContractFields(
            start_date=start,
            end_date=end,
            problem="Długotrwałe bezrobocie, brak aktualnych kwalifikacji.",
            goal="Zdobycie uprawnień i podjęcie pracy.",
            participant_obligations="Udział w treningu kompetencji społecznych, doradztwie "
            "zawodowym i kursie prawa jazdy kat. C.",
            centre_obligations="Zasiłek okresowy, zasiłek celowy na dojazdy na kurs.",
            instruments=[Instrument.SOCIAL_SKILLS, Instrument.VOCATIONAL_COUNSELLING],
            support="Trening umiejętności społecznych, doradztwo zawodowe, kurs.",
        ),
        social_worker=workers[0],
        now=now,
    )
    contracts.sign(contract, signed_on=today, actor=workers[0], now=now)
    contracts.activate(contract, actor=workers[0], now=now)
    # Requests waiting for the coordinator's decision, prepared by two social workers.
    periodic = allowances.create(
        uczestnik,
        contract,
        allowances.AllowanceFields(
            kind=AllowanceKind.PERIODIC,
            amount_grosze=418_00,
            first_month=start,
            last_month=end.replace(day=1),
            justification="Brak dochodu; zasiłek na okres kontraktu socjalnego.",
        ),
        prepared_by=workers[0],
        now=now,
    )
    allowances.submit(periodic, actor=workers[0], now=now)
    travel = allowances.create(
        uczestnik,
        contract,
        allowances.AllowanceFields(
            kind=AllowanceKind.PURPOSE,
            amount_grosze=250_00,
            category=PurposeCategory.TRAVEL,
            purpose="Dojazdy na kurs prawa jazdy kat. C",
            justification="Kurs w Janowie Lubelskim, 20 dojazdów.",
        ),
        prepared_by=workers[1],
        now=now,
    )
    allowances.submit(travel, actor=workers[1], now=now)
    # Decided already: the participant sees an instalment due (and 2013's paid ones).
    clothing = allowances.create(
        uczestnik,
        contract,
        allowances.AllowanceFields(
            kind=AllowanceKind.PURPOSE,
            amount_grosze=200_00,
            category=PurposeCategory.CLOTHING,
            purpose="Odzież robocza na kurs prawa jazdy kat. C",
            justification="Brak odpowiedniej odzieży na zajęcia praktyczne.",
        ),
        prepared_by=workers[1],
        now=now,
    )
    allowances.submit(clothing, actor=workers[1], now=now)
    approvals.approve_many(
        [clothing.id], centre_id=clothing.centre_id, approver=coordinator, now=now
    )
    # A draft the first social worker still has to check and submit.
    allowances.create(
        others[0],
        None,
        allowances.AllowanceFields(
            kind=AllowanceKind.PURPOSE,
            amount_grosze=150_00,
            category=PurposeCategory.CLOTHING,
            purpose="Odzież robocza na trening pracy",
        ),
        prepared_by=workers[0],
        now=now,
    )
    _plans(today, now, advisor=advisor, uczestnik=uczestnik, other=others[1])
    db.session.add(
        AccountRequest(
            centre_id=coordinator.centre_id,
            first_name="Krystyna",
            last_name="Wójcik",
            email="krystyna.wojcik@example.org",
            village_id=village.id,
            consent_at=now - timedelta(days=1),
        )
    )


def _plans(
    today: date, now: datetime, *, advisor: User, uczestnik: Participant, other: Participant
) -> None:
    shared = plans.start(uczestnik, advisor=advisor, now=now)
    plans.save_section(
        shared,
        "swot",
        {
            "strengths": "Sumienność\nDoświadczenie w rolnictwie",
            "weaknesses": "Brak aktualnych uprawnień",
            "opportunities": "Zapotrzebowanie na kierowców w powiecie",
            "threats": "Dojazdy do pracy",
        },
        version=shared.version_id,
        actor=advisor,
        now=now,
    )
    plans.save_section(
        shared,
        "market",
        {
            "target_occupations": "Kierowca samochodu ciężarowego",
            "market_demand": "Oferty w firmach transportowych w Janowie i Biłgoraju.",
            "market_fit": "Dobre, po uzyskaniu prawa jazdy kat. C.",
        },
        version=shared.version_id,
        actor=advisor,
        now=now,
    )
    plan_goals.add_goal(
        shared,
        description="Zdobyć prawo jazdy kat. C",
        target_date=today + timedelta(days=150),
        version=shared.version_id,
        actor=advisor,
        now=now,
    )
    plan_goals.add_action(
        shared,
        kind=ActionKind.COURSE,
        description="Kurs prawa jazdy kat. C",
        due_date=today + timedelta(days=120),
        responsible="Doradca zawodowy",
        version=shared.version_id,
        actor=advisor,
        now=now,
    )
    plans.share(shared, actor=advisor, now=now)
    plans.comment(
        shared,
        author=db.session.get_one(User, uczestnik.user_id),
        body="Czy kurs prawa jazdy może zacząć się dopiero po żniwach?",
        now=now,
    )
    draft = plans.start(other, advisor=advisor, now=now)
    plans.save_section(
        draft,
        "swot",
        {"strengths": "Komunikatywność", "weaknesses": "Brak doświadczenia zawodowego"},
        version=draft.version_id,
        actor=advisor,
        now=now,
    )
    db.session.flush()
