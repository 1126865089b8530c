"""The results table, exhaustively: every state × action × role → allowed or the refusal,
and each transition's target, against the table as written out here (by hand, from the
process in DOMAIN.md: the coordinator submits, staff review, return, draft the 額の確定
(or its correction) or reopen it; a 決裁権者 who did not draft it approves or sends back the
draft, issue 15), not read from subsidies/results/workflow.py."""

import datetime
import itertools

import pytest

from subsidies.models import ResultReport, ResultReportStatus
from subsidies.results import services
from subsidies.results.rules import OUT_OF_SCOPE_REPORT, ClaimError, ConfirmationInput
from subsidies.results.workflow import TABLE
from tests.subsidies.approvals import drive
from tests.subsidies.results.factories import worked_case
from zaitaku_portal.models import AuditEntry, Role

pytestmark = pytest.mark.django_db

S = ResultReportStatus
STATES = [
    S.DRAFT,
    S.SUBMITTED,
    S.UNDER_REVIEW,
    S.RETURNED,
    S.RESUBMITTED,
    S.AWAITING_APPROVAL,
    S.CONFIRMED,
]
C, T, A = "coordinator", "staff", "approver"  # T: the prefecture's staff and the administrator
APPROVER = "approver"  # a member of staff with is_approver (決裁権者): T and A
PEOPLE = [*Role, APPROVER]
ROLE_KIND = {
    Role.HUB_COORDINATOR: {C},
    Role.PREFECTURE_STAFF: {T},
    Role.ADMINISTRATOR: {T},
    Role.HEALTH_CENTER: set(),  # reads only: every action is refused
    # a hub's report is outside a hospital contact's scope (issue 18): the table names
    # another actor, the service refuses it as out of scope (OUT_OF_SCOPE_REPORT)
    Role.HOSPITAL: set(),
    APPROVER: {T, A},
}

# Who may do each action in each state ("-": nobody), in the order of STATES:
#                 作成中 提出済み 審査中 差戻し中 再提出済み 決裁待ち 額の確定済み
GRID = {
    "submit": ("C", "-", "-", "-", "-", "-", "-"),
    "start_review": ("-", "T", "-", "-", "T", "-", "-"),
    "return": ("-", "-", "T", "-", "-", "-", "-"),
    "resubmit": ("-", "-", "-", "C", "-", "-", "-"),
    "confirm": ("-", "-", "T", "-", "-", "-", "-"),
    "correct": ("-", "-", "-", "-", "-", "-", "T"),
    "reopen": ("-", "-", "-", "-", "-", "-", "T"),
    "approve_confirm": ("-", "-", "-", "-", "-", "A", "-"),
    "send_back": ("-", "-", "-", "-", "-", "A", "-"),
    "approve_correct": ("-", "-", "-", "-", "-", "A", "-"),
    "send_back_correction": ("-", "-", "-", "-", "-", "A", "-"),
}
APPROVALS = {"approve_confirm", "send_back", "approve_correct", "send_back_correction"}
ACTOR = {
    "submit": C,
    "resubmit": C,
    **dict.fromkeys(APPROVALS, A),
    **dict.fromkeys(GRID.keys() - {"submit", "resubmit"} - APPROVALS, T),
}
TARGET = {
    "submit": S.SUBMITTED,
    "start_review": S.UNDER_REVIEW,
    "return": S.RETURNED,
    "resubmit": S.RESUBMITTED,
    "confirm": S.AWAITING_APPROVAL,  # a draft: nothing confirmed until the approval
    "correct": S.AWAITING_APPROVAL,
    "reopen": S.RETURNED,
    "approve_confirm": S.CONFIRMED,
    "send_back": S.UNDER_REVIEW,
    "approve_correct": S.CONFIRMED,
    "send_back_correction": S.CONFIRMED,  # the confirmation stands as it was
}
# The draft each approval row needs (in 決裁待ち without it, its guard refuses).
DRAFT_OF = {
    "approve_confirm": "confirm",
    "send_back": "confirm",
    "approve_correct": "correct",
    "send_back_correction": "correct",
}
NO_DRAFT = "決裁を待つ起案がありません。"
# The refusal when the state is wrong names the states it is allowed from (by code order).
FROM_TEXT = {
    "submit": "作成中",
    "start_review": "再提出済み・提出済み",
    "return": "審査中",
    "resubmit": "差戻し中",
    "confirm": "審査中",
    "correct": "額の確定済み",
    "reopen": "額の確定済み",
    **dict.fromkeys(APPROVALS, "決裁待ち"),
}
WRONG_ACTOR = {
    C: "この操作は拠点コーディネーターが行います。",
    T: "この操作は県職員が行います。",
    A: "この操作は決裁権者が行います。",
}
REASON_REQUIRED = {"return", "correct", "reopen", "send_back", "send_back_correction"}
# not start_review; a draft tells the approvers itself (subsidies/shared/approvals.py)
MAILED = {"submit", "return", "resubmit", "reopen", "approve_confirm", "approve_correct"}


def expected(action: str, state: str, role, kinds=None, wrong_actor=None) -> str:
    """ "" if allowed, else the refusal's message (in 決裁待ち without a draft). `kinds` and
    `wrong_actor`: who is who on a hospital's own report (below)."""
    actor = ACTOR[action]
    if actor not in (kinds or ROLE_KIND)[role]:
        return (wrong_actor or WRONG_ACTOR)[actor]
    if GRID[action][STATES.index(state)] == "-":
        label = S(state).label
        return f"「{FROM_TEXT[action]}」の実績報告にのみ行えます（現在は「{label}」）。"
    return NO_DRAFT if action in APPROVALS else ""


def test_the_grid_agrees_with_its_own_actor_column():
    """A cell that allows names the row's actor (the grid and ACTOR say the same)."""
    for action, cells in GRID.items():
        assert {c for c in cells if c != "-"} == {{C: "C", T: "T", A: "A"}[ACTOR[action]]}


def test_the_table_has_exactly_these_rows():
    assert [t.action for t in TABLE] == list(GRID)
    assert {t.action: t.target for t in TABLE} == TARGET
    assert {t.action for t in TABLE if t.reason_required} == REASON_REQUIRED
    assert {t.action for t in TABLE if t.notification} == MAILED


@pytest.fixture
def report(world):
    """A complete report (every guard passes), so only role and state decide."""
    return worked_case(world).report


def _users(world):
    return {role: world.users[role] for role in Role} | {APPROVER: drive.approver()}


def test_every_state_action_and_role(report, world):
    users = _users(world)
    assert set(users) == set(ROLE_KIND)  # every Role value (and the 決裁権者) is in the grid
    for state, action, role in itertools.product(STATES, GRID, PEOPLE):
        report.status = state
        permission = TABLE.check(report, action, users[role])
        want = expected(action, state, role)
        assert (permission.allowed, permission.reason) == (not want, want), (state, action, role)


@pytest.mark.parametrize("state", STATES)
def test_every_refusal_is_refused_by_perform_and_writes_nothing(report, world, state):
    ResultReport.objects.filter(pk=report.pk).update(status=state)
    report.refresh_from_db()
    audits = AuditEntry.objects.count()
    users = _users(world)
    for action, role in itertools.product(GRID, PEOPLE):
        want = expected(action, state, role)
        if not want:
            continue
        if role == Role.HOSPITAL:
            want = OUT_OF_SCOPE_REPORT  # asked inside the lock, before the table
        with pytest.raises(ClaimError) as refused:
            services.perform(report, action, users[role], report.version, reason="理由")
        assert refused.value.message == want, (state, action, role)
    saved = ResultReport.objects.get(pk=report.pk)
    assert (saved.status, saved.version) == (state, report.version)
    assert AuditEntry.objects.count() == audits


def test_an_unknown_action_is_refused(report, world):
    for role in Role:
        permission = TABLE.check(report, "approve", world.users[role])
        assert (permission.allowed, permission.reason) == (False, "この操作はありません。")


def test_an_incomplete_report_cannot_be_submitted_or_resubmitted(world):
    report = worked_case(world, fill=False).report
    coordinator = world.users[Role.HUB_COORDINATOR]
    for state, action in ((S.DRAFT, "submit"), (S.RETURNED, "resubmit")):
        report.status = state
        permission = TABLE.check(report, action, coordinator)
        assert not permission.allowed
        assert permission.reason.startswith("入力に不備があります（")


def test_the_actions_shown_are_the_rows_of_the_role_from_the_state(report, world):
    users = _users(world)
    for state, role in itertools.product(STATES, PEOPLE):
        report.status = state
        shown = [t.action for t, _ in TABLE.actions_for(report, users[role])]
        mine = [
            a
            for a, cells in GRID.items()
            if ACTOR[a] in ROLE_KIND[role] and cells[STATES.index(state)] != "-"
        ]
        assert shown == mine, (state, role)


def _at(report, world, state, action):
    """The report in `state` with a version; for an approval row, with a real draft of the
    right kind by staff (a correction's draft after a real confirmation)."""
    coordinator = world.users[Role.HUB_COORDINATOR]
    staff = world.users[Role.PREFECTURE_STAFF]
    report = services.perform(report, "submit", coordinator, report.version)  # a version
    draft = DRAFT_OF.get(action)
    before = {"confirm": S.UNDER_REVIEW, "correct": S.CONFIRMED}.get(draft, state)
    if draft == "correct":
        ResultReport.objects.filter(pk=report.pk).update(status=S.UNDER_REVIEW)
        report = drive.confirm(
            ResultReport.objects.get(pk=report.pk),
            staff,
            confirmation=ConfirmationInput("8医政第499号", datetime.date(2027, 5, 1)),
        )
    ResultReport.objects.filter(pk=report.pk).update(status=before)
    report.refresh_from_db()
    if draft:
        report = services.perform(
            report,
            draft,
            staff,
            report.version,
            reason="概算払の登録漏れ",
            confirmation=ConfirmationInput("8医政第498号", None),
        )
    return report


@pytest.mark.parametrize(
    ("action", "state"),
    [(a, s) for a, cells in GRID.items() for s, c in zip(STATES, cells, strict=True) if c != "-"],
)
def test_each_transition_reaches_its_target(report, world, action, state):
    report = _at(report, world, state, action)
    assert report.status == state
    actor = {C: world.users[Role.HUB_COORDINATOR], T: world.users[Role.PREFECTURE_STAFF]}.get(
        ACTOR[action], drive.approver()
    )
    done = services.perform(
        report,
        action,
        actor,
        report.version,
        reason="確認のため",
        confirmation=ConfirmationInput("8医政第500号", datetime.date(2027, 5, 1)),
    )
    assert done.status == TARGET[action]
    assert ResultReport.objects.get(pk=report.pk).version == report.version + 1


@pytest.mark.parametrize("action", sorted(REASON_REQUIRED))
def test_a_row_that_requires_a_reason_refuses_without_one(report, world, action):
    state = next(s for s, c in zip(STATES, GRID[action], strict=True) if c != "-")
    report = _at(report, world, state, action)
    actor = drive.approver() if ACTOR[action] == A else world.users[Role.PREFECTURE_STAFF]
    with pytest.raises(ClaimError) as refused:
        services.perform(
            report,
            action,
            actor,
            report.version,
            reason="  ",
            confirmation=ConfirmationInput("8医政第501号", datetime.date(2027, 5, 1)),
        )
    assert refused.value.message == "理由が必要です。"
    assert ResultReport.objects.get(pk=report.pk).status == state


# --- a hospital's own report (issue 18, setting (b)) -------------------------------------------
# The same complete report, its application made hospital A's own: the hospital's contact does
# the grantee's rows; hub A's coordinator follows it and does none; staff and the 決裁権者 as
# on a hub's report.
OWN_KIND = {**ROLE_KIND, Role.HUB_COORDINATOR: set(), Role.HOSPITAL: {C}}
OWN_WRONG_ACTOR = {**WRONG_ACTOR, C: "この操作は積極的医療機関の担当者が行います。"}


@pytest.fixture
def own_report(report, world):
    application = report.application
    application.institution = world.hospital_a
    application.save(update_fields=["institution"])
    return ResultReport.objects.select_related("application").get(pk=report.pk)


def test_every_state_action_and_role_on_a_hospitals_own_report(own_report, world):
    users = _users(world)
    for state, action, role in itertools.product(STATES, GRID, PEOPLE):
        own_report.status = state
        permission = TABLE.check(own_report, action, users[role])
        want = expected(action, state, role, OWN_KIND, OWN_WRONG_ACTOR)
        assert (permission.allowed, permission.reason) == (not want, want), (state, action, role)


@pytest.mark.parametrize("state", STATES)
def test_every_refusal_on_a_hospitals_report_is_refused_by_perform(own_report, world, state):
    """Every role of the world is in the scope of hospital A's report (its contact, hub A's
    coordinator, area A's health center, staff): the service says what the table says."""
    ResultReport.objects.filter(pk=own_report.pk).update(status=state)
    own_report.refresh_from_db()
    audits = AuditEntry.objects.count()
    users = _users(world)
    for action, role in itertools.product(GRID, PEOPLE):
        want = expected(action, state, role, OWN_KIND, OWN_WRONG_ACTOR)
        if not want:
            continue
        with pytest.raises(ClaimError) as refused:
            services.perform(own_report, action, users[role], own_report.version, reason="理由")
        assert refused.value.message == want, (state, action, role)
    saved = ResultReport.objects.get(pk=own_report.pk)
    assert (saved.status, saved.version) == (state, own_report.version)
    assert AuditEntry.objects.count() == audits


def test_the_hospital_submits_its_own_report_and_the_hub_coordinator_cannot(own_report, world):
    coordinator = world.users[Role.HUB_COORDINATOR]
    assert TABLE.actions_for(own_report, coordinator) == []
    done = services.perform(own_report, "submit", world.users[Role.HOSPITAL], own_report.version)
    assert done.status == S.SUBMITTED
