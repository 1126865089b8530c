"""The fast renderer prints exactly what Django's widget templates print."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from zaitaku_portal.form_renderer import PortalFormRenderer

VALUES = [None, "", "0", 0, 1_060_000, "甲拠点", "<b>\"&'</b>", mark_safe("<i>safe</i>"), True]
ATTRS = [
    {},
    {"class": "yen", "min": 0, "step": 1000},
    {"required": True, "disabled": False, "aria-describedby": "help-1"},
    {"data-x": '"quoted" & <tag>', "title": mark_safe("a&amp;b")},
    {"autocomplete": "off", "inputmode": "numeric", "checked": True},
]
WIDGETS = [
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.HiddenInput,
    forms.PasswordInput,
    forms.CheckboxInput,
    forms.DateInput,
    forms.Textarea,
]


@pytest.mark.parametrize("widget_class", WIDGETS, ids=lambda w: w.__name__)
def test_every_value_and_attribute_renders_as_the_templates_do(widget_class):
    fast, slow = PortalFormRenderer(), DjangoTemplates()
    for value in [*VALUES, datetime.date(2026, 4, 1)]:
        for attrs in ATTRS:
            widget = widget_class(attrs=attrs)
            if widget_class is forms.PasswordInput:
                widget = forms.PasswordInput(attrs=attrs, render_value=True)
            expected = widget.render("field-name", value, attrs={"id": "id_x"}, renderer=slow)
            actual = widget.render("field-name", value, attrs={"id": "id_x"}, renderer=fast)
            assert actual == expected, (widget_class.__name__, value, attrs)


@pytest.mark.parametrize("value", [None, "", "b", 2026, ["a", "b"]], ids=repr)
def test_selects_render_as_the_templates_do(value):
    choices = [
        ("", "---------"),
        ("a", "甲"),
        ("b", "乙 & <丙>"),
        (2026, "令和8年度"),
        ("グループ", [("c", '"引用"'), ("d", mark_safe("<b>太字</b>"))]),
    ]
    for widget in (
        forms.Select(choices=choices),
        forms.Select(choices=choices, attrs={"required": True, "aria-invalid": "true"}),
        forms.SelectMultiple(choices=choices),
        *([] if isinstance(value, list) else [forms.NullBooleanSelect()]),
    ):
        for attrs in ATTRS:
            expected = widget.render("x", value, attrs=attrs, renderer=DjangoTemplates())
            actual = widget.render("x", value, attrs=attrs, renderer=PortalFormRenderer())
            assert actual == expected, (widget, value, attrs)


def test_other_widgets_still_use_the_templates():
    choices = [("a", "甲"), ("b", "乙 & <丙>")]
    for widget in (
        forms.RadioSelect(choices=choices),
        forms.CheckboxSelectMultiple(choices=choices),
        forms.ClearableFileInput(),
    ):
        assert widget.render("x", "b", renderer=PortalFormRenderer()) == widget.render(
            "x", "b", renderer=DjangoTemplates()
        )


@pytest.mark.django_db
def test_a_whole_form_page_is_the_same_with_either_renderer(client, world, settings):
    from tests.subsidies.factories import application_in, catalogue
    from zaitaku_portal.models import Role

    fiscal_year, _ = catalogue()
    coordinator = world.users[Role.HUB_COORDINATOR]
    application = application_in(
        "draft", world.hub_a, fiscal_year, coordinator, world.users[Role.PREFECTURE_STAFF]
    )
    client.force_login(coordinator)
    url = f"/subsidies/applications/{application.pk}/edit/"
    fast = client.get(url).content.decode()
    settings.FORM_RENDERER = "django.forms.renderers.DjangoTemplates"
    slow = client.get(url).content.decode()
    # the hub's own lines and form 4-③ (a hospital's inputs have their own page, issue 18)
    assert fast.count("<input") >= 20
    import difflib
    import re

    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')  # masked anew per request
    fast, slow = token.sub("", fast), token.sub("", slow)
    changed = [
        line
        for line in difflib.unified_diff(slow.splitlines(), fast.splitlines(), lineterm="")
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed == []
