"""The plan form's HTML (templates/subsidies/applications/_plan_form.html): rendered apart
from the page so an unchanged plan's form is kept (issue 21, ADR 0018; the key is
form_key), with the request's CSRF token put in by edit_page."""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from subsidies.applications import hospital_lines, reading
from subsidies.applications.forms import PlanForm
from subsidies.applications.rules import plan_warnings
from zaitaku_portal import figures


def form_groups(application, form: PlanForm, view) -> list[dict]:
    """The plan page's groups, each row with its bound fields."""
    groups = view.groups()
    for group in groups:
        for row in group["rows"]:
            if row["key"] not in form.line_fields:  # a picked hospital's: a summary here
                continue
            names = form.line_fields[row["key"]]["fields"]
            prefix = form.line_fields[row["key"]]["prefix"]
            row["f"] = {name.removeprefix(prefix): form[name] for name in names}
            row["expense_fields"] = form.expense_bound_fields(row["key"])
            row["label_prefix"] = f"{reading.label_of(row['line'])}："
        # A hospital's lines fold away unless it is asked for or has an error: an area of
        # 36 hospitals gives 200 and more lines, most of them not wished for.
        group["wished"] = sum(1 for row in group["rows"] if row["data"].get("wish"))
        group["has_errors"] = any(
            form[name].errors
            for row in group["rows"]
            for name in form.line_fields.get(row["key"], {}).get("fields", [])
        )
        group["open"] = (
            not group["designation"]
            or application.is_hospital_application  # its one group: its own lines
            or group["wished"]
            or group["has_errors"]
        )
    return groups


# What the plan form's HTML has in place of each CSRF token: the form is rendered without the
# request (it may be served to another session), the page puts the request's token there.
_CSRF_MARK = "csrf-token-of-the-request"


def _csrf_input(token: str) -> str:
    """{% csrf_token %}'s tag: replaced whole, so a plan's text reading like the mark stays."""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)


def form_key(request, application) -> tuple:
    """What the plan form's HTML is made of besides the catalogue and the hospitals (their
    stamps): the plan as saved (every writer of the plan or its lines counts the version under
    the application's lock; any other save of the row moves updated_at), its status, who
    edits (a hub's coordinator or a hospital's contact), today (the start years offered), and
    the code that renders it."""
    return (
        application.pk,
        application.version,
        application.updated_at.isoformat(),
        application.status,
        request.user.role,
        timezone.localdate().isoformat(),
        figures.release(),
    )


def form_html(application, form=None, lines=None, plan=None) -> str:
    """The plan form (templates/subsidies/applications/_plan_form.html): the saved plan when
    `form` is None, else the bound form with its errors."""
    if form is None:
        lines = reading.lines_of(application)
        plan = reading.current_plan(application, lines)
        form_lines = hospital_lines.form_lines(application, lines)
        form = PlanForm(None, application=application, lines=form_lines, plan=plan)
    view = reading.plan_view(application, plan, lines)
    groups = form_groups(application, form, view)
    picks = hospital_lines.picks_hospitals(application)
    line_html(application, form, groups)
    return render_to_string(
        "subsidies/applications/_plan_form.html",
        {
            "application": application,
            "form": form,
            "view": view,
            "groups": hospital_lines.annotate_groups(groups, view.lines),
            "warnings": plan_warnings(view),
            # setting (a): the hub picks the hospitals it plans for (issue 18)
            "picks_hospitals": picks,
            "addable": hospital_lines.addable(application, lines) if picks else [],
            "csrf_token": _CSRF_MARK,
        },
    )


def edit_page(request, application, html: str):
    token = _csrf_input(get_token(request))
    plan_form = mark_safe(html.replace(_csrf_input(_CSRF_MARK), token))  # noqa: S308 - rendered HTML
    return render(
        request,
        "subsidies/applications/edit.html",
        {"application": application, "plan_form": plan_form},
    )


LINE_TEMPLATE = "subsidies/applications/_plan_line.html"


def line_html(application, form: PlanForm, groups: list[dict]) -> None:
    """Each line's fieldset (row["html"], templates/subsidies/applications/_plan_line.html).
    A saved plan's form (unbound) keeps each line's HTML by what it is made of: the line's
    data and computed amount, its place and label in the form, the year, today (the start
    years offered), the catalogue's and the hospitals' stamps and the code that renders it.
    A save that changes a few lines renders those again and takes the rest as they were (a
    plan of 223 lines; issue 21). A form shown again with errors renders every line."""
    rows = [(group, row) for group in groups for row in group["rows"] if "f" in row]

    def render(group, row) -> str:
        context = {"row": row, "group": group, "application": application}
        return render_to_string(LINE_TEMPLATE, context)

    topics = (figures.CATALOGUE, figures.COVERAGE)
    if form.is_bound or figures.max_age() <= 0 or any(map(figures.pending, topics)):
        for group, row in rows:
            row["html"] = render(group, row)
        return
    made_of = (
        figures.release(),
        figures.stamps(topics),
        timezone.localdate().isoformat(),
        application.pk,
        application.fiscal_year_id,
    )
    keys = [_line_key(made_of, form, group, row) for group, row in rows]
    found = cache.get_many(keys)
    new = {}
    for key, (group, row) in zip(keys, rows, strict=True):
        row["html"] = found.get(key)
        if row["html"] is None:
            row["html"] = new[key] = render(group, row)
    if new:
        cache.set_many(new, figures.max_age())


def _line_key(made_of: tuple, form: PlanForm, group: dict, row: dict) -> str:
    parts = (
        made_of,
        group["key"],
        group["name"],
        form.line_fields[row["key"]]["prefix"],
        row["key"],
        row["label_prefix"],
        sorted(row["data"].items()),
        row["amount"],
        row["start_year_label"],
    )
    return "figures:plan-line:" + hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
