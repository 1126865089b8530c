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


@register.simple_tag
def seisan_step_columns() -> dict[str, seisan.SeisanColumn]:
    """The intermediate steps (columns.py: C′, G1, G2, G3) by a name a template can look up:
    ``steps.bound.heading`` is 「C′ 差引額による限度額」."""
    return {
        "bound": seisan.NET_COST_BOUND,
        "rated": seisan.RATED_AMOUNT,
        "rated_within_base": seisan.RATED_WITHIN_BASE,
        "within_decided": seisan.WITHIN_DECIDED,
    }
