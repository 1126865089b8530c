"""The coordinator's form, the staff review, health-center advice and scoping, through HTTP."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from subsidies.applications import reading
from subsidies.applications import services as service
from subsidies.models import Application, ApplicationStatus, ApplicationVersion, MenuPlan
from tests.factories import coordinator_of
from tests.subsidies.approvals import drive
from tests.subsidies.factories import application_in, complete_plan, pick
from zaitaku_portal.models import AuditEntry

pytestmark = pytest.mark.django_db
S = ApplicationStatus


def url(application, suffix=""):
    return f"/subsidies/applications/{application.pk}/{suffix}"


def form_data(client, application):
    """The edit form as the browser would post it, from the rendered page."""
    html = client.get(url(application, "edit/")).content.decode()
    data = {}
    for name, value in re.findall(
        r'<input type="(?:text|number|hidden)" name="([^"]+)" value="([^"]*)"', html
    ):
        data[name] = value
    for name in re.findall(r'<input type="checkbox" name="([^"]+)"[^>]*checked', html):
        data[name] = "on"
    for name, body in re.findall(r'<textarea name="([^"]+)"[^>]*>\n?(.*?)</textarea>', html, re.S):
        data[name] = body
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        data[name] = chosen.group(1) if chosen else ""
    return data, html


def field(html, label_text):
    """The name of the input whose label contains `label_text`."""
    match = re.search(r'<label for="id_([^"]+)">' + re.escape(label_text), html)
    assert match, label_text
    return match.group(1)


@pytest.fixture
def coordinator_client(client, apps_world):
    client.force_login(apps_world.coordinator)
    return client


def test_coordinator_creates_saves_a_draft_and_sees_every_problem_on_submit(
    coordinator_client, apps_world
):
    w = apps_world
    client = coordinator_client
    response = client.post(f"/subsidies/applications/new/{w.hub_a.pk}/2026/")
    application = Application.objects.get(hub=w.hub_a)
    assert response.url == url(application, "edit/")
    data, _ = form_data(client, application)
    data["l0-wish"] = "on"
    data["l0-expense_honoraria"] = "１２０，０００"  # full-width digits are fine
    response = client.post(url(application, "edit/"), data)
    assert response.status_code == 302
    line = MenuPlan.objects.get(application=application, menu__code="hub-meeting")
    assert line.wish and line.expenses == {"honoraria": 120_000}
    # Submitting names every problem and changes nothing.
    response = client.get(url(application, "action/submit/"))
    assert response.status_code == 403
    text = response.content.decode()
    for expected in (
        "区割りの考え方",
        "会議体の数",
        "会議体の構成員",
        "「多職種が参加する連携会議の開催」の取り組み事項",
        "開始年度",
    ):
        assert expected in text, expected
    response = client.post(url(application, "action/submit/"), {"version": application.version + 1})
    application.refresh_from_db()
    assert application.status == S.DRAFT and not application.versions.exists()


def test_bad_amount_is_named_and_nothing_is_saved(coordinator_client, apps_world):
    w = apps_world
    application = service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    data, _ = form_data(coordinator_client, application)
    data["l0-expense_travel"] = "たくさん"
    data["district_policy"] = "変更したい"
    response = coordinator_client.post(url(application, "edit/"), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "「多職種が参加する連携会議の開催：旅費」は円単位の0以上の整数で入力してください" in text
    assert "保存していません" in text and "変更したい" in text  # re-displayed with input
    application.refresh_from_db()
    assert application.district_policy == "" and application.version == 1


def test_full_review_cycle_with_versions_diff_audit_and_emails(
    client, apps_world, django_capture_on_commit_callbacks
):
    def post(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(*args, **kwargs)

    review_cycle(client, post, apps_world)


def review_cycle(client, post, apps_world):
    w = apps_world
    application = application_in(S.DRAFT, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    client.force_login(w.coordinator)
    response = post(url(application, "action/submit/"), {"version": application.version})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert mail.outbox and "提出されました" in mail.outbox[-1].subject
    assert f"/subsidies/applications/{application.pk}/" in mail.outbox[-1].body
    client.force_login(w.staff)
    post(url(application, "action/start_review/"), {"version": application.version})
    application.refresh_from_db()
    # Returning without a reason is refused, with the field named.
    response = post(url(application, "action/return/"), {"version": application.version})
    assert "差戻し理由を選択してください" in response.content.decode()
    response = post(
        url(application, "action/return/"),
        {
            "version": application.version,
            "reason_code": "missing",
            "reason": "構成員の職種を記載してください",
        },
    )
    application.refresh_from_db()
    assert application.status == S.RETURNED
    assert "差し戻されました" in mail.outbox[-1].subject
    assert "構成員の職種を記載してください" in mail.outbox[-1].body
    client.force_login(w.coordinator)
    page = client.get(url(application)).content.decode()
    assert "記載漏れ・添付書類の不足" in page and "構成員の職種を記載してください" in page
    plan = reading.current_plan(application)
    plan["meeting_members"] = "医師（医師会）、看護師（訪問看護）"
    plan["lines"]["hub-meeting"]["expenses"]["travel"] = 150_000
    service.save_plan(application, plan, w.coordinator, application.version)
    application.refresh_from_db()
    post(url(application, "action/resubmit/"), {"version": application.version})
    application.refresh_from_db()
    assert application.status == S.RESUBMITTED and application.versions.count() == 2
    assert "再提出されました" in mail.outbox[-1].subject
    assert w.staff.email in mail.outbox[-1].to and w.coordinator.email not in mail.outbox[-1].to
    first = ApplicationVersion.objects.get(application=application, number=1)
    assert first.snapshot["plan"]["lines"]["hub-meeting"]["expenses"]["travel"] == 100_000
    diff = client.get(url(application, "versions/") + "?a=1&b=2").content.decode()
    assert (
        "多職種が参加する連携会議の開催／旅費" in diff
        and "100,000円" in diff
        and "150,000円" in diff
    )
    client.force_login(w.staff)
    post(url(application, "action/start_review/"), {"version": application.version})
    application.refresh_from_db()
    # Decide: above the computed amount is refused; lower needs a reason.
    base = {"version": application.version, "notice_number": "8医政第1234号"}
    response = post(url(application, "action/decide/"), {**base, "amount0": "500000"})
    assert "計算額 450,000円を超えています" in response.content.decode()
    response = post(url(application, "action/decide/"), {**base, "amount0": "400000"})
    assert "減額する理由を入力してください" in response.content.decode()
    response = post(url(application, "action/decide/"), {**base, "notice_number": "1234"})
    assert "「通知番号」は「8医政第1234号」の形" in response.content.decode()
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW and not application.decisions.exists()
    post(
        url(application, "action/decide/"),
        {**base, "amount0": "400000", "reason0": "旅費の一部は対象外"},
    )
    application.refresh_from_db()  # drafted (起案): nothing decided until the approval
    assert application.status == S.AWAITING_APPROVAL and not application.decisions.exists()
    client.force_login(drive.approver())
    draft = application.approvals.get()
    post(f"/subsidies/approvals/{draft.pk}/approve/", {"version": application.version})
    application.refresh_from_db()
    assert application.status == S.DECIDED
    decision = application.current_decision
    assert decision.total_amount == 400_000 and decision.notice_number == "8医政第1234号"
    assert w.fiscal_year.__class__.objects.get(pk=w.fiscal_year.pk).catalogue_frozen
    assert "交付が決定しました" in mail.outbox[-1].subject
    client.force_login(w.coordinator)
    page = client.get(url(application)).content.decode()
    assert "8医政第1234号" in page and "400,000円" in page and "旅費の一部は対象外" in page
    # The audit trail on the page: every action and the amount change with its reason.
    for action in (
        "提出する",
        "審査を開始する",
        "差し戻す",
        "再提出する",
        "交付決定を起案する",
        "決裁する（交付決定）",
        "交付決定額の減額",
    ):
        assert action in page, action
        assert AuditEntry.objects.filter(action=action, target_id=str(application.pk)).exists()


def test_health_center_reads_and_advises_but_cannot_act(client, apps_world):
    w = apps_world
    application = application_in(S.SUBMITTED, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    client.force_login(w.health_center)
    page = client.get(url(application)).content.decode()
    assert "審査を開始する" not in page and "編集する" not in page
    assert (
        client.post(
            url(application, "action/start_review/"), {"version": application.version}
        ).status_code
        == 403
    )
    assert client.get(url(application, "edit/")).status_code == 403
    client.post(url(application, "comment/"), {"body": "会議に薬剤師会も加えるとよいでしょう"})
    client.force_login(w.coordinator)
    page = client.get(url(application)).content.decode()
    assert "保健所の助言" in page and "薬剤師会も加える" in page


def test_other_hubs_application_is_404_for_coordinator_and_health_center(client, apps_world):
    w = apps_world
    other = application_in(S.SUBMITTED, w.hub_b, w.fiscal_year, coordinator_of(w.hub_b), w.staff)
    for user in (w.coordinator, w.health_center):
        client.force_login(user)
        for suffix in ("", "versions/", "excel/"):
            assert client.get(url(other, suffix)).status_code == 404, (user, suffix)
        assert client.post(url(other, "comment/"), {"body": "x"}).status_code == 404
    client.force_login(w.coordinator)
    assert client.post(url(other, "action/submit/"), {"version": other.version}).status_code == 404
    assert client.post(url(other, "edit/"), {}).status_code == 404
    assert not other.comments.exists()


def test_attachments_have_type_and_size_limits(coordinator_client, apps_world, settings):
    w = apps_world
    application = service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    ok = SimpleUploadedFile("計画書.pdf", b"%PDF-1.7 body\n%%EOF\n", content_type="application/pdf")
    coordinator_client.post(url(application, "attachments/"), {"file": ok})
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00", content_type="application/pdf")
    response = coordinator_client.post(
        url(application, "attachments/"), {"file": fake}, follow=True
    )
    assert "中身が拡張子（.pdf）と一致しません" in response.content.decode()
    exe = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    response = coordinator_client.post(url(application, "attachments/"), {"file": exe}, follow=True)
    assert "形式は受け付けられません" in response.content.decode()
    big = SimpleUploadedFile(
        "big.png", b"\x89PNG" + b"0" * (10 * 1024 * 1024), content_type="image/png"
    )
    response = coordinator_client.post(url(application, "attachments/"), {"file": big}, follow=True)
    assert "10MB以下にしてください" in response.content.decode()
    assert [a.original_name for a in application.attachments.all()] == ["計画書.pdf"]
    download = coordinator_client.get(
        url(application, f"attachments/{application.attachments.get().pk}/")
    )
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_hospital_lines_for_the_hospitals_the_hub_picks(coordinator_client, apps_world):
    """Issue 18, setting (a): no hospital is laid out until the hub adds it; on the hub's
    page a picked hospital is a summary with a link to its own lines' page."""
    w = apps_world
    application = service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    assert not any("@" in k for k in reading.current_plan(application)["lines"])
    page = coordinator_client.get(url(application, "edit/")).content.decode()
    assert "医療機関を追加" in page and "甲病院（甲圏域・" in page and "乙病院" not in page
    application = pick(application, w.designation_a, w.coordinator)
    keys = set(reading.current_plan(application)["lines"])
    assert f"hosp-training@{w.designation_a.pk}" in keys
    assert not any(str(w.designation_b.pk) == k.split("@")[-1] for k in keys if "@" in k)
    page = coordinator_client.get(url(application, "edit/")).content.decode()
    assert '<span class="group-name">甲病院（甲圏域）</span>' in page and "希望なし" in page
    assert f"/subsidies/hospital-lines/{application.pk}/{w.designation_a.pk}/" in page
    assert "受講者数（人）" not in page  # the hospital's inputs are on its own page
    plan = reading.current_plan(application)
    plan["lines"][f"hosp-training@{w.designation_a.pk}"]["wish"] = True
    service.save_plan(application, plan, w.coordinator, application.version)
    page = coordinator_client.get(url(application, "edit/")).content.decode()
    assert f'<details class="hospital-group" id="hospital-{w.designation_a.pk}" open>' in page
    assert "補助を希望 1件" in page


def test_submit_complete_plan_on_the_web_once_even_when_double_clicked(client, apps_world):
    w = apps_world
    application = service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    service.save_plan(application, complete_plan(application), w.coordinator, 1)
    application.refresh_from_db()
    client.force_login(w.coordinator)
    first = client.post(
        url(application, "action/submit/"), {"version": application.version}, follow=True
    )
    second = client.post(
        url(application, "action/submit/"), {"version": application.version}, follow=True
    )
    assert "「提出する」を行いました" in first.content.decode()
    assert "既に「提出済み」です" in second.content.decode()
    assert application.versions.count() == 1
    assert AuditEntry.objects.filter(action="提出する").count() == 1


def test_hub_page_links_its_applications(client, apps_world):
    w = apps_world
    application = application_in(S.SUBMITTED, w.hub_a, w.fiscal_year, w.coordinator, w.staff)
    client.force_login(w.health_center)
    page = client.get(f"/hubs/{w.hub_a.pk}/").content.decode()
    assert url(application) in page and "提出済み" in page


def test_a_hospital_line_with_an_error_is_refused_on_its_page(coordinator_client, apps_world):
    w = apps_world
    application = service.start_application(w.hub_a, w.fiscal_year, w.coordinator)
    application = pick(application, w.designation_a, w.coordinator)
    hospital_page = f"/subsidies/hospital-lines/{application.pk}/{w.designation_a.pk}/"
    page = coordinator_client.get(hospital_page).content.decode()
    fields = dict(
        re.findall(
            r'<input type="(?:text|number|hidden)" name="([^"]+)"(?: value="([^"]*)")?', page
        )
    )
    start = page.index(f'data-line="hosp-training@{w.designation_a.pk}"')
    hospital_field = re.search(r'name="(l\d+-other_income)"', page[start:]).group(1)
    fields[hospital_field] = "-5"
    fields.pop("csrfmiddlewaretoken", None)
    response = coordinator_client.post(hospital_page, fields)
    html = response.content.decode()
    assert response.status_code == 200 and "保存していません" in html
    assert "寄付金その他の収入" in html
