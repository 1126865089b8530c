"""The area's own tasks (seed 000): plan actions and their progress per year, the 在宅医療懇話会
with its minutes (the attachment checks, a scoped download); hub candidates in seed 001's
order; and the municipal 推進事業 beside a hub (seed 001), shown on the hub page."""

from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hubs.models import (
    ActionProgress,
    HomeCareCouncil,
    HubCandidate,
    MunicipalProgramAgreement,
    PlanAction,
)
from tests.hubs.builders import MINIMAL_PDF
from zaitaku_portal.models import AuditEntry, Role

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def test_action_and_its_progress_per_year(client, world):
    client.force_login(world.users[Role.HEALTH_CENTER])
    url = reverse("hubs:action_new", args=[world.area_a.pk])
    page = client.post(url, {"title": "", "display_order": "1"}).content.decode()
    assert "「取組」を入力してください。" in page and not PlanAction.objects.exists()
    client.post(
        url, {"title": "急変時ルールづくり", "plan_reference": "圏域編2(1)", "display_order": "1"}
    )
    action = PlanAction.objects.get()
    assert action.area == world.area_a
    edit = reverse("hubs:action_edit", args=[action.pk])
    progress = {"part": "progress", "fiscal_year": "2024", "status": "in_progress", "note": "素案"}
    assert client.post(edit, progress).status_code == 302
    client.post(edit, progress | {"status": "done", "note": ""})
    assert list(ActionProgress.objects.values_list("fiscal_year", "status")) == [(2024, "done")]
    assert AuditEntry.objects.filter(action="医療計画（圏域編）の取組の進捗").count() == 2
    page = client.get(reverse("hubs:area_detail", args=[world.area_a.pk])).content.decode()
    assert "急変時ルールづくり" in page and "令和6年度：達成" in page


def test_coordinator_reads_the_tasks_but_cannot_add_them(client, world):
    client.force_login(world.users[Role.HUB_COORDINATOR])
    url = reverse("hubs:action_new", args=[world.area_a.pk])
    assert client.post(url, {"title": "x", "display_order": "0"}).status_code == 403
    assert not PlanAction.objects.exists()


def council_post(client, area, upload=None, **data):
    values = {"held_on": "2024-07-18", "title": "第1回懇話会", "agenda": "取組の進捗"} | data
    if upload is not None:
        values["minutes_file"] = upload
    return client.post(reverse("hubs:council_new", args=[area.pk]), values)


def test_council_with_minutes_downloaded_by_the_areas_coordinator(client, world):
    client.force_login(world.users[Role.HEALTH_CENTER])
    response = council_post(
        client,
        world.area_a,
        SimpleUploadedFile("議事録.pdf", PDF),
        secretariat=str(world.health_center_a.pk),
    )
    assert response.status_code == 302
    council = HomeCareCouncil.objects.get()
    assert council.secretariat_name == "甲保健所" and council.minutes_name == "議事録.pdf"
    client.force_login(world.users[Role.HUB_COORDINATOR])
    download = client.get(reverse("hubs:council_minutes", args=[council.pk]))
    assert b"".join(download.streaming_content) == PDF
    # the download middleware records who took the file
    assert AuditEntry.objects.filter(action="ダウンロード", target_label="議事録.pdf").exists()


def test_a_disguised_or_wrong_file_saves_nothing_and_leaves_no_file(client, world):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    page = council_post(
        client, world.area_a, SimpleUploadedFile("議事録.pdf", b"<html><script>x</script>")
    ).content.decode()
    assert "議事録「議事録.pdf」の中身が拡張子（.pdf）と一致しません。" in page
    page = council_post(
        client, world.area_a, SimpleUploadedFile("議事録.exe", MINIMAL_PDF)
    ).content.decode()
    assert "形式は受け付けられません" in page
    hidden = PDF.replace(b"%%EOF", b"<script>alert(1)</script>\n%%EOF")
    page = council_post(client, world.area_a, SimpleUploadedFile("m.pdf", hidden)).content.decode()
    assert "議事録「m.pdf」：" in page
    assert not HomeCareCouncil.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not [p for p in media.rglob("*") if p.is_file()] if media.exists() else True


def test_bad_council_form_redisplays_with_japanese_errors(client, world):
    client.force_login(world.users[Role.HEALTH_CENTER])
    page = council_post(client, world.area_a, held_on="2024-13-40", agenda="").content.decode()
    assert "「開催日」は日付（例: 2025-04-01）で入力してください。" in page
    assert "「議題」を入力してください。" in page
    assert not HomeCareCouncil.objects.exists()


def test_hub_candidates_in_seed_001_order_on_both_pages(client, world):
    client.force_login(world.users[Role.HEALTH_CENTER])
    url = reverse("hubs:candidate_new", args=[world.area_a.pk])
    for tier, name in ((3, "甲市地域包括支援センター"), (1, "甲市相談窓口"), (2, "甲地区医師会")):
        assert (
            client.post(url, {"tier": tier, "name": name, "outcome": "candidate"}).status_code
            == 302
        )
    assert list(HubCandidate.objects.values_list("name", flat=True)) == [
        "甲市相談窓口",
        "甲地区医師会",
        "甲市地域包括支援センター",
    ]
    page = client.get(reverse("hubs:area_detail", args=[world.area_a.pk])).content.decode()
    table = page.split('aria-label="連携の拠点の候補"')[1]
    assert table.index("甲市相談窓口") < table.index("甲地区医師会") < table.index("甲市地域包括")
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    town = world.area_a.municipalities.first()
    page = client.get(reverse("hospitals:candidates") + f"?municipality={town.pk}").content.decode()
    assert (
        "連携の拠点の候補（同じ在宅医療圏）" in page
        and "① 市町村が在宅医療・介護連携推進事業" in page
    )


def test_hub_program_and_its_excluded_items_on_the_hub_page(client, world):
    client.force_login(world.users[Role.HUB_COORDINATOR])
    url = reverse("hubs:program", args=[world.hub_a.pk])
    assert client.post(url, {"part": "runs", "runs_municipal_program": "on"}).status_code == 302
    town = world.area_a.municipalities.first()
    bad = {"part": "agreement", "municipality": town.pk, "program_items": ["zz"]}
    page = client.post(url, bad).content.decode()
    assert "「推進事業として実施している項目」の選択が正しくありません。" in page
    good = bad | {"program_items": ["o", "a"], "agreed_on": "2024-03-15"}
    assert client.post(url, good).status_code == 302
    agreement = MunicipalProgramAgreement.objects.get()
    assert agreement.program_items == ["a", "o"]  # stored in (ア)〜(キ) order
    world.hub_a.refresh_from_db()
    assert world.hub_a.runs_municipal_program
    assert AuditEntry.objects.filter(action="推進事業の実施の変更").exists()
    client.force_login(world.users[Role.HEALTH_CENTER])
    page = client.get(reverse("hubs:detail", args=[world.hub_a.pk])).content.decode()
    assert "（ア）地域の医療・介護の資源の把握" in page
    assert "（オ）在宅医療・介護連携に関する相談支援" in page
    assert "補助の対象になりません" in page
    # a health center reads the record but does not write it; another hub is out of scope
    assert client.post(url, {"part": "runs"}).status_code == 403
    client.force_login(world.users[Role.HUB_COORDINATOR])
    other = reverse("hubs:program", args=[world.hub_b.pk])
    assert client.post(other, {"part": "runs", "runs_municipal_program": "on"}).status_code == 404
    world.hub_b.refresh_from_db()
    assert not world.hub_b.runs_municipal_program


def test_agreement_with_a_municipality_outside_the_hubs_areas_is_refused(client, world):
    client.force_login(world.users[Role.PREFECTURE_STAFF])
    outside = world.area_b.municipalities.first()
    url = reverse("hubs:program", args=[world.hub_a.pk])
    page = client.post(url, {"part": "agreement", "municipality": outside.pk}).content.decode()
    assert "「協議した市区町村」の選択が正しくありません。" in page
    assert not MunicipalProgramAgreement.objects.exists()
