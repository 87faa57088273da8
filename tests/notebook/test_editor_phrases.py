"""CodeMirror's own phrases (what the code editor announces to screen readers) come translated
from the notebook page: a JSON object, English phrase to the page's language, that
frontend/src/editor.js passes to EditorState.phrases."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from courses.views.notebook.page import editor_phrases
from tests import factories

pytestmark = pytest.mark.django_db

BUNDLE = factories.ROOT / "static/build/editor.js"


def phrases_on_the_page(client, exercise) -> dict:
    html = client.get(reverse("notebook:exercise", kwargs={"exercise_id": exercise.pk}))
    found = re.search(
        r'<script id="editor-phrases" type="application/json">(.*?)</script>',
        html.content.decode(),
        re.DOTALL,
    )
    assert found, "the page has no editor phrases"
    return json.loads(found.group(1))


def test_the_page_gives_the_editor_its_phrases_in_chinese(client_for, student, exercise):
    client = client_for(student)
    english = phrases_on_the_page(client, exercise)
    assert english == {
        "Control character": "Control character",
        "Selection deleted": "Selection deleted",
    }
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    chinese = phrases_on_the_page(client, exercise)
    assert chinese == {"Control character": "控制字符", "Selection deleted": "已删除所选内容"}


def test_every_phrase_the_bundle_uses_is_given():
    # `make test` builds the bundle first (setup → assets); a missing bundle is a broken setup.
    assert BUNDLE.exists(), f"{BUNDLE} is missing: run `make assets`"
    used = set(re.findall(r'\.phrase\("([^"]+)"', BUNDLE.read_text(encoding="utf-8")))
    assert used, "the bundle should use some of CodeMirror's phrases"
    assert used <= set(editor_phrases())
    assert "editor-phrases" in BUNDLE.read_text(encoding="utf-8")
