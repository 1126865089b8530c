"""Preview and confirm an import of the 届出受理医療機関名簿.

preview() reads the file, compares the rows without errors with the institutions on record
and stores the run, with the rows left out and why; confirm() applies exactly that
comparison in one transaction, in bulk, or nothing at all: "all rows" only when no row has an
error, else "the rows without errors" (a facility with an error row is not updated, nor
flagged as missing). The list's date is checked again inside the transaction, against the
newest list applied and the dates on the institutions, so an older list never rolls them
back. The run is the audit record (bulk writes bypass per-row signals); an AuditEntry points
at it."""

from __future__ import annotations

import datetime
import json
import re
import zlib
from dataclasses import dataclass, field
from typing import IO

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from hospitals.models import MedicalInstitution, RegistryImportRun
from hospitals.registry import writes
from hospitals.registry.reader import (
    ParseResult,
    RegistryFileError,
    facility_kind,
    read_registry,
)
from zaitaku_portal import audit, figures
from zaitaku_portal.models import Municipality
from zaitaku_portal.wareki import wareki_date

COMPARED_FIELDS = (
    "name",
    "kind",
    "postal_code",
    "address",
    "phone",
    "municipality_id",
    "bed_count",
    "beds_text",
    "support_tier",
    "linked_subtype",
    "is_backup_hospital",
    "support_since",
    "code_check_passed",
    "missing_from_latest_list",
)
FIELD_LABELS = {
    "name": "医療機関名",
    "kind": "種別",
    "postal_code": "郵便番号",
    "address": "所在地",
    "phone": "電話番号",
    "municipality_id": "市区町村",
    "bed_count": "病床数",
    "beds_text": "病床数（名簿の記載）",
    "support_tier": "在宅療養支援の区分",
    "linked_subtype": "連携型の細分",
    "is_backup_hospital": "在宅療養後方支援病院",
    "support_since": "算定開始年月日",
    "code_check_passed": "検証番号の照合",
    "missing_from_latest_list": "最新の名簿に掲載なし",
}
SAMPLE_SIZE = 200
CHUNK = 900  # parameters per IN (...) clause, under SQLite's limits
CONFIRM_LOCK = 0x5A_52_45_47  # pg_advisory_xact_lock key: one registry confirmation at a time
ALL = RegistryImportRun.AppliedRows.ALL
WITHOUT_ERRORS = RegistryImportRun.AppliedRows.WITHOUT_ERRORS


class ImportRefused(Exception):
    """Confirmation is not possible; the message says why in Japanese."""


class MunicipalityMatcher:
    """Finds the 市区町村 in an address: the longest known name that occurs in it."""

    def __init__(self):
        names: dict[str, int] = {}
        for municipality in Municipality.objects.select_related("parent"):
            names[municipality.name] = municipality.pk
            if municipality.parent_id:
                names[f"{municipality.parent.name}{municipality.name}"] = municipality.pk
        self._ids = names
        ordered = sorted(names, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        self._cache: dict[str, int | None] = {}

    def __call__(self, address: str) -> int | None:
        if self._pattern is None or not address:
            return None
        key = re.sub(r"^.{2,3}?[都道府県]", "", address)[:20]
        if key not in self._cache:
            match = self._pattern.search(key)
            self._cache[key] = self._ids[match[0]] if match else None
        return self._cache[key]


@dataclass
class Plan:
    """What confirming would do."""

    new: list[dict] = field(default_factory=list)
    changed: list[tuple[int, dict, dict]] = field(default_factory=list)  # pk, values, diffs
    unchanged_pks: list[int] = field(default_factory=list)
    as_of_only_pks: list[int] = field(default_factory=list)
    missing: list[tuple[int, str, str]] = field(default_factory=list)  # pk, code, name

    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "changed": len(self.changed),
            "unchanged": len(self.unchanged_pks),
            "missing": len(self.missing),
        }


def _values_of(record: dict, matcher: MunicipalityMatcher) -> dict:
    since = record["support_since"]
    return {
        "name": record["name"][:200],
        "kind": facility_kind(record),
        "postal_code": record["postal_code"][:8],
        "address": record["address"][:200],
        "phone": record["phone"][:20],
        "municipality_id": matcher(record["address"]),
        "bed_count": record["bed_count"],
        "beds_text": record["beds_text"][:200],
        "support_tier": record["support_tier"],
        "linked_subtype": record["linked_subtype"],
        "is_backup_hospital": record["is_backup_hospital"],
        "support_since": datetime.date.fromisoformat(since) if since else None,
        "code_check_passed": record["code_check_passed"],
        "missing_from_latest_list": False,
    }


def plan_import(facilities: dict[str, dict], as_of: datetime.date, held_codes=frozenset()) -> Plan:
    """Compare the list with the institutions on record (the read half of confirm). A held
    facility (an error row) is neither updated nor flagged as missing."""
    matcher = MunicipalityMatcher()
    plan = Plan()
    existing = {
        row["code"]: row
        for row in MedicalInstitution.objects.values("pk", "code", "listed_as_of", *COMPARED_FIELDS)
    }
    for code, record in facilities.items():
        values = _values_of(record, matcher)
        current = existing.get(code)
        if current is None:
            plan.new.append({"code": code, **values})
            continue
        if values["municipality_id"] is None:  # address not matched: keep what staff set
            values["municipality_id"] = current["municipality_id"]
        diffs = {
            name: (current[name], values[name])
            for name in COMPARED_FIELDS
            if current[name] != values[name]
        }
        if diffs:
            plan.changed.append((current["pk"], values, diffs))
        else:
            plan.unchanged_pks.append(current["pk"])
            if current["listed_as_of"] != as_of:
                plan.as_of_only_pks.append(current["pk"])
    prefixes = {code[:3] for code in facilities}
    for code, row in existing.items():
        if code in facilities or row["missing_from_latest_list"] or code[:3] not in prefixes:
            continue
        if code in held_codes:
            continue
        plan.missing.append((row["pk"], code, row["name"]))
    return plan


def _display(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if name == "municipality_id":
        municipality = Municipality.objects.filter(pk=value).first()
        return str(municipality) if municipality else str(value)
    if name == "support_tier":
        return MedicalInstitution.SupportTier(value).label
    if name == "kind":
        return MedicalInstitution.Kind(value).label
    if name == "linked_subtype":
        return MedicalInstitution.LinkedSubtype(value).label
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    if isinstance(value, datetime.date):
        return wareki_date(value)
    return str(value)


def _sample(plan: Plan, facilities: dict[str, dict]) -> list[dict]:
    codes = {
        pk: code
        for pk, code in MedicalInstitution.objects.filter(
            pk__in=[pk for pk, _, _ in plan.changed[:SAMPLE_SIZE]]
        ).values_list("pk", "code")
    }
    sample = []
    for values in plan.new[:SAMPLE_SIZE]:
        sample.append(
            {
                "kind": "new",
                "code": values["code"],
                "name": values["name"],
                "row": facilities[values["code"]]["row"],
                "detail": MedicalInstitution.SupportTier(values["support_tier"]).label,
            }
        )
    for pk, values, diffs in plan.changed[:SAMPLE_SIZE]:
        code = codes.get(pk, "")
        detail = "、".join(
            f"{FIELD_LABELS[name]}: {_display(name, old)} → {_display(name, new)}"
            for name, (old, new) in diffs.items()
        )
        sample.append(
            {
                "kind": "changed",
                "code": code,
                "name": values["name"],
                "row": facilities.get(code, {}).get("row"),
                "detail": detail,
            }
        )
    for _pk, code, name in plan.missing[:SAMPLE_SIZE]:
        sample.append(
            {
                "kind": "missing",
                "code": code,
                "name": name,
                "row": None,
                "detail": "この名簿に掲載がありません（削除せず要確認として表示します）",
            }
        )
    return sample


def _pack(data) -> bytes:
    return zlib.compress(json.dumps(data, ensure_ascii=False).encode(), 1)  # speed over size


def _unpack(data):
    return json.loads(zlib.decompress(bytes(data)))


def _parsed(run: RegistryImportRun) -> tuple[dict[str, dict], set[str]]:
    data = _unpack(run.parsed)
    if "facilities" not in data:  # a run previewed before issue 17: facilities only
        return data, set()
    return data["facilities"], set(data["held_codes"])


def held_rows(run: RegistryImportRun) -> tuple[list[str], list[list]]:
    """(the list's header, [[row, values, messages], ...]) of the rows left out."""
    if not run.held:
        return [], []
    data = _unpack(run.held)
    return data["header"], data["rows"]


def preview(
    stream: IO[bytes], file_name: str, size: int, user, today=None, engine: str = "calamine"
) -> RegistryImportRun:
    """Read and compare; store the run. Nothing but the run itself is written."""
    run = RegistryImportRun(uploaded_by=user, file_name=file_name[:255], file_size=size)
    try:
        result = read_registry(stream, file_name, size, today=today, engine=engine)
    except RegistryFileError as error:
        run.status = RegistryImportRun.Status.REJECTED
        run.error_count = 1
        run.problems = [
            {
                "sheet": "",
                "row": None,
                "cell": "",
                "column": "",
                "message": str(error),
                "severity": "error",
                "text": str(error),
            }
        ]
        run.save()
        return run
    run.file_sha256 = result.sha256
    run.listed_as_of = result.as_of
    run.sheet_name = result.sheet_name[:255]
    run.header_row = result.header_row
    if result.readable and result.as_of:
        refusal = older_list_refusal(result.as_of)
        if refusal:
            result.fail(refusal, column="名簿の時点")
    _fill_counts(run, result)
    if not result.readable:
        run.status = RegistryImportRun.Status.REJECTED
        run.save()
        return run
    plan = plan_import(result.facilities, result.as_of, result.held_codes)
    counts = plan.counts()
    run.new_count = counts["new"]
    run.changed_count = counts["changed"]
    run.unchanged_count = counts["unchanged"]
    run.missing_count = counts["missing"]
    run.changes_sample = _sample(plan, result.facilities)
    run.parsed = _pack({"facilities": result.facilities, "held_codes": sorted(result.held_codes)})
    run.status = RegistryImportRun.Status.PREVIEW
    run.save()
    return run


def older_list_refusal(as_of: datetime.date) -> str | None:
    """Why a list of `as_of` may not be applied: a newer list was, or the institutions on
    record are listed as of a later date (a first import after data came in by other means)."""
    latest = (
        RegistryImportRun.objects.filter(status=RegistryImportRun.Status.APPLIED)
        .exclude(listed_as_of=None)
        .order_by("-listed_as_of")
        .values_list("listed_as_of", flat=True)
        .first()
    )
    if latest and as_of < latest:
        return (
            f"この名簿（{wareki_date(as_of)}現在）は取込済みの名簿"
            f"（{wareki_date(latest)}現在）より古いため取り込めません。"
        )
    on_record = MedicalInstitution.objects.aggregate(latest=Max("listed_as_of"))["latest"]
    if on_record and as_of < on_record:
        return (
            f"この名簿（{wareki_date(as_of)}現在）は、登録済みの医療機関の名簿の時点"
            f"（{wareki_date(on_record)}現在）より古いため取り込めません。"
        )
    return None


def _fill_counts(run: RegistryImportRun, result: ParseResult) -> None:
    run.row_count = result.row_count
    run.facility_count = len(result.facilities)
    run.skipped_row_count = result.skipped_row_count
    run.check_digit_failures = len(result.check_digit_failures)
    run.error_count = result.error_count
    run.warning_count = result.warning_count
    run.problems = [problem.as_dict() for problem in result.problems]
    run.held_row_count = len(result.held_rows)
    run.held_facility_count = len(result.held_codes)
    run.unidentified_row_count = result.unidentified_held_rows
    if result.held_rows:
        run.held = _pack(
            {"header": result.header, "rows": [held.as_list() for held in result.held_rows]}
        )


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def confirm(
    run_pk: int, user, acknowledge_check_digits: bool = False, rows: str = ALL
) -> RegistryImportRun:
    """Apply the previewed run in one transaction, or nothing (ImportRefused). rows: ALL
    (only when no row has an error) or WITHOUT_ERRORS (the rows left out stay on the run)."""
    with transaction.atomic():
        _one_confirmation_at_a_time()
        run = RegistryImportRun.objects.select_for_update().get(pk=run_pk)
        _refuse_unless_confirmable(run, rows, acknowledge_check_digits)
        facilities, held_codes = _parsed(run)
        plan = plan_import(facilities, run.listed_as_of, held_codes)
        counts = plan.counts()
        expected = {
            "new": run.new_count,
            "changed": run.changed_count,
            "unchanged": run.unchanged_count,
            "missing": run.missing_count,
        }
        if counts != expected:
            raise ImportRefused(
                "プレビューの後に医療機関の登録内容が変わりました。"
                "ファイルをもう一度アップロードしてプレビューし直してください。"
            )
        _apply(plan, run.listed_as_of)
        figures.changed(figures.COVERAGE)  # COPY and bulk writes send no post_save
        run.status = RegistryImportRun.Status.APPLIED
        run.applied_at = timezone.now()
        run.applied_rows = WITHOUT_ERRORS if run.error_count else ALL
        run.check_digit_acknowledged = bool(run.check_digit_failures)
        run.uploaded_by = run.uploaded_by or user
        run.parsed = None
        run.save()
        audit.record(
            user,
            "医療機関名簿の取込",
            run,
            changes={
                **counts,
                "held_rows": run.held_row_count,
                "held_facilities": run.held_facility_count,
                "rows": run.applied_rows,
                "sha256": run.file_sha256,
                "file_name": run.file_name,
            },
        )
    return run


def _one_confirmation_at_a_time() -> None:
    """Two confirmations at once would each check the list's date against the other's
    unwritten one. PostgreSQL: a transaction-level advisory lock; SQLite: one writer anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CONFIRM_LOCK])


def _refuse_unless_confirmable(run: RegistryImportRun, rows: str, acknowledged: bool) -> None:
    if run.status != RegistryImportRun.Status.PREVIEW:
        raise ImportRefused(
            f"この取込は「{run.get_status_display()}」のため反映できません。"
            "ファイルをもう一度アップロードしてください。"
        )
    if rows not in (ALL, WITHOUT_ERRORS):
        raise ImportRefused("反映する行の指定が正しくありません。")
    if rows == ALL and run.error_count:
        raise ImportRefused(
            f"エラーのある行が{run.error_count}件あるため「すべての行」は反映できません。"
            f"「エラーのない行だけ反映する」を選ぶと、{run.held_row_count}行を取り込まず、"
            f"{run.held_facility_count}医療機関は更新しません。"
        )
    refusal = older_list_refusal(run.listed_as_of)
    if refusal:
        raise ImportRefused(refusal)
    if run.check_digit_failures and not acknowledged:
        raise ImportRefused(
            f"検証番号が一致しない医療機関コードが{run.check_digit_failures}件あります。"
            "内容を確認のうえ「要確認として取り込む」にチェックしてください。"
        )


def _apply(plan: Plan, as_of: datetime.date) -> None:
    writes.insert(plan.new, as_of, COMPARED_FIELDS)
    writes.update([(pk, values) for pk, values, _diffs in plan.changed], as_of, COMPARED_FIELDS)
    for pks in _chunks(plan.as_of_only_pks):
        MedicalInstitution.objects.filter(pk__in=pks).update(listed_as_of=as_of)
    for chunk in _chunks(plan.missing):
        MedicalInstitution.objects.filter(pk__in=[pk for pk, _, _ in chunk]).update(
            missing_from_latest_list=True
        )
