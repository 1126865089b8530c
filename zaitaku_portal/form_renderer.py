"""Form widgets rendered by Python for the plain ones, by Django's templates for the rest.

A plan form at national scale has about 2,800 inputs (223 plan lines, each with its expense
fields); rendering each through `django/forms/widgets/input.html` and `attrs.html` took
most of the page's 1.3 s. The inputs, textareas and selects here print exactly what those templates
print (tests/zaitaku_portal/test_form_renderer.py compares the two on every kind of value);
every other widget, and any template a project overrides, still goes to the templates."""

import html

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise

WIDGETS = "django/forms/widgets/"
INPUTS = frozenset(
    f"{WIDGETS}{name}.html"
    for name in (
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "checkbox",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "input",
    )
)
TEXTAREA = f"{WIDGETS}textarea.html"
SELECT = f"{WIDGETS}select.html"
OPTION = f"{WIDGETS}select_option.html"


def _escape(value) -> str:
    """django.utils.html.conditional_escape without its lazy wrapper and SafeString: the same
    text, about four times faster, which a select of 346 areas notices (the review home)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_escape(name)}")
        if value is not True:
            parts.append(f'="{_escape(value)}"')
    return "".join(parts)


class PortalFormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None and template_name in INPUTS:
            value = widget["value"]
            shown = "" if value is None else f' value="{_escape(value)}"'
            return (
                f'<input type="{_escape(widget["type"])}" '
                f'name="{_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
            )
        if widget is not None and template_name == TEXTAREA:
            value = widget["value"]
            text = _escape(value) if value else ""
            return (
                f'<textarea name="{_escape(widget["name"])}"{_attrs(widget["attrs"])}>'
                f"\n{text}</textarea>"
            )
        if (
            widget is not None
            and template_name == SELECT
            and all(
                option["template_name"] == OPTION
                for _name, options, _index in widget["optgroups"]
                for option in options
            )
        ):
            return self._select(widget)
        return super().render(template_name, context, request=request)

    @staticmethod
    def _select(widget) -> str:
        """select.html and select_option.html, line breaks and indents included."""
        parts = [f'<select name="{_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_escape(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{_escape(option["value"])}"'
                    f"{_attrs(option['attrs'])}>{_escape(option['label'])}</option>\n"
                )  # the option template's file ends with a line break, which is kept
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)
