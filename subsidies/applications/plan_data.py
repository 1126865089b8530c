"""The plan as plain data: what the web form and the Excel upload both produce, what a
frozen version stores, and what a diff compares.

    {"district_policy": str, "district_count": int, "meeting_body_count": int | None,
     "meeting_members": str, "other_actions": str, "other_actions_start_year": int | None,
     "hospital_other_actions": str, "hospital_other_actions_start_year": int | None,
     "lines": {line_key: {"wish": bool, "planned_actions": str, "start_year": int | None,
                          "trainees", "half_days", "months": int | None,
                          "other_income": int, "expenses": {category_code: int}}},
     "hospital_menus": {menu_code: {"hospital_count": int | None, "planned_actions": str}}}
    (hospital_menus only where the fiscal year's form 4-② is counts: hospital_counts.py)

A line key is the menu code for the hub's own lines and `menu code@designation id` for an
active hospital's."""

from __future__ import annotations

from zaitaku_portal.wareki import fiscal_year_label

APPLICATION_FIELDS = {
    "district_policy": "区割りの考え方",
    "district_count": "区割り数",
    "meeting_body_count": "会議体の数",
    "planned_meetings": "多職種連携会議の開催予定回数（年）",
    "meeting_members": "会議体の構成員",
    "other_actions": "その他取り組み事項",
    "other_actions_start_year": "その他取り組み事項の開始年度",
    "hospital_other_actions": "積極的医療機関のその他取り組み事項",
    "hospital_other_actions_start_year": "積極的医療機関のその他取り組み事項の開始年度",
}
# The actions outside the menus (seed 004, 4-① and 4-②): (text field, its start year field).
OTHER_ACTIONS = (
    ("other_actions", "other_actions_start_year"),
    ("hospital_other_actions", "hospital_other_actions_start_year"),
)
LINE_FIELDS = {
    "wish": "補助の希望",
    "planned_actions": "取り組み事項",
    "start_year": "開始年度",
    "trainees": "受講者数",
    "half_days": "半日数",
    "months": "月数",
    "other_income": "寄付金その他の収入",
}


# plan["hospital_menus"] (subsidies/applications/hospital_counts.py): {menu code: these}
HOSPITAL_COUNT_FIELDS = {
    "hospital_count": "補助希望の医療機関数",
    "planned_actions": "取り組み事項",
}


def line_key(menu_code: str, designation_id: int | None) -> str:
    return menu_code if designation_id is None else f"{menu_code}@{designation_id}"


def start_year_label(year: int | None) -> str:
    """2026 → R8〜 (seed 004's wording)."""
    if not year:
        return ""
    return f"R{year - 2018}〜"


def _show(field: str, value) -> str:
    if value is None or value == "":
        return "（空欄）"
    if field == "wish":
        return "○" if value else "（空欄）"
    if field == "start_year" or field.endswith("_start_year"):
        return start_year_label(value)
    if field in ("other_income",) or field.startswith("expense:"):
        return f"{int(value):,}円"
    if field == "hospital_count":
        return f"{int(value):,}か所"
    return str(value)


def flatten(
    plan: dict, line_labels: dict[str, str], category_names: dict[str, str]
) -> dict[str, tuple[str, str]]:
    """{stable key: (Japanese label, shown value)} for every field of the plan."""
    flat: dict[str, tuple[str, str]] = {}
    for field, label in APPLICATION_FIELDS.items():
        flat[field] = (label, _show(field, plan.get(field)))
    for key, line in plan.get("lines", {}).items():
        name = line_labels.get(key, key)
        for field, label in LINE_FIELDS.items():
            flat[f"{key}/{field}"] = (f"{name}／{label}", _show(field, line.get(field)))
        for code, amount in sorted(line.get("expenses", {}).items()):
            if amount:
                flat[f"{key}/expense:{code}"] = (
                    f"{name}／{category_names.get(code, code)}",
                    _show("expense:", amount),
                )
    for code, data in plan.get("hospital_menus", {}).items():  # form 4-② as counts
        name = line_labels.get(code, code)
        for field, label in HOSPITAL_COUNT_FIELDS.items():
            flat[f"hospital_menus/{code}/{field}"] = (
                f"{name}／{label}",
                _show(field, data.get(field)),
            )
    return flat


def diff(before: dict, after: dict, line_labels, category_names) -> list[tuple[str, str, str]]:
    """[(label, before, after)] for every field that differs, in the plan's order."""
    old = flatten(before, line_labels, category_names)
    new = flatten(after, line_labels, category_names)
    rows = []
    for key in list(old) + [k for k in new if k not in old]:
        label = (new.get(key) or old.get(key))[0]
        was = old.get(key, (label, "（空欄）"))[1]
        now = new.get(key, (label, "（空欄）"))[1]
        if was != now:
            rows.append((label, was, now))
    return rows


def fiscal_label(year: int) -> str:
    return fiscal_year_label(year)
