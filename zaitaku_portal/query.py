"""Query parameters the pages read (?year=, ?area=, ?q= ...), validated in one place.

Decision (issue 12, point 6): a parameter that is present but malformed (digits of another
script, a sign, an exponent, out of its range, too long, a control character) answers 400
with a Japanese page naming the parameter and what it accepts. Silently ignoring it would
show, say, the whole prefecture under a link that asked for one area. An absent or empty
parameter means "not chosen", as before; a well-formed value that matches nothing keeps
each page's own answer (a year without data falls back to the latest, an id outside the
user's scope is 404). Full-width digits (２０２６) are read, as everywhere in the portal."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import BadRequest
from django.shortcuts import render

from zaitaku_portal.bounds import ID_MAX, control_character_in, shown, whole_number


class BadQuery(BadRequest):
    """A malformed query parameter; the message names it (Django answers 400)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def number(request, name: str, label: str, *, minimum: int = 1, maximum: int = ID_MAX):
    """The whole number in ?name=, None when absent or empty, BadQuery when malformed."""
    raw = request.GET.get(name, "")
    if not raw.strip():
        return None
    value = whole_number(raw)
    if value is None or not minimum <= value <= maximum:
        raise BadQuery(
            f"「{label}」（{name}）の指定「{shown(raw)}」が正しくありません。"
            f"{minimum}〜{maximum:,}の数字で指定してください。"
        )
    return value


def text(request, name: str, label: str, *, max_length: int = 100) -> str:
    """The text in ?name=, stripped; BadQuery when too long or holding a control character."""
    raw = request.GET.get(name, "").strip()
    if len(raw) > max_length or control_character_in(raw):
        raise BadQuery(
            f"「{label}」（{name}）は{max_length:,}文字以内の、改行や制御文字を含まない文字で"
            "指定してください。"
        )
    return raw


def refuses_bad_query(view):
    """Render BadQuery as the Japanese 400 page that names the parameter."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadQuery as error:
            return render(request, "query_error.html", {"message": error.message}, status=400)

    return wrapped
