"""A field in error says so beside its input (zaitaku_portal/form_fields.py, issue 20): the
input is aria-invalid and described by the element holding its message, which is printed
once, whether the field is rendered alone or the whole form by Django's templates."""

from django import forms

from zaitaku_portal.bounds import YenField
from zaitaku_portal.form_fields import PortalForm


class AmountForm(PortalForm):
    amount = YenField(label="交付決定額")
    note = forms.CharField(label="備考", required=False)


def test_the_field_in_error_carries_its_message_and_points_at_it():
    form = AmountForm({"amount": "十万円", "note": "x"})
    assert not form.is_valid()
    html = str(form["amount"])
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_amount_error"' in html
    assert '<span class="field-error" id="id_amount_error"><span>' in html
    assert "「交付決定額」は円単位の0以上の整数で入力してください（入力: 十万円）。" in html
    assert "field-error" not in str(form["note"])  # a field without error is unchanged


def test_full_width_digits_and_commas_are_an_amount_not_an_error():
    form = AmountForm({"amount": "１，２３４，０００円"})
    assert form.is_valid() and form.cleaned_data["amount"] == 1_234_000
    assert "field-error" not in str(form["amount"])


def test_a_whole_form_template_prints_the_message_once():
    form = AmountForm({"amount": "abc"})
    form.is_valid()
    for html in (form.as_p(), form.as_div()):
        assert html.count('id="id_amount_error"') == 1
        assert html.count("円単位の0以上の整数で入力してください") == 1
    # and the field alone again prints it beside the input
    assert 'id="id_amount_error"' in str(form["amount"])
