"""``{{ row.menu|menu_reference }}``: a menu's 取り組み例・求められる事項・対象経費 (the
catalogue's text, templates/subsidies/applications/_menu_reference.html) beside each line of
a plan form. The HTML depends on the menu alone, so it is rendered once per menu object: the
menus a process keeps while the catalogue is unchanged (reading.menus_of) render it once, and
a plan form of 223 lines renders the year's 20-odd menus' instead of 223 (issue 21). With the
figures cache off, or after the catalogue changes, the menus are read again: new objects."""

from django import template
from django.template.loader import render_to_string

register = template.Library()

TEMPLATE = "subsidies/applications/_menu_reference.html"


@register.filter
def menu_reference(menu) -> str:
    html = menu.__dict__.get("_reference_html")
    if html is None:
        html = menu.__dict__["_reference_html"] = render_to_string(TEMPLATE, {"menu": menu})
    return html
