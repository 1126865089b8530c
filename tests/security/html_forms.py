"""The forms of an HTML page as a browser would submit them: what the fuzz tests post.

Only the standard library's parser: every <form> with its method, action and the fields a
browser would send (checked boxes and radios, selected options, textareas), plus the name of
every field a person could fill in, so each can be replaced in turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

NOT_SENT = {"submit", "button", "reset", "image", "file"}


@dataclass
class Form:
    method: str
    action: str
    values: list[tuple[str, str]] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # every field that can be filled in
    typed: list[str] = field(default_factory=list)  # the <input>s a number can be typed in
    has_file: bool = False

    def data(self, replace: str | None = None, value: str = "") -> dict[str, list[str]]:
        """The submission with every value of `replace` swapped for `value`."""
        data: dict[str, list[str]] = {}
        for name, current in self.values:
            data.setdefault(name, []).append(value if name == replace else current)
        if replace is not None and replace not in data:
            data[replace] = [value]
        return data


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_options: list[tuple[str, bool]] = []
        self._option: tuple[str | None, bool] | None = None
        self._option_text = ""
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = {key: (value if value is not None else "") for key, value in attrs}
        if tag == "form":
            self._form = Form(attrs.get("method", "get").lower(), attrs.get("action", ""))
            self.forms.append(self._form)
        if self._form is None:
            return
        if tag == "input":
            self._input(attrs)
        elif tag == "textarea" and attrs.get("name"):
            self._textarea, self._text = attrs["name"], ""
        elif tag == "select" and attrs.get("name"):
            self._select, self._select_options = attrs["name"], []
        elif tag == "option" and self._select is not None:
            self._option, self._option_text = (attrs.get("value"), "selected" in attrs), ""

    def _input(self, attrs):
        name, kind = attrs.get("name"), attrs.get("type", "text").lower()
        if not name:
            return
        if kind == "file":
            self._form.has_file = True
            return
        if kind in NOT_SENT:
            return
        if kind == "hidden" or name not in self._form.names:
            self._form.names.append(name)
        if kind not in ("checkbox", "radio") and name not in self._form.typed:
            self._form.typed.append(name)
        if kind in ("checkbox", "radio"):
            if "checked" in attrs:
                self._form.values.append((name, attrs.get("value", "on") or "on"))
            return
        self._form.values.append((name, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data
        if self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.names.append(self._textarea)
            self._form.values.append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value, selected = self._option
            self._select_options.append(
                (value if value is not None else self._option_text.strip(), selected)
            )
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            chosen = [v for v, selected in self._select_options if selected]
            if not chosen and self._select_options:
                chosen = [self._select_options[0][0]]
            self._form.names.append(self._select)
            self._form.values.extend((self._select, v) for v in chosen)
            self._select = None


def forms_of(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms
