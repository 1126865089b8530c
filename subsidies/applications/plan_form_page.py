"""The plan form's HTML (templates/subsidies/applications/_plan_form.html): rendered apart
from the page so an unchanged plan's form is kept (issue 21, ADR 0018; the key is
form_key), with the request's CSRF token put in by edit_page."""

from __future__ import annotations

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
