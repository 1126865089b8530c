"""Form 4-② as seed 004 lays it out: the hub asks the active hospitals of its area and writes,
per hospital menu, how many wish to apply (補助希望の医療機関数) and what they will do
(取り組み事項). Which form 4-② a plan uses is the fiscal year's `hospital_plan_form`:

- "lines" (LINES): one line per hospital and menu, the hub applying for them (MenuPlan rows
  with a designation; the workbook's sheet 「4-②積極的医療機関」);
- "counts" (COUNTS): these rows, one per hospital menu of the year (the workbook's sheet
  「4-②医療機関数」, subsidies/applications/excel_counts.py). They carry no money: the
  hospitals' amounts come with their own lines or applications (issue 18).

In the plan as plain data (plan_data.py) they are `plan["hospital_menus"]`:
{menu code: {"hospital_count": int | None, "planned_actions": str}}, present only under
COUNTS, so a plan under LINES is exactly what it was."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models

from zaitaku_portal import bounds

LINES = "lines"
COUNTS = "counts"
HOSPITAL_MENUS = "hospital_menus"  # the plan's key


class HospitalMenuCount(models.Model):
    application = models.ForeignKey(
        "subsidies.Application",
        verbose_name="申請",
        on_delete=models.CASCADE,
        related_name="hospital_menu_counts",
    )
    menu = models.ForeignKey(
        "subsidies.SubsidyMenu", verbose_name="補助メニュー", on_delete=models.PROTECT
    )
    hospital_count = models.PositiveIntegerField(
        "補助希望の医療機関数",
        null=True,
        blank=True,
        validators=[MaxValueValidator(bounds.PEOPLE_MAX)],
    )
    planned_actions = models.TextField("取り組み事項", blank=True, max_length=bounds.TEXT)

    class Meta:
        app_label = "subsidies"
        ordering = ["application", "menu__display_order", "menu__pk"]
        verbose_name = "補助希望の医療機関数（資料4-②）"
        verbose_name_plural = "補助希望の医療機関数（資料4-②）"
        constraints = [
            models.UniqueConstraint(
                fields=["application", "menu"], name="one_hospital_count_per_menu"
            )
        ]

    def __str__(self) -> str:
        return f"{self.menu}（{self.hospital_count or 0}か所）"


def form_of(fiscal_year) -> str:
    return fiscal_year.hospital_plan_form or LINES


def hospital_menus(fiscal_year):
    from subsidies.catalogue.models import SubsidyMenu

    return SubsidyMenu.objects.filter(fiscal_year=fiscal_year, recipient_type="hospital").order_by(
        "display_order", "pk"
    )


def plan_part(application) -> dict:
    """{"hospital_menus": {...}} under COUNTS (every hospital menu of the year, blank where
    nothing is stored yet); {} under LINES, without a query."""
    if form_of(application.fiscal_year) != COUNTS:
        return {}
    stored = {row.menu_id: row for row in application.hospital_menu_counts.all()}
    part = {}
    for menu in hospital_menus(application.fiscal_year):
        row = stored.get(menu.pk)
        part[menu.code] = {
            "hospital_count": row.hospital_count if row else None,
            "planned_actions": row.planned_actions if row else "",
        }
    return {HOSPITAL_MENUS: part}


def labels(application) -> dict[str, str]:
    """The diff's words for each hospital menu of plan["hospital_menus"] ({} under LINES)."""
    if form_of(application.fiscal_year) != COUNTS:
        return {}
    return {
        menu.code: f"積極的医療機関（{menu.name}）"
        for menu in hospital_menus(application.fiscal_year)
    }


def write(application, plan: dict) -> None:
    """Store plan["hospital_menus"] (a plan without it leaves the rows as they are)."""
    if HOSPITAL_MENUS not in plan:
        return
    menus = {menu.code: menu for menu in hospital_menus(application.fiscal_year)}
    for code, data in plan[HOSPITAL_MENUS].items():
        if code not in menus:
            continue
        HospitalMenuCount.objects.update_or_create(
            application=application,
            menu=menus[code],
            defaults={
                "hospital_count": data.get("hospital_count"),
                "planned_actions": data.get("planned_actions") or "",
            },
        )
