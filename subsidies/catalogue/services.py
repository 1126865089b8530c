"""Catalogue services: copying a fiscal year, freezing it, changing a cap with an audit entry."""

from django.db import transaction
from django.utils import timezone

from subsidies.models import FiscalYear, SubsidyMenu
from zaitaku_portal import audit


class CatalogueError(Exception):
    """A catalogue operation refused, with a Japanese message for the user."""


@transaction.atomic
def copy_fiscal_year(source: FiscalYear, year: int, actor) -> FiscalYear:
    """A new fiscal year starts as a copy of an earlier one: rule settings, requirement
    items and menus with caps, unfrozen and marked with its source."""
    if FiscalYear.objects.filter(year=year).exists():
        from zaitaku_portal.wareki import fiscal_year_label

        raise CatalogueError(f"{fiscal_year_label(year)}は既に登録されています。")
    target = FiscalYear.objects.create(
        year=year,
        catalogue_source=f"{source}から複写",
        caps_provisional=source.caps_provisional,
        budget_amount=source.budget_amount,
        cap_rate_order=source.cap_rate_order,
        rounding_unit=source.rounding_unit,
        rounding_level=source.rounding_level,
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


def freeze_catalogue(fiscal_year: FiscalYear, actor, reason: str) -> None:
    """Called when a decision first uses the catalogue: caps and rates are frozen from then."""
    if fiscal_year.catalogue_frozen:
        return
    fiscal_year.catalogue_frozen_at = timezone.now()
    fiscal_year.save(update_fields=["catalogue_frozen_at"])
    audit.record(actor, "補助メニューの確定", fiscal_year, reason=reason)


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


@transaction.atomic
def load_catalogue_file(path, actor=None) -> FiscalYear:
    """Load one catalogue file of fixtures/catalogues/ (the fiscal year, its rule, the
    national requirement items and the menus). Loading the same file again changes nothing."""
    from pathlib import Path

    from subsidies.models import ExpenseCategory, RequirementItem

    path = Path(path)
    data = _read_json(path)
    load_expense_categories(path.parent / "expense_categories.json")
    items = _read_json(path.parent / "requirement_items.json")
    fiscal_year, created = FiscalYear.objects.get_or_create(
        year=data["fiscal_year"],
        defaults={
            "catalogue_source": data["catalogue_source"],
            "caps_provisional": data["caps_provisional"],
            "budget_amount": data["budget_amount"],
            **data["rule"],
        },
    )
    if not created:
        return fiscal_year
    item_by_key = {}
    for recipient_type in ("hub", "hospital"):
        for item in items[recipient_type]:
            item_by_key[(recipient_type, item["number"])] = RequirementItem.objects.create(
                fiscal_year=fiscal_year, recipient_type=recipient_type, **item
            )
    categories = {c.name: c for c in ExpenseCategory.objects.all()}
    for order, spec in enumerate(data["menus"], start=1):
        menu = SubsidyMenu.objects.create(
            fiscal_year=fiscal_year,
            recipient_type=spec["recipient_type"],
            code=spec["code"],
            display_order=order,
            name=spec["name"],
            examples=spec.get("examples", ""),
            expense_note=spec.get("expense_note", ""),
            cap_amount=spec["cap_amount"],
            cap_unit=spec["cap_unit"],
            max_units=spec.get("max_units"),
            rate_numerator=spec.get("rate", [1, 1])[0],
            rate_denominator=spec.get("rate", [1, 1])[1],
            note=spec.get("note", ""),
        )
        menu.requirement_items.set(
            [item_by_key[(spec["recipient_type"], n)] for n in spec["requirement_items"]]
        )
        menu.expense_categories.set([categories[name] for name in spec["expense_categories"]])
    audit.record(actor, "補助メニューの読込", fiscal_year, {"ファイル": path.name})
    return fiscal_year


def load_expense_categories(path) -> None:
    from subsidies.models import ExpenseCategory

    for order, spec in enumerate(_read_json(path), start=1):
        ExpenseCategory.objects.update_or_create(
            code=spec["code"], defaults={"name": spec["name"], "display_order": order}
        )
