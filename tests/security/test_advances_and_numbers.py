"""Security round 2, points 3 and 9: 概算払 and notice numbers written at once by two
people (or one double click), and notice numbers and names that must not reach a ZIP entry
or a Content-Disposition header as they were typed.

The races are real: two PostgreSQL connections, one of which holds its transaction open
after writing (a slow request that has not committed yet) while the other acts. On SQLite
they are skipped (one file lock serialises writers)."""

from __future__ import annotations

import datetime
import io
import threading
import zipfile
from functools import partial
from urllib.parse import unquote

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse

from subsidies.applications import services as application_service
from subsidies.applications.plan_data import line_key
from subsidies.models import (
    AdvancePayment,
    Application,
    ApplicationAttachment,
    ApplicationStatus,
    Confirmation,
    Decision,
)
from subsidies.results import services as claims
from tests import factories as f
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in, catalogue
from tests.subsidies.results.factories import decided_application, menu, worked_case
from zaitaku_portal.models import AuditEntry, Role

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs two PostgreSQL connections and row locks (DATABASE_URL=postgres://...)",
)
STALE = "他の方が更新しました。再読み込みしてください。"
HUB_DECIDED = 2_459_000  # the worked case: the hub's decided amount (H)


def _race(first, second, wait: float = 1.5):
    """`first` writes in a transaction that stays open; meanwhile `second` runs on another
    connection. `first` commits once `second` has finished, or has waited `wait` seconds
    (blocked on a lock). Returns what each returned or raised."""
    outcomes: dict[str, object] = {}
    written, release = threading.Event(), threading.Event()

    def run(name, work, hold):
        try:
            with transaction.atomic():
                outcomes[name] = work()
                if hold:
                    written.set()
                    release.wait(timeout=30)
        except Exception as error:  # the outcome under test
            outcomes[name] = error
        finally:
            written.set()
            connections.close_all()

    holder = threading.Thread(target=run, args=("first", first, True))
    holder.start()
    assert written.wait(timeout=30)
    other = threading.Thread(target=run, args=("second", second, False))
    other.start()
    other.join(timeout=wait)
    release.set()
    holder.join(timeout=30)
    other.join(timeout=30)
    return outcomes["first"], outcomes["second"]


def _problems(error) -> str:
    return " ".join([error.message, *error.problems])


# --- point 3: 概算払 -------------------------------------------------------------------------


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_advance_being_recorded_elsewhere_counts_before_the_next_is_checked(world):
    """Two advances of 1,500,000円 against 2,459,000円 decided: only one is recorded."""
    case = worked_case(world)
    staff = world.users[Role.PREFECTURE_STAFF]
    pay = partial(
        claims.record_advance,
        case.application,
        staff,
        amount=1_500_000,
        paid_on=datetime.date(2026, 7, 1),
    )
    first, second = _race(pay, pay)
    assert isinstance(first, AdvancePayment)
    assert isinstance(second, claims.ClaimError), second
    assert f"交付決定額 {HUB_DECIDED:,}円を超えます" in _problems(second)
    assert [p.amount for p in AdvancePayment.objects.all()] == [1_500_000]


@pytest.mark.django_db
def test_a_double_clicked_advance_is_recorded_once(client, world):
    case = worked_case(world)
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    url = reverse("results:advances", args=[case.application.pk])
    page = client.get(url).content.decode()
    assert 'name="advance_total" value="0"' in page
    data = {"recipient": "hub", "amount": "1000000", "paid_on": "2026-07-01", "advance_total": "0"}
    assert client.post(url, data).status_code == 302
    second = client.post(url, data, follow=True).content.decode()
    assert STALE in second
    assert AdvancePayment.objects.count() == 1
    assert 'name="advance_total" value="1000000"' in second  # the reloaded form is current


@pytest.mark.django_db
def test_an_advance_from_a_stale_page_records_nothing(world):
    case = worked_case(world)
    staff = world.users[Role.PREFECTURE_STAFF]
    record = partial(
        claims.record_advance, case.application, staff, paid_on=datetime.date(2026, 7, 1)
    )
    record(amount=100_000, expected_total=0)
    with pytest.raises(claims.StaleVersion, match=STALE):
        record(amount=100_000, expected_total=0)
    record(amount=100_000, expected_total=100_000)
    assert sorted(AdvancePayment.objects.values_list("amount", flat=True)) == [100_000, 100_000]


@pytest.mark.django_db
def test_the_advance_form_is_sent_once_by_the_browser(client, world):
    """The page's own static script disables the button after the first submit (CSP: no
    inline script)."""
    case = worked_case(world)
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    page = client.get(reverse("results:advances", args=[case.application.pk])).content.decode()
    assert "data-submit-once" in page
    assert "subsidies/submit_once.js" in page


# --- point 3: notice numbers, one of each ------------------------------------------------


WAITING = (ApplicationStatus.UNDER_REVIEW, ApplicationStatus.AWAITING_APPROVAL)


@pytest.fixture
def two_under_review(world):
    """Applications under review of two hubs in two years (A: FY2027, B: FY2028), so that
    nothing they share (the fiscal year's row) serialises them by accident."""
    staff = world.users[Role.PREFECTURE_STAFF]
    drive.approver()  # the 決裁権者, made before any race (both threads approve as it)
    coordinator_b = f.coordinator_of(world.hub_b, username="coordinator-b")
    a = application_in(
        ApplicationStatus.UNDER_REVIEW,
        world.hub_a,
        catalogue(2027)[0],
        world.users[Role.HUB_COORDINATOR],
        staff,
    )
    b = application_in(
        ApplicationStatus.UNDER_REVIEW, world.hub_b, catalogue(2028)[0], coordinator_b, staff
    )
    return a, b, staff


def _under_review(hub, fiscal_year, coordinator, staff) -> Application:
    """An application with one wished hub menu, driven through the services to review (for
    the worked case's catalogue, whose expense categories differ from catalogue()'s)."""
    meeting = menu(fiscal_year, "r-meeting", "連携会議の開催", 1_060_000)
    application = application_service.start_application(hub, fiscal_year, coordinator)
    plan = application_service.current_plan(application)
    plan.update(district_policy="市町村ごと", meeting_body_count=1, meeting_members="医師会")
    plan["lines"][line_key(meeting.code, None)].update(
        wish=True,
        planned_actions="多職種連携会議を年4回",
        start_year=fiscal_year.year,
        expenses={"honorarium": 300_000},
    )
    application, _ = application_service.save_plan(
        application, plan, coordinator, application.version
    )
    for action, actor in (("submit", coordinator), ("start_review", staff)):
        application = application_service.perform(application, action, actor, application.version)
    return Application.objects.get(pk=application.pk)


def _decide(application, staff, number: str):
    """Drafted by staff, approved by the 決裁権者 (issue 15): only then is the Decision written."""
    current = Application.objects.get(pk=application.pk)
    return drive.decide(
        current,
        staff,
        decision=application_service.DecisionInput(number, datetime.date(2027, 5, 1), {}),
    )


@pytest.mark.django_db
def test_the_database_refuses_a_second_decision_with_one_notice_number(two_under_review):
    a, b, staff = two_under_review
    _decide(a, staff, "9医政第500号")
    first = Decision.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            application=b,
            number=1,
            version=b.versions.get(),
            notice_number="9医政第500号",
            notice_date=first.notice_date,
            total_amount=0,
            decided_by=staff,
        )


@pytest.mark.django_db
def test_a_change_decision_gets_its_own_notice_number(two_under_review):
    """A 変更交付決定 is a notice of its own: it may not reuse the first decision's number."""
    a, _b, staff = two_under_review
    _decide(a, staff, "9医政第600号")
    first = Decision.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            application=a,
            number=2,
            version=first.version,
            supersedes=first,
            notice_number="9医政第600号",
            notice_date=first.notice_date,
            total_amount=0,
            decided_by=staff,
        )


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_decisions_typed_with_one_notice_number_at_once_keep_one(two_under_review):
    a, b, staff = two_under_review
    first, second = _race(
        partial(_decide, a, staff, "9医政第700号"), partial(_decide, b, staff, "9医政第700号")
    )
    assert isinstance(first, Application)
    assert isinstance(second, application_service.ApplicationError), second
    assert "「通知番号」9医政第700号は既に使われています" in _problems(second)
    assert Decision.objects.filter(notice_number="9医政第700号").count() == 1
    # refused at the draft (審査中) or at its approval (決裁待ち): never decided
    assert Application.objects.get(pk=b.pk).status in WAITING


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_number_inserted_past_the_check_still_gets_the_message(two_under_review):
    """A writer that does not take the register lock (a script, a restore) inserts the same
    number first: the unique constraint stops the second, which says so in Japanese."""
    a, b, staff = two_under_review

    def insert_directly():
        return Decision.objects.create(
            application=b,
            number=1,
            version=b.versions.get(),
            notice_number="9医政第800号",
            notice_date=datetime.date(2027, 5, 1),
            total_amount=0,
            decided_by=staff,
        )

    _first, second = _race(insert_directly, partial(_decide, a, staff, "9医政第800号"))
    assert isinstance(second, application_service.ApplicationError), second
    assert "「通知番号」9医政第800号は既に使われています" in _problems(second)
    assert Application.objects.get(pk=a.pk).status in WAITING


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_confirmation_cannot_take_the_number_of_a_decision_being_issued(world):
    """Decisions and confirmations share the department's register: one number, one notice."""
    case = worked_case(world)
    coordinator = world.users[Role.HUB_COORDINATOR]
    staff = world.users[Role.PREFECTURE_STAFF]
    report = claims.perform(case.report, "submit", coordinator, case.report.version)
    report = claims.perform(report, "start_review", staff, report.version)
    other = _under_review(world.hub_a, f.FiscalYearFactory(year=2027), coordinator, staff)

    drive.approver()  # made before the race

    def confirm():
        return drive.confirm(
            report,
            staff,
            confirmation=claims.ConfirmationInput("9医政第900号", datetime.date(2027, 5, 1)),
        )

    _first, second = _race(partial(_decide, other, staff, "9医政第900号"), confirm)
    assert isinstance(second, claims.ClaimError), second
    assert "「通知番号」9医政第900号は既に使われています" in _problems(second)
    assert not Confirmation.objects.exists()


# --- point 9: what a notice number may contain -------------------------------------------


ACCEPTED = [
    "8医政第123号",
    "6医政第1234号",
    "沖縄県指令保第1234号",
    "8医政第123-4号",
    "8医政第123－4号",
    "８医政第１２３号",
    "令和8年度医政第5号",
    "8医政確第77号",
    "8ほけん第12号",
]
REFUSED = [
    "8医政/第1号",
    "../8医政第1号",
    "8医政..第1号",
    "8医政<b>第1号",
    "8医政>第1号",
    '8医政"第1号',
    "8医政'第1号",
    "8医政\\第1号",
    "8医政\x07第1号",
    "8医政\u202e第1号",
    "8医政 第1号",
]


@pytest.mark.django_db
@pytest.mark.parametrize("number", ACCEPTED)
def test_notice_numbers_as_prefectures_write_them_are_accepted(two_under_review, number):
    a, _b, staff = two_under_review
    _decide(a, staff, number)
    assert Decision.objects.get().notice_number == number


@pytest.mark.django_db
@pytest.mark.parametrize("number", REFUSED)
def test_a_decision_notice_number_with_path_or_markup_characters_is_refused(
    two_under_review, number
):
    a, _b, staff = two_under_review
    with pytest.raises(application_service.ApplicationError) as refused:
        _decide(a, staff, number)
    assert "「通知番号」" in _problems(refused.value)
    assert not Decision.objects.exists()
    assert Application.objects.get(pk=a.pk).status == ApplicationStatus.UNDER_REVIEW


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["8医政/..第1号", '9医政"<x>第1号', "9医政\x1b第1号"])
def test_a_confirmation_notice_number_with_path_or_markup_characters_is_refused(world, number):
    case = worked_case(world)
    staff = world.users[Role.PREFECTURE_STAFF]
    report = claims.perform(
        case.report, "submit", world.users[Role.HUB_COORDINATOR], case.report.version
    )
    report = claims.perform(report, "start_review", staff, report.version)
    with pytest.raises(claims.ClaimError) as refused:
        claims.perform(
            report,
            "confirm",
            staff,
            report.version,
            confirmation=claims.ConfirmationInput(number, datetime.date(2027, 5, 1)),
        )
    assert "「通知番号」に使えない文字" in _problems(refused.value)
    assert not Confirmation.objects.exists()


@pytest.mark.django_db
def test_the_decide_page_names_the_field_and_the_character(client, two_under_review):
    a, _b, staff = two_under_review
    client.force_login(staff)
    response = client.post(
        f"/subsidies/applications/{a.pk}/action/decide/",
        {"version": a.version, "notice_number": "8医政/第1号", "notice_date": "2027-05-01"},
    )
    page = response.content.decode()
    assert "「通知番号」に使えない文字「/」が含まれています" in page
    assert not Decision.objects.exists()


# --- point 9: every generated file name ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("交付決定通知書_甲拠点_8医政第1号.pdf", "交付決定通知書_甲拠点_8医政第1号.pdf"),
        ("../../etc/passwd", "etc_passwd"),
        ("a\\b/c.pdf", "a_b_c.pdf"),
        ('x<y>"z|?*:.pdf', "x_y_z_.pdf"),
        ("line\r\nbreak\x00.pdf", "line_break_.pdf"),
        ("evil\u202efdp.exe", "evil_fdp.exe"),
        ("..", "download"),
        ("", "download"),
        ("  .hidden. ", "hidden"),
        ("CON.pdf", "_CON.pdf"),
    ],
)
def test_a_file_name_is_made_safe(name, expected):
    from zaitaku_portal.filenames import safe_filename

    assert safe_filename(name) == expected


def test_a_long_file_name_keeps_its_extension_and_fits_a_file_system():
    from zaitaku_portal.filenames import safe_filename

    name = safe_filename("拠" * 300 + ".pdf")
    assert name.endswith(".pdf") and len(name.encode()) <= 240


def test_a_zip_path_keeps_its_folders_and_loses_every_way_out():
    from zaitaku_portal.filenames import safe_zip_path

    assert safe_zip_path("02_交付決定通知書/通知書.pdf") == "02_交付決定通知書/通知書.pdf"
    assert safe_zip_path("/../../a/./b\\c.pdf") == "a/b_c.pdf"


def test_the_header_has_an_ascii_fallback_and_the_utf8_name():
    from zaitaku_portal.filenames import content_disposition

    header = content_disposition('交付決定通知書_"甲"/拠点\r\n.pdf')
    assert "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="')
    fallback = header.split('filename="')[1].split('"')[0]
    assert fallback.isascii() and fallback.endswith(".pdf")
    encoded = header.split("filename*=UTF-8''")[1]
    assert unquote(encoded) == "交付決定通知書__甲_拠点_.pdf"


@pytest.fixture
def legacy_hostile_decision(world):
    """A decision stored before the pattern was strict, for a hub whose name has a slash."""
    world.hub_a.name = "甲/乙地区医師会"
    world.hub_a.save()
    fiscal_year = f.FiscalYearFactory(year=2026)
    meeting = menu(fiscal_year, "m-meeting", "連携会議の開催", 1_060_000)
    application = decided_application(
        world.hub_a, fiscal_year, [(meeting, None, 500_000, {})], notice='../..\\x/<b>"\r\n'
    )
    return application.decisions.get()


def _assert_safe_entry(name: str) -> None:
    assert not name.startswith("/") and "\\" not in name, name
    assert all(part not in ("", ".", "..") for part in name.split("/")), name
    assert not any(c in name for c in '<>"\r\n'), name


@pytest.mark.django_db
def test_a_hostile_notice_number_cannot_leave_its_folder_in_the_zip(world, legacy_hostile_decision):
    from reports.batches import run_job
    from reports.models import BatchJob

    job = BatchJob.objects.create(
        kind=BatchJob.Kind.DECISION_NOTICES,
        params={"year": 2026},
        label="交付決定通知書_令和8年度",
        created_by=world.users[Role.PREFECTURE_STAFF],
    )
    job = run_job(job.pk)
    with zipfile.ZipFile(io.BytesIO(job.result.open("rb").read())) as archive:
        names = archive.namelist()
    assert len(names) == 1
    _assert_safe_entry(names[0])
    assert names[0].startswith("交付決定通知書_甲_乙地区医師会_")


@pytest.mark.django_db
def test_a_hostile_notice_number_gives_a_safe_download_header(
    client, world, legacy_hostile_decision
):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    response = client.get(reverse("reports:decision_notice", args=[legacy_hostile_decision.pk]))
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header.startswith('attachment; filename="') and "filename*=UTF-8''" in header
    name = unquote(header.split("filename*=UTF-8''")[1])
    _assert_safe_entry(name)
    assert name.startswith("交付決定通知書_甲_乙地区医師会_") and name.endswith(".pdf")
    audited = AuditEntry.objects.get(action="ダウンロード")
    assert audited.target_label == name  # the Japanese name, not the ASCII fallback


@pytest.mark.django_db
def test_an_attachment_name_with_a_line_break_downloads_with_a_safe_header(client, world):
    fiscal_year, _ = catalogue(2026)
    application = application_service.start_application(
        world.hub_a, fiscal_year, world.users[Role.HUB_COORDINATOR]
    )
    attachment = ApplicationAttachment(
        application=application,
        original_name='見積書"\r\nSet-Cookie: x=1.pdf',
        size=8,
        uploaded_by=world.users[Role.HUB_COORDINATOR],
    )
    attachment.file.save("quote.pdf", ContentFile(b"%PDF-1.4"), save=False)
    attachment.save()
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    response = client.get(
        reverse("subsidies:attachment_download", args=[application.pk, attachment.pk])
    )
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert "\r" not in header and "\n" not in header
    assert unquote(header.split("filename*=UTF-8''")[1]) == "見積書_Set-Cookie_ x=1.pdf"
