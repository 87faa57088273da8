"""Writing course files as YAML in one canonical layout, so an export is the same bytes each time.

The layout (docs/course-format.md, "Canonical form"):

- mappings in block style, keys in the order given (the writer builds them in the documented
  field order), indented by two spaces, list items indented under their key (`  - title_en: …`);
- a list of plain values (big ideas, exercise file names, accepted answers) on one line in flow
  style, `[a, b]`, when that line fits in WIDTH characters, else one item per line;
- text on one line after its key when it fits in WIDTH columns, and text with Chinese in it
  always (a line break between Chinese characters would read as a space); longer text folded
  (`>-`) and filled to WIDTH columns at its spaces; text with line breaks (Markdown) as a
  literal block (`|`); plain when YAML allows it, else in double quotes;
- UTF-8 characters as they are (never \\u escapes), no aliases, no document markers.

Whatever the layout, the text always loads back (courses.coursefiles.yaml_loader) to exactly the
data it was made from: `dump` checks that before returning, and a string YAML cannot fold or
keep as a block falls back to double quotes.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import yaml

from courses.coursefiles import yaml_loader

WIDTH = 100
INDENT = 2
_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_BREAKS = "\n\r\x85\u2028\u2029"
# A space between two non-spaces: where folded text may break (a line starting with a space
# would be "more indented" and keep its line break, so only lone spaces are break points).
_BREAK_POINT = re.compile(r"(?<=\S) (?=\S)")


class _Styled(str):
    """A string with the scalar style to try: ">" folded, "|" literal."""

    style: str

    def __new__(cls, value: str, style: str):
        text = super().__new__(cls, value)
        text.style = style
        return text


class _Flow(list):
    """A list written on one line: [a, b]."""


class _Emitter(yaml.emitter.Emitter):
    def choose_scalar_style(self):
        # Double quotes, never single, when a value cannot be plain: "it's" reads better than
        # 'it''s', and the demo courses are written that way.
        style = super().choose_scalar_style()
        return '"' if style == "'" else style

    def write_plain(self, text, split=True):
        # Never wrapped: long text is folded on purpose (above) or, with Chinese, kept whole.
        super().write_plain(text, split=False)

    def write_double_quoted(self, text, split=True):
        super().write_double_quoted(text, split=False)

    def write_folded(self, text):
        # PyYAML breaks a folded line at the first space *after* the width; this fills lines to
        # at most the width instead (a longer word stays whole). Used for one-line text only.
        if any(ch in text for ch in _BREAKS) or not self.best_width:
            return super().write_folded(text)
        hints = self.determine_block_hints(text)
        self.write_indicator(">" + hints, True)
        self.write_line_break()
        room = max(self.best_width - (self.indent or 0), 1)
        line = ""
        for word in _BREAK_POINT.split(text):
            if line and len(line) + 1 + len(word) > room:
                self._write_line(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        self._write_line(line)

    def _write_line(self, data: str) -> None:
        self.write_indent()
        self.column += len(data)
        self.stream.write(data.encode(self.encoding) if self.encoding else data)
        self.write_line_break()


class _Dumper(
    _Emitter,
    yaml.serializer.Serializer,
    yaml.representer.SafeRepresenter,
    yaml.resolver.Resolver,
):
    def __init__(self, stream, **kwargs):
        _Emitter.__init__(
            self,
            stream,
            canonical=False,
            indent=INDENT,
            width=kwargs.get("width", WIDTH),
            allow_unicode=True,
            line_break="\n",
        )
        yaml.serializer.Serializer.__init__(self, encoding=None, explicit_start=False)
        yaml.representer.SafeRepresenter.__init__(
            self, default_style=None, default_flow_style=False, sort_keys=False
        )
        yaml.resolver.Resolver.__init__(self)

    def increase_indent(self, flow=False, indentless=False):
        # List items indented under their key, as people write them.
        return super().increase_indent(flow, False)

    def ignore_aliases(self, data):
        return True


_Dumper.add_representer(
    _Styled, lambda dumper, data: dumper.represent_scalar(_STR, str(data), style=data.style)
)
_Dumper.add_representer(
    _Flow, lambda dumper, data: dumper.represent_sequence(_SEQ, list(data), flow_style=True)
)


def _yaml(data: Any, *, width: int = WIDTH) -> str:
    return yaml.dump(data, Dumper=_Dumper, width=width)


def _one_line(value: Any) -> str:
    """How `value` looks after a key when nothing wraps it: `text`, `"a: b"`, `[a, b]`."""
    return _yaml({"k": value}, width=10**9).removeprefix("k: ").removesuffix("\n")


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def width_of(text: str) -> int:
    """Columns `text` takes in a terminal or an editor: Chinese characters take two."""
    return sum(2 if _is_wide(ch) else 1 for ch in text)


def _is_simple(value: Any) -> bool:
    if isinstance(value, str):
        return not any(ch in value for ch in _BREAKS)
    return value is None or isinstance(value, bool | int | float)


def _styled(value: Any, start: int) -> Any:
    """`value` marked with the styles the layout gives it when it begins at column `start`."""
    if isinstance(value, dict):
        return {key: _entry(key, item, start) for key, item in value.items()}
    if isinstance(value, list):
        return [_styled(item, start + INDENT) for item in value]
    if isinstance(value, str):
        value = str.__str__(value)  # a plain str, also for enum members such as AgeBand.ADULT
        if any(ch in value for ch in _BREAKS):
            return _Styled(value, "|")
        if (
            value == value.strip()
            and _BREAK_POINT.search(value)
            and not any(_is_wide(ch) for ch in value)
            and start + width_of(_one_line(value)) > WIDTH
        ):
            return _Styled(value, ">")
    return value


def _entry(key: str, value: Any, column: int) -> Any:
    """A mapping entry `key: value` whose key is at `column`."""
    after_key = column + len(str(key)) + 2
    if isinstance(value, list):
        if value and all(_is_simple(item) for item in value):
            flow = _Flow(value)
            if after_key + width_of(_one_line(flow)) <= WIDTH:
                return flow
        # Block items: "- " at column + INDENT, the item itself two further in.
        return [_styled(item, column + 2 * INDENT) for item in value]
    if isinstance(value, dict):
        return _styled(value, column + INDENT)
    return _styled(value, after_key)


def dump(data: dict) -> str:
    """`data` (a mapping of plain values) as YAML in the canonical layout.

    ValueError if the text would not load back to the same data (a bug here, not bad data).
    """
    text = _yaml(_styled(data, 0))
    if _exact(yaml_loader.load(text)) != _exact(data):
        raise ValueError("The YAML written does not read back to the same data.")
    return text


def _exact(data: Any) -> str:
    # JSON tells true from 1 and 1 from 1.0, and keeps key order: equal text, equal data.
    return json.dumps(data, ensure_ascii=False)
