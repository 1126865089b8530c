"""Catalogue services: loading and copying a fiscal year, confirming its catalogue (調整中 →
確定), freezing it when a decision uses it, changing a cap with an audit entry."""

from django.db import transaction
from django.utils import timezone

from subsidies.catalogue.choices import CatalogueStatus
from subsidies.models import FiscalYear, SubsidyMenu
from zaitaku_portal import audit
from zaitaku_portal.access import can_manage_master_data


class CatalogueError(Exception):
    """A catalogue operation refused, with a Japanese message for the user."""


CATALOGUE_PAGE_TITLE = "補助メニュー"  # templates/subsidies/catalogue/catalogue.html's title
CATALOGUE_URL_NAME = "subsidies:catalogue"  # args: the fiscal year's year


def catalogue_refusal(fiscal_year: FiscalYear) -> str | None:
    """The Japanese message refusing a decision while the year's caps are 調整中 (None once
    確定). It says where they are confirmed: the 補助メニュー page of that year."""
    if fiscal_year.catalogue_confirmed:
        return None
    from django.urls import reverse

    url = reverse(CATALOGUE_URL_NAME, args=[fiscal_year.year])
    return (
        f"{fiscal_year}の補助メニューは上限額が調整中のため、交付決定はできません。"
        f"県の職員が「{CATALOGUE_PAGE_TITLE}（{fiscal_year}）」の画面（{url}）で"
        "補助メニューを確定してから決定してください。"
    )


@transaction.atomic
def copy_fiscal_year(source: FiscalYear, year: int, actor) -> FiscalYear:
    """A new fiscal year starts as a copy of an earlier one: rule settings, requirement
    items and menus with caps, unfrozen, 調整中 (its caps are confirmed again) and marked
    with its source."""
    if FiscalYear.objects.filter(year=year).exists():
        from zaitaku_portal.wareki import fiscal_year_label

        raise CatalogueError(f"{fiscal_year_label(year)}は既に登録されています。")
    target = FiscalYear.objects.create(
        year=year,
        catalogue_source=f"{source}から複写",
        catalogue_status=CatalogueStatus.DRAFT,  # the copy's caps are set again: 調整中
        budget_amount=source.budget_amount,
        cap_rate_order=source.cap_rate_order,
        rounding_unit=source.rounding_unit,
        rounding_level=source.rounding_level,
        other_income_level=source.other_income_level,
        hospital_plan_form=source.hospital_plan_form,  # form 4-② (issue 23)
    )
    item_map = {}
    for item in source.requirement_items.all():
        old_pk = item.pk
        item.pk = None
        item.fiscal_year = target
        item.save()
        item_map[old_pk] = item
    for menu in source.menus.prefetch_related("requirement_items", "expense_categories"):
        items = [item_map[i.pk] for i in menu.requirement_items.all()]
        categories = list(menu.expense_categories.all())
        menu.pk = None
        menu.fiscal_year = target
        menu._prefetched_objects_cache = {}  # else set() sees the source's rows as present
        menu.save()
        menu.requirement_items.set(items)
        menu.expense_categories.set(categories)
    audit.record(actor, "年度の複写", target, {"複写元": str(source)})
    return target


def catalogue_gaps(fiscal_year: FiscalYear) -> list[str]:
    """What stops confirming: each menu that needs a cap and has none (or a 月額 cap
    without its number of months), as '連携の拠点「…」' for the message."""
    return [
        f"{menu.get_recipient_type_display()}「{menu.name}」"
        for menu in fiscal_year.menus.order_by("recipient_type", "display_order", "pk")
        if menu.missing_cap()
    ]


@transaction.atomic
def confirm_catalogue(fiscal_year: FiscalYear, actor) -> FiscalYear:
    """調整中 → 確定: the caps are final and decisions may use them. Prefecture staff only;
    records who and when, audited. Refuses when already confirmed or when a menu lacks a
    cap it needs. Returns the fiscal year as stored."""
    allowed = can_manage_master_data(actor)
    if not allowed:
        raise CatalogueError(f"補助メニューの確定は県職員のみが行えます。{allowed.reason}")
    locked = FiscalYear.objects.select_for_update().get(pk=fiscal_year.pk)
    if locked.catalogue_confirmed:
        raise CatalogueError(
            f"{locked}の補助メニューは既に確定しています（{locked.catalogue_state_label()}）。"
        )
    gaps = catalogue_gaps(locked)
    if gaps:
        raise CatalogueError(
            f"{locked}の補助メニューは確定できません。上限額が入力されていないメニューがあります："
            f"{'、'.join(gaps)}。上限額を入力するか、「独自の上限なし（他のメニューの中で実施）」"
            "を選んでください。"
        )
    locked.catalogue_status = CatalogueStatus.CONFIRMED
    locked.catalogue_confirmed_at = timezone.now()
    locked.catalogue_confirmed_by = actor
    locked.save(
        update_fields=["catalogue_status", "catalogue_confirmed_at", "catalogue_confirmed_by"]
    )
    audit.record(
        actor,
        "補助メニューの確定",
        locked,
        {
            "補助メニューの状態": {
                "from": CatalogueStatus.DRAFT.label,
                "to": CatalogueStatus.CONFIRMED.label,
            }
        },
    )
    return locked


def freeze_catalogue(fiscal_year: FiscalYear, actor, reason: str) -> None:
    """Called when a decision first uses the catalogue: caps and rates are frozen from then."""
    if fiscal_year.catalogue_frozen:
        return
    fiscal_year.catalogue_frozen_at = timezone.now()
    fiscal_year.save(update_fields=["catalogue_frozen_at"])
    audit.record(actor, "上限額・補助率の固定（交付決定に使用）", fiscal_year, reason=reason)


def cap_changes(menu: SubsidyMenu) -> dict[str, dict[str, object]]:
    """{field label: {"from": old, "to": new}} for the cap fields about to change."""
    if not menu.pk:
        return {}
    stored = SubsidyMenu.objects.filter(pk=menu.pk).values(*SubsidyMenu.CAP_FIELDS).first() or {}
    return {
        str(menu._meta.get_field(name).verbose_name): {
            "from": stored.get(name),
            "to": getattr(menu, name),
        }
        for name in menu.changed_cap_fields()
    }


CATALOGUE_DIR = "fixtures/catalogues"


def _read_json(path):
    import json

    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


MENU_FLAGS = ("cap_within_other_menus", "requires_beds", "targets_non_enhanced")


def _lines(value) -> str:
    """A text field of a catalogue file: one string, or a list of lines (● lines, 取り組み例)."""
    if isinstance(value, list):
        return "\n".join(value)
    return value or ""


@transaction.atomic
def load_catalogue_file(path, actor=None) -> FiscalYear:
    """Load one catalogue file of fixtures/catalogues/ (the fiscal year, its rule and state,
    the national requirement items with this catalogue's 補助対象外 actions, and the menus).
    Loading the same file again changes nothing."""
    from pathlib import Path

    path = Path(path)
    data = _read_json(path)
    load_expense_categories(path.parent / "expense_categories.json")
    status = CatalogueStatus(data["catalogue_status"])
    fiscal_year, created = FiscalYear.objects.get_or_create(
        year=data["fiscal_year"],
        defaults={
            "catalogue_source": data["catalogue_source"],
            "catalogue_status": status,
            "catalogue_confirmed_at": timezone.now()
            if status == CatalogueStatus.CONFIRMED
            else None,
            "catalogue_confirmed_by": actor if getattr(actor, "pk", None) else None,
            "budget_amount": data["budget_amount"],
            **data["rule"],
        },
    )
    if not created:
        return fiscal_year
    item_by_key = _load_requirement_items(fiscal_year, path.parent, data.get("not_subsidised", []))
    from subsidies.models import ExpenseCategory

    categories = {c.name: c for c in ExpenseCategory.objects.all()}
    for order, spec in enumerate(data["menus"], start=1):
        menu = SubsidyMenu.objects.create(
            fiscal_year=fiscal_year,
            recipient_type=spec["recipient_type"],
            code=spec["code"],
            display_order=order,
            name=spec["name"],
            examples=_lines(spec.get("examples")),
            promotion_items=spec.get("promotion_items", []),
            promotion_examples=_lines(spec.get("promotion_examples")),
            expense_note=spec.get("expense_note", ""),
            cap_amount=spec["cap_amount"],
            cap_unit=spec["cap_unit"],
            max_units=spec.get("max_units"),
            rate_numerator=spec.get("rate", [1, 1])[0],
            rate_denominator=spec.get("rate", [1, 1])[1],
            once_per_facility_scope=spec.get("once_per_facility_scope", "ever"),
            note=_lines(spec.get("note")),
            **{flag: spec.get(flag, False) for flag in MENU_FLAGS},
        )
        menu.full_clean(exclude=["fiscal_year"])  # a typo in a code or a flag stops the load
        menu.requirement_items.set(
            [item_by_key[(spec["recipient_type"], n)] for n in spec["requirement_items"]]
        )
        menu.expense_categories.set([categories[name] for name in spec["expense_categories"]])
    audit.record(actor, "補助メニューの読込", fiscal_year, {"ファイル": path.name})
    return fiscal_year


def _load_requirement_items(fiscal_year, directory, not_subsidised) -> dict:
    """The national requirement items for the year; an item this catalogue does not fund
    carries the catalogue's own action name and examples (shown as 補助対象外)."""
    from subsidies.models import RequirementItem

    actions = {(a["recipient_type"], a["number"]): a for a in not_subsidised}
    items = _read_json(directory / "requirement_items.json")
    item_by_key = {}
    for recipient_type in ("hub", "hospital"):
        for item in items[recipient_type]:
            action = actions.get((recipient_type, item["number"]), {})
            item_by_key[(recipient_type, item["number"])] = RequirementItem.objects.create(
                fiscal_year=fiscal_year,
                recipient_type=recipient_type,
                action_name=action.get("action_name", ""),
                action_examples=_lines(action.get("action_examples")),
                **item,
            )
    return item_by_key


def load_expense_categories(path) -> None:
    from subsidies.models import ExpenseCategory

    for order, spec in enumerate(_read_json(path), start=1):
        ExpenseCategory.objects.update_or_create(
            code=spec["code"], defaults={"name": spec["name"], "display_order": order}
        )
