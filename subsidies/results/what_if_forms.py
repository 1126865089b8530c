"""The what-if form of the budget page (資金シミュレーション): a scratch copy of the catalogue,
per menu its cap, per-district multiplier and rate (parse_rate reads 1/2, ２/３ or 10/10).
Split out of forms.py; subsidies/budget/views.py shows it, what_if.py computes with it."""

from __future__ import annotations

import re
from fractions import Fraction

from django import forms

from subsidies.results.what_if import MenuChange
from zaitaku_portal.bounds import YenField, bounded_text, number_text, shown
from zaitaku_portal.form_fields import PortalForm

RATE = re.compile(r"([0-9]{1,3})/([0-9]{1,3})")


def parse_rate(text: str, label: str) -> Fraction:
    """1/2, ２/３ or 10/10 (half- or full-width digits, at most three each)."""
    cleaned = number_text(text).replace(" ", "")
    if cleaned in ("10/10", "1"):
        return Fraction(1)
    match = RATE.fullmatch(cleaned)
    if not match or int(match.group(2)) == 0:
        raise forms.ValidationError(
            f"「{label}」は 1/2・2/3・10/10 のような分数で入力してください（入力: {shown(text)}）。"
        )
    rate = Fraction(int(match.group(1)), int(match.group(2)))
    if not 0 < rate <= 1:
        raise forms.ValidationError(
            f"「{label}」は0より大きく1以下にしてください（入力: {shown(text)}）。"
        )
    return rate


class WhatIfForm(PortalForm):
    """A scratch copy of the catalogue: per menu, cap, per-district multiplier and rate."""

    def __init__(self, *args, menus, **kwargs):
        super().__init__(*args, **kwargs)
        self.menus = list(menus)
        self.rows = []
        for menu in self.menus:
            cap = f"cap{menu.pk}"
            district = f"district{menu.pk}"
            rate = f"rate{menu.pk}"
            self.fields[cap] = YenField(label=f"{menu.name} 上限額")
            self.fields[district] = forms.BooleanField(
                label=f"{menu.name} 区割り数を乗じる", required=False
            )
            self.fields[rate] = bounded_text(f"{menu.name} 補助率", 20)
            for name in (cap, district, rate):
                self.fields[name].widget.attrs["aria-label"] = self.fields[name].label
            self.initial.setdefault(cap, menu.cap_amount or "")
            self.initial.setdefault(district, menu.cap_unit == "per_district")
            self.initial.setdefault(rate, menu.rate_label)
            self.rows.append((menu, self[cap], self[district], self[rate]))

    def clean(self):
        data = super().clean()
        for menu in self.menus:
            name = f"rate{menu.pk}"
            if data.get(name):
                try:
                    data[name] = parse_rate(data[name], f"{menu.name} 補助率")
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return data

    def changes(self) -> dict[int, MenuChange]:
        data = self.cleaned_data
        result = {}
        for menu in self.menus:
            cap = data.get(f"cap{menu.pk}")
            rate = data.get(f"rate{menu.pk}")
            result[menu.pk] = MenuChange(
                cap_amount=cap if cap else None,
                per_district=bool(data.get(f"district{menu.pk}")),
                rate=rate if isinstance(rate, Fraction) else None,
            )
        return result
