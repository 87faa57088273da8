# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF001
"""The shipped zh-hans catalogue: complete for every string in the code, and used by Django."""

import shutil

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext, ngettext, to_locale

from accounts.models import Classroom
from courses.models import Course

pytestmark = pytest.mark.django_db


def test_every_string_in_the_code_is_translated(messages):
    problems, _notes = messages.check_catalogs()
    if problems:
        pytest.fail(
            f"{len(problems)} string(s) in the code lack a usable Simplified Chinese translation.\n"
            "Run `.venv/bin/python scripts/messages.py extract`, translate them in "
            "locale/zh_Hans/LC_MESSAGES/django.po, then `scripts/messages.py check`:\n"
            + "\n".join(problems),
            pytrace=False,
        )


def test_the_tool_covers_every_language_in_settings(messages):
    others = {to_locale(code) for code, _name in settings.LANGUAGES if code != "en"}
    assert others == set(messages.LOCALES)
    for locale in messages.LOCALES:
        assert messages.po_path(locale, "django").exists()


@pytest.fixture
def compiled_locale(messages, tmp_path):
    """The repository's .po compiled afresh, so this does not rely on `make messages` having run."""
    for po in messages.catalogue_files():
        target = tmp_path / po.relative_to(messages.LOCALE_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(po, target)
    assert messages.compile_catalogs(messages.catalogue_files(tmp_path)) == []
    assert (tmp_path / "zh_Hans" / "LC_MESSAGES" / "django.mo").exists()
    with override_settings(LOCALE_PATHS=[tmp_path]):
        yield tmp_path


def test_django_speaks_chinese_with_the_compiled_catalogue(compiled_locale):
    with translation.override("zh-hans"):
        assert gettext("Sign in") == "登录"
        assert gettext("Sign in with a class code") == "用班级码登录"
        assert str(Course._meta.verbose_name) == "课程"
        assert str(Classroom._meta.get_field("join_code").verbose_name) == "班级码"
        waiting = ngettext(
            "You already have %(count)d submission waiting to be graded. "
            "Please wait for its result before submitting again.",
            "You already have %(count)d submissions waiting to be graded. "
            "Please wait for their results before submitting again.",
            3,
        ) % {"count": 3}
        assert waiting.startswith("你已有 3 份提交")
        rendered = Template(
            "{% load i18n %}{% blocktranslate with name='李华' %}Sign out ({{ name }})"
            "{% endblocktranslate %}"
        ).render(Context())
        assert rendered == "退出登录（李华）"
    with translation.override("en"):
        assert gettext("Sign in") == "Sign in"


def test_a_page_is_chinese_for_a_chinese_browser(compiled_locale, client):
    page = client.get("/", headers={"accept-language": "zh-hans"})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'lang="zh-hans"' in text
    assert "跳到主要内容" in text
    assert "Skip to content" not in text
    english = client.get("/", headers={"accept-language": "en"}).content.decode()
    assert "Skip to content" in english
