"""Forms whose fields carry their own error (issue 20): the list at the top of the page says
what went wrong, and each field in error says it again beside the input, where the eye and
the screen reader are. Django already marks the input aria-invalid="true" and points its
aria-describedby at `<id>_error`; this prints the element with that id right after the
input, so the pointer is never left dangling.

A form rendered whole by Django's templates (`as_p`, `as_div`) prints its own error lists
with that id: the field then leaves it to them."""

from __future__ import annotations

from django import forms
from django.forms.boundfield import BoundField
from django.utils.html import format_html, format_html_join


class FieldWithError(BoundField):
    def __str__(self):
        widget = super().__str__()
        if not self.errors or self.is_hidden or getattr(self.form, "_rendering_whole", 0):
            return widget
        return format_html(
            '{}<span class="field-error"{}>{}</span>',
            widget,
            format_html(' id="{}_error"', self.auto_id) if self.auto_id else "",
            format_html_join("", "<span>{}</span>", ((error,) for error in self.errors)),
        )


class ErrorsBesideFields:
    """The portal's forms: errors beside the fields they belong to."""

    bound_field_class = FieldWithError

    _rendering_whole = 0  # nested: Django renders each label through form.render too

    def render(self, *args, **kwargs):
        self._rendering_whole += 1
        try:
            return super().render(*args, **kwargs)
        finally:
            self._rendering_whole -= 1


class PortalForm(ErrorsBesideFields, forms.Form):
    """A plain form of the portal."""


class PortalModelForm(ErrorsBesideFields, forms.ModelForm):
    """A model form of the portal (the 要綱 settings, the area's records)."""
