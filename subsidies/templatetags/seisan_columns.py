"""``{% seisan_columns as columns %}``: the 精算額調's columns A〜J (subsidies/results/columns.py)
for the templates that print them, so a header is never typed twice."""

from django import template

from subsidies.results import columns as seisan

register = template.Library()


@register.simple_tag
def seisan_columns(letters: str = seisan.LETTERS) -> dict[str, seisan.SeisanColumn]:
    """The columns by letter, in A〜J order: ``columns.A.heading`` or a loop over
    ``columns.values``; ``letters`` keeps a subset (the PDF prints "ABDEGHJ")."""
    return {letter: seisan.column(letter) for letter in letters}
