import io
import subprocess
import zipfile

import pytest

from reports.batches import run_job, start_batch
from reports.documents import decision_notice_for
from reports.models import BatchJob, BatchPart
from tests.reports.decided import decided_application
from tests.reports.task_runner import run_tasks, use_database_tasks
from tests.subsidies.approvals import drive
from zaitaku_portal.models import AuditEntry, Role


def text_of(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-", "-"],  # noqa: S607
        input=pdf,
        capture_output=True,
        check=True,
    )
    return "".join(result.stdout.decode().split())


def test_decision_notice_uses_the_hubs_representative_and_decided_lines(world):
    staff = world.users[Role.PREFECTURE_STAFF]
    decision = decided_application(world.hub_a, staff=staff)
    notice = decision_notice_for(decision)
    assert notice.addressee_organisation == world.hub_a.operator_name
    assert notice.addressee_name == "代表 太郎"
    assert [(line.label, line.amount) for line in notice.lines] == [
        ("多職種が参加する連携会議の開催", 1_060_000),
        ("研修の開催", 518_000),
    ]
    assert notice.total == 1_578_000


def test_coordinator_downloads_own_notice_and_is_audited(client, world):
    decision = decided_application(world.hub_a, staff=world.users[Role.PREFECTURE_STAFF])
    client.force_login(world.users[Role.HUB_COORDINATOR])
    response = client.get(f"/reports/decisions/{decision.pk}/notice.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    assert "8医政第1234号" in text
    assert "1,578,000円" in text
    entry = AuditEntry.objects.get(action="ダウンロード")
    assert entry.target_label == "交付決定通知書_甲拠点_8医政第1234号.pdf"
    assert entry.actor == world.users[Role.HUB_COORDINATOR]
    assert entry.changes["URL"] == f"/reports/decisions/{decision.pk}/notice.pdf"


def test_batch_of_decision_notices_zips_every_current_decision(world, settings, tmp_path):
    """Through the queue: the plan, one task a document (chunks of 1), the assembly."""
    from django_tasks_db.models import DBTaskResult

    settings.MEDIA_ROOT = tmp_path
    settings.PORTAL_BATCH_CHUNK_SIZE = 1
    use_database_tasks(settings)
    staff = world.users[Role.PREFECTURE_STAFF]
    decided_application(world.hub_a, staff=staff, number="8医政第1号")
    decided_application(world.hub_b, staff=staff, amounts=(300_000,), number="8医政第2号")
    job = start_batch(
        BatchJob.Kind.DECISION_NOTICES, {"year": 2026}, "交付決定通知書_令和8年度", staff
    )
    assert job.status == BatchJob.Status.QUEUED  # nothing runs in the request
    assert run_tasks() == 4  # the plan, two parts, the assembly
    assert sorted(DBTaskResult.objects.values_list("task_path", flat=True)) == [
        "reports.batches.assemble_batch",
        "reports.batches.make_batch_part",
        "reports.batches.make_batch_part",
        "reports.batches.plan_batch",
    ]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    job.refresh_from_db()
    assert job.status == BatchJob.Status.DONE
    assert (job.done, job.total, job.percent) == (2, 2, 100)
    assert list(job.parts.values_list("status", "made")) == [("done", 1), ("done", 1)]
    assert not BatchPart.objects.exclude(result="").exists()  # the parts' files are gone
    assert sorted(p.name for p in (tmp_path / "batches").rglob("*") if p.is_file()) == [
        f"batch-{job.pk}.zip"
    ]
    with zipfile.ZipFile(io.BytesIO(job.result.read())) as archive:
        names = sorted(archive.namelist())
        assert names == [
            "交付決定通知書_乙拠点_8医政第2号.pdf",
            "交付決定通知書_甲拠点_8医政第1号.pdf",
        ]
        assert "300,000円" in text_of(archive.read(names[0]))


def test_batch_page_queues_the_job_and_shows_progress_then_download(
    client, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    use_database_tasks(settings)
    staff = world.users[Role.PREFECTURE_STAFF]
    decided_application(world.hub_a, staff=staff)
    client.force_login(staff)
    response = client.post("/reports/batches/", {"kind": "decision_notices", "year": 2026})
    job = BatchJob.objects.get()
    assert response.url == f"/reports/batches/{job.pk}/"
    page = client.get(response.url).content.decode()
    # polled by static/portal/batch_progress.js into an aria-live region (issue 20)
    assert "待機中" in page and 'aria-live="polite" data-waiting="yes"' in page
    assert "タスクワーカー）が動いていない" in page  # none runs in this test
    from reports.workers import beat

    beat("worker-1")  # a worker is alive: the page just waits
    assert "タスクワーカー" not in client.get(response.url).content.decode()
    assert client.get(f"/reports/batches/{job.pk}/download/").status_code == 404
    run_tasks()
    page = client.get(f"/reports/batches/{job.pk}/").content.decode()
    assert "1/1件（100%）" in page and "完了" in page
    download = client.get(f"/reports/batches/{job.pk}/download/")
    assert download.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()


def test_batch_form_refuses_an_unknown_year_in_japanese(client, world):
    from tests.factories import FiscalYearFactory

    FiscalYearFactory(year=2026)
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    response = client.post("/reports/batches/", {"kind": "decision_notices", "year": 1999})
    assert response.status_code == 200
    assert "正しく選択してください" in response.content.decode()
    response = client.post("/reports/batches/", {"kind": "dossier", "year": 2026})
    assert "監査用一式を作成する拠点を選んでください" in response.content.decode()
    assert not BatchJob.objects.exists()


def test_application_pdf_shows_the_frozen_version_not_the_draft(world, tmp_path):
    from reports.documents import application_pdf
    from tests.reports.workflow import okinawa_fy2026, returned_then_decided

    application = returned_then_decided(
        world.hub_a,
        world.users[Role.HUB_COORDINATOR],
        world.users[Role.PREFECTURE_STAFF],
        okinawa_fy2026(),
    )
    first, second = application.versions.order_by("number")
    first_text = text_of(application_pdf(first))
    second_text = text_of(application_pdf(second))
    assert "令和8年度在宅医療提供体制強化事業費補助金交付申請書" in first_text
    assert "甲拠点" in first_text
    assert "700,000円" in first_text  # 資源把握 as first filed (cap 600,000)
    assert "600,000円" in second_text
    assert "700,000円" not in second_text
    assert "1,500,000円" in second_text  # 900,000 + 600,000


@pytest.mark.django_db(transaction=True)
def test_dossier_holds_every_document_the_history_and_the_audit_trail(world, settings, tmp_path):
    from hubs.models import Hub
    from tests.reports.workflow import okinawa_fy2026, returned_then_decided

    settings.MEDIA_ROOT = tmp_path
    staff = world.users[Role.PREFECTURE_STAFF]
    fiscal_year = okinawa_fy2026()
    returned_then_decided(world.hub_a, world.users[Role.HUB_COORDINATOR], staff, fiscal_year)
    hub = Hub.objects.get(pk=world.hub_a.pk)
    job = start_batch(
        BatchJob.Kind.DOSSIER, {"hub": hub.pk, "year": 2026}, "監査用一式_甲拠点_令和8年度", staff
    )
    job = run_job(job.pk)
    assert job.status == BatchJob.Status.DONE, job.message
    with zipfile.ZipFile(io.BytesIO(job.result.read())) as archive:
        names = sorted(archive.namelist())
        assert names == [
            "01_交付申請書/第1版_交付申請.pdf",
            "01_交付申請書/第2版_交付申請（再提出）.pdf",
            "02_交付決定通知書/交付決定通知書_甲拠点_8医政第77号.pdf",
            "04_版の履歴/版の履歴.pdf",
            "04_版の履歴/版の差分.csv",
            "05_監査記録.csv",
        ]
        history = text_of(archive.read("04_版の履歴/版の履歴.pdf"))
        assert "令和8年度交付申請版の履歴（甲拠点）" in history
        assert "第1版交付申請" in history and "第2版交付申請（再提出）" in history
        # the first version shows what was filed, the second only its change 700,000 → 600,000
        assert "連携会議を年4回" in history
        assert history.count("700,000円") == 2 and history.count("600,000円") == 1
        changes = archive.read("04_版の履歴/版の差分.csv").decode("utf-8-sig")
        assert "第1版→第2版" in changes
        assert "700,000円" in changes and "600,000円" in changes
        trail = archive.read("05_監査記録.csv").decode("utf-8-sig")
        for action in (
            "提出する",
            "差し戻す",
            "再提出する",
            "交付決定を起案する",
            "決裁する（交付決定）",
        ):
            assert action in trail
        assert "上限超過" in trail


def _confirmed_worked_case(world):
    import datetime

    from subsidies.results import services as claims
    from tests.subsidies.results.factories import worked_case

    case = worked_case(world)
    coordinator = world.users[Role.HUB_COORDINATOR]
    staff = world.users[Role.PREFECTURE_STAFF]
    report = claims.perform(case.report, "submit", coordinator, case.report.version)
    report = claims.perform(report, "start_review", staff, report.version)
    drive.through_approval(
        report,
        "confirm",
        staff,
        report.version,
        confirmation=claims.ConfirmationInput("9医政第1号", datetime.date(2027, 5, 1)),
    )
    return case


def test_results_pdf_follows_seed_003_and_carries_the_seisan_table(world):
    from reports.documents import results_pdf

    case = _confirmed_worked_case(world)
    version = case.report.versions.get(number=1)
    text = text_of(results_pdf(version))
    for expected in (
        "令和8年度在宅医療提供体制強化事業実績報告書",
        "1地域と拠点の概要",
        "2活動の実績",
        "3取組の評価",
        "4精算額調",
        "甲拠点",
        "1,950,000円",  # the hub's G, computed by hand in tests/results/test_claims_service.py
        "50,000円",  # its J: advance 2,000,000 less G
    ):
        assert expected in text, expected
    # 収支精算書, by hand from WORKED_EXPENSES (tests/subsidies/results/factories.py):
    #   A = 1,250,000 + 900,000 + 300,999 + 260,000 + 3,000,000 = 5,710,999
    #   県補助金 = ΣG 1,950,000 (hub) + 252,000 (hospital) = 2,202,000
    #   寄付金その他の収入 = B 100,000 (関係機関との連携)
    #   自己資金 = 5,710,999 − 2,202,000 − 100,000 = 3,408,999
    #   報償費 700,000 + 900,000 + 260,000 = 1,860,000; 旅費 500,000 + 300,999 = 800,999;
    #   給料 3,000,000; outside the categories 5,710,999 − 5,660,999 = 50,000 (the meeting's
    #   total cost 1,250,000 against its 1,200,000 by category)
    assert "収支精算書" in text
    for expected in (
        "県補助金2,202,000円",
        "寄付金その他の収入100,000円",
        "自己資金3,408,999円",
        "計5,710,999円",
        "報償費1,860,000円",
        "旅費800,999円",
        "給料3,000,000円",
        "費目外の経費50,000円",
    ):
        assert expected in text, expected


@pytest.mark.django_db(transaction=True)
def test_dossier_also_holds_the_results_report_and_the_confirmation_notice(
    world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.PORTAL_BATCH_CHUNK_SIZE = 2
    use_database_tasks(settings)
    case = _confirmed_worked_case(world)
    staff = world.users[Role.PREFECTURE_STAFF]
    job = start_batch(
        BatchJob.Kind.DOSSIER,
        {"hub": world.hub_a.pk, "year": case.application.fiscal_year.year},
        "監査用一式",
        staff,
    )
    run_tasks()
    job.refresh_from_db()
    assert job.status == BatchJob.Status.DONE, job.message
    assert job.parts.count() == (job.total + 1) // 2  # two documents a task
    with zipfile.ZipFile(io.BytesIO(job.result.read())) as archive:
        names = archive.namelist()
        notice = next(n for n in names if n.startswith("07_額の確定通知書/"))
        assert "9医政第1号" in text_of(archive.read(notice))
        trail = archive.read("05_監査記録.csv").decode("utf-8-sig")
    assert "06_実績報告書/第1版_実績報告.pdf" in names
    assert "決裁する（額の確定）" in trail  # the results report's own audit entries are included
    assert "実績報告の作成" in trail


def test_every_document_embeds_the_font_and_renders_to_identical_bytes(world, tmp_path):
    """Application, results report, confirmation notice and prefecture summary: the same
    checks as the decision notice's (tests/reports/test_notices.py)."""
    from reports.documents import (
        application_pdf,
        confirmation_notice_pdf,
        prefecture_summary_pdf,
        results_pdf,
    )
    from subsidies.models import Confirmation
    from tests.reports.test_notices import pdf_fonts
    from zaitaku_portal import scopes

    case = _confirmed_worked_case(world)
    staff = world.users[Role.PREFECTURE_STAFF]
    documents = {
        "application": lambda: application_pdf(case.application.versions.first()),
        "results": lambda: results_pdf(case.report.versions.get(number=1)),
        "confirmation": lambda: confirmation_notice_pdf(Confirmation.objects.get()),
        "summary": lambda: prefecture_summary_pdf(
            case.application.fiscal_year,
            scopes.hubs_for(staff),
            scopes.designations_for(staff),
        ),
    }
    for name, render in documents.items():
        first, second = render(), render()
        assert first == second, f"{name}: two renders differ"
        fonts = [line.split() for line in pdf_fonts(first, tmp_path).splitlines()[2:]]
        assert fonts, name
        assert all("PortalGothic" in row[0] and row[-5:-2] == ["yes"] * 3 for row in fonts), name


def test_dossier_entries_are_in_order_and_carry_their_documents_own_dates(world):
    import datetime
    from zoneinfo import ZoneInfo

    from reports.documents import dossier_items
    from subsidies.models import ApplicationVersion, Decision
    from tests.reports.workflow import okinawa_fy2026, returned_then_decided

    staff = world.users[Role.PREFECTURE_STAFF]
    application = returned_then_decided(
        world.hub_a, world.users[Role.HUB_COORDINATOR], staff, okinawa_fy2026()
    )
    tokyo = ZoneInfo("Asia/Tokyo")
    # pin the times so the expected entry dates are known by hand (UTC 15:30:07 = 00:30:07 JST
    # the next day; a ZIP keeps even seconds, so :07 becomes :06)
    first, second = application.versions.order_by("number")
    ApplicationVersion.objects.filter(pk=first.pk).update(
        created_at=datetime.datetime(2026, 4, 30, 15, 30, 7, tzinfo=datetime.UTC)
    )
    ApplicationVersion.objects.filter(pk=second.pk).update(
        created_at=datetime.datetime(2026, 5, 20, 9, 0, 0, tzinfo=tokyo)
    )
    Decision.objects.filter(application=application).update(
        decided_at=datetime.datetime(2026, 6, 1, 10, 15, 0, tzinfo=tokyo)
    )
    items = dossier_items(world.hub_a, application.fiscal_year)
    assert [name for name, _ in items] == [
        "01_交付申請書/第1版_交付申請.pdf",
        "01_交付申請書/第2版_交付申請（再提出）.pdf",
        "02_交付決定通知書/交付決定通知書_甲拠点_8医政第77号.pdf",
        "04_版の履歴/版の履歴.pdf",
        "04_版の履歴/版の差分.csv",
        "05_監査記録.csv",
    ]
    dates = [getattr(maker, "zip_date", None) for _, maker in items]
    assert dates[:5] == [
        (2026, 5, 1, 0, 30, 6),
        (2026, 5, 20, 9, 0, 0),
        (2026, 6, 1, 10, 15, 0),
        (2026, 5, 20, 9, 0, 0),  # the history is as of the last version
        (2026, 5, 20, 9, 0, 0),
    ]
    history = dict(items)["04_版の履歴/版の履歴.pdf"]
    assert history() == history()  # byte-identical re-render
