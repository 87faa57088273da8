"""What a learner may see of their cells' outputs: an allow-list, sanitised and size-capped.

Outputs come from learner code running in the sandbox, so they are hostile until proven
otherwise. Only these survive, normalised to small dicts the page can show without running
anything:

- {"type": "stream", "name": "stdout" | "stderr", "text"}
- {"type": "text", "text"}: text/plain of a result or display
- {"type": "html", "html"}: text/html through courses.markdown.sanitize_html (pandas tables)
- {"type": "image", "mime": "image/png" | "image/jpeg", "data", "alt"}: base64 that decodes,
  starts with the format's magic bytes and is under IMAGE_MAX_BYTES
- {"type": "error", "ename", "evalue", "traceback"}: ANSI colour codes stripped
- {"type": "omitted"}: more output existed but did not fit

Never JavaScript, SVG, widgets, LaTeX-as-HTML or any other MIME type. Text is truncated with
"truncated": true. `clean_cell_outputs` is idempotent: the page runs stored outputs through it
again before showing them, so nothing stored earlier or by other code is trusted either.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from courses.markdown import sanitize_html

TEXT_MAX_CHARS = 20_000  # one stream, text or traceback
HTML_MAX_CHARS = 100_000
IMAGE_MAX_BYTES = 300_000  # decoded; a matplotlib figure is usually 20 to 80 KB
SUBMISSION_MAX_BYTES = 512_000  # every cell's outputs together, as stored JSON
OUTPUTS_PER_CELL = 50

MAGIC = {"image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",)}
# CSI sequences (colours, cursor moves), OSC sequences (titles, links) and lone escapes.
_ANSI_RE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]")
# Control characters other than tab and newline (a terminal's, not a web page's).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _plain(value: Any, limit: int = TEXT_MAX_CHARS) -> tuple[str, bool]:
    if isinstance(value, list):
        value = "".join(part for part in value if isinstance(part, str))
    if not isinstance(value, str):
        return "", False
    text = _CONTROL_RE.sub("", _ANSI_RE.sub("", value.replace("\r\n", "\n")))
    if len(text) > limit:
        return text[:limit], True
    return text, False


def _text_item(kind: str, text: str, truncated: bool, **extra) -> dict:
    item = {"type": kind, **extra, "text": text}
    if truncated:
        item["truncated"] = True
    return item


def _image(mime: str, value: Any, alt: str) -> dict | None:
    if isinstance(value, list):
        value = "".join(part for part in value if isinstance(part, str))
    if not isinstance(value, str) or len(value) > IMAGE_MAX_BYTES * 4 // 3 + 1024:
        return None
    try:
        raw = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    if not raw or len(raw) > IMAGE_MAX_BYTES or not raw.startswith(MAGIC[mime]):
        return None
    return {
        "type": "image",
        "mime": mime,
        "data": base64.b64encode(raw).decode("ascii"),
        "alt": alt[:300],
    }


def _rich(data: Any) -> dict | None:
    """One displayable item from a MIME bundle: an image, else HTML, else plain text."""
    if not isinstance(data, dict):
        return None
    alt, _cut = _plain(data.get("text/plain", ""), 300)
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            image = _image(mime, data[mime], alt)
            if image is not None:
                return image
    if isinstance(data.get("text/html"), str | list):
        html, truncated = _plain(data["text/html"], HTML_MAX_CHARS)
        if not truncated:  # half a table would be broken HTML: fall back to the text instead
            cleaned = str(sanitize_html(html)).strip()
            if cleaned:
                return {"type": "html", "html": cleaned}
    if "text/plain" in data:
        text, truncated = _plain(data["text/plain"])
        return _text_item("text", text, truncated)
    return None


def clean_output(output: Any) -> dict | None:
    """One nbformat output (or an already cleaned item) as an allowed item, or None."""
    if not isinstance(output, dict):
        return None
    kind = output.get("output_type") or output.get("type")
    if kind == "stream":
        name = output.get("name") if output.get("name") in ("stdout", "stderr") else "stdout"
        text, truncated = _plain(output.get("text", ""))
        return _text_item("stream", text, truncated or bool(output.get("truncated")), name=name)
    if kind in ("execute_result", "display_data"):
        return _rich(output.get("data"))
    if kind == "error":
        traceback = output.get("traceback")
        lines = traceback if isinstance(traceback, list) else []
        text, truncated = _plain("\n".join(line for line in lines if isinstance(line, str)))
        item = {
            "type": "error",
            "ename": _plain(output.get("ename", ""), 200)[0],
            "evalue": _plain(output.get("evalue", ""), 2000)[0],
            "traceback": text,
        }
        if truncated:
            item["truncated"] = True
        return item
    # Already cleaned items, read back from the database and cleaned again.
    if kind == "text":
        text, truncated = _plain(output.get("text", ""))
        return _text_item("text", text, truncated or bool(output.get("truncated")))
    if kind == "html":
        return _rich({"text/html": output.get("html", "")})
    if kind == "image" and output.get("mime") in MAGIC:
        return _image(output["mime"], output.get("data"), _plain(output.get("alt", ""), 300)[0])
    if kind == "omitted":
        return {"type": "omitted"}
    return None


def clean_cell_outputs(outputs: Any) -> list[dict]:
    items = []
    for output in outputs if isinstance(outputs, list) else []:
        if len(items) >= OUTPUTS_PER_CELL:
            items.append({"type": "omitted"})
            break
        item = clean_output(output)
        if item is not None:
            items.append(item)
    return items


def clean_cells(cells: Any) -> list[dict]:
    """Stored or fresh [{"index", "grade_id", "outputs"}] records, each output cleaned."""
    records = []
    for record in cells if isinstance(cells, list) else []:
        if not isinstance(record, dict) or type(record.get("index")) is not int:
            continue
        gid = record.get("grade_id")
        records.append(
            {
                "index": record["index"],
                "grade_id": gid if isinstance(gid, str) else None,
                "outputs": clean_cell_outputs(record.get("outputs")),
            }
        )
    return records


def capped(cells: Any, limit: int = SUBMISSION_MAX_BYTES) -> list[dict]:
    """Cleaned records whose JSON fits in `limit` bytes; what does not fit becomes "omitted"."""
    kept: list[dict] = []
    used = 2
    for record in clean_cells(cells):
        outputs: list[dict] = []
        used += len(json.dumps({**record, "outputs": []})) + 1
        for item in record["outputs"]:
            size = len(json.dumps(item)) + 1
            if used + size > limit:
                outputs.append({"type": "omitted"})
                used = limit + 1  # nothing after this fits either
                break
            outputs.append(item)
            used += size
        kept.append({**record, "outputs": outputs})
    return kept
