"""Form 4-② in the Excel round trip under setting (a) (issue 18): the hospital sheet lists
the picked hospitals only, and an upload naming a hospital that is not in the plan (or not
active in the year) is refused with its cell, nothing saved."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from hospitals.models import ActiveHospitalDesignation
from subsidies.applications import excel, reading
from subsidies.applications import services as service
from tests import factories as f
from tests.subsidies.hospital_lines.helpers import fresh, pick, started

pytestmark = pytest.mark.django_db


def _download(client, application):
    response = client.get(f"/subsidies/applications/{application.pk}/excel/")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _upload(client, application, workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    return client.post(
        f"/subsidies/applications/{application.pk}/excel/upload/",
        {
            "version": fresh(application).version,
            "file": SimpleUploadedFile("申請.xlsx", buffer.getvalue()),
        },
    )


def _hospitals_on(workbook) -> set[str]:
    sheet = workbook[excel.HOSPITAL_SHEET]
    return {
        sheet[f"A{row}"].value
        for row in range(excel.FIRST_ROW, sheet.max_row + 1)
        if sheet[f"A{row}"].value
    } - {"合計"}


def test_the_sheet_lists_the_picked_hospitals_and_refuses_one_not_in_the_plan(client, apps_world):
    w = apps_world
    f.DesignationFactory(  # 丙病院: active in the area, not picked
        institution=f.MedicalInstitutionFactory(name="丙病院"), area=w.area_a, hub=w.hub_a
    )
    application = started(w)
    pick(application, w.designation_a, w.coordinator)
    client.force_login(w.coordinator)
    workbook = _download(client, application)
    hospitals = _hospitals_on(workbook)
    assert "甲病院" in hospitals and "丙病院" not in hospitals  # 丙病院 was not picked
    # 甲病院 is taken off the plan after the download: its rows are refused by cell
    service.remove_hospital(
        fresh(application), w.designation_a, w.coordinator, fresh(application).version
    )
    before = reading.current_plan(fresh(application))
    page = _upload(client, application, workbook).content.decode()
    assert "（甲病院）: この医療機関は計画にありません" in page
    assert f"シート「{excel.HOSPITAL_SHEET}」セルA{excel.FIRST_ROW}（甲病院）" in page
    assert reading.current_plan(fresh(application)) == before
    # and once its designation has ended, the upload says it is not active in the year
    ActiveHospitalDesignation.objects.filter(pk=w.designation_a.pk).update(
        status=ActiveHospitalDesignation.Status.ENDED, end_date=datetime.date(2026, 3, 31)
    )
    page = _upload(client, application, workbook).content.decode()
    assert "（甲病院）: 甲病院は令和8年度に指定中の積極的医療機関ではありません" in page
