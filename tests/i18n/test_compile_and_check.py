# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF001
"""`compile` refuses broken placeholders; `check` lists exactly what is missing or unusable."""

import gettext
import subprocess
import sys
import textwrap

import pytest

from .conftest import SCRIPT, write

pytestmark = pytest.mark.django_db

HEADER = """\
msgid ""
msgstr ""
"Language: zh_Hans\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
"Content-Type: text/plain; charset=utf-8\\n"

"""


def _po(tmp_path, body: str):
    path = tmp_path / "zh_Hans" / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


def _run(*args):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=60
    )


def test_compile_refuses_a_renamed_placeholder_with_one_line(tmp_path):
    po = _po(
        tmp_path,
        """
        #, python-format
        msgid "Hello %(name)s"
        msgstr "你好，%(nmae)s"
        """,
    )
    result = _run("compile", str(po))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert '"Hello %(name)s"' in lines[0]
    assert "%(nmae)s" in lines[0] and "%(name)s" in lines[0]
    assert not po.with_suffix(".mo").exists()


@pytest.mark.parametrize(
    "body",
    [
        # one positional placeholder lost
        'msgid "%s of %s"\nmsgstr "%s"\n',
        # a different conversion (msgfmt --check-format refuses it too)
        'msgid "%(count)d left"\nmsgstr "还剩 %(count)s"\n',
        # the one Chinese form serves every count, so it must keep the plural's placeholder
        'msgid "One file"\nmsgid_plural "%(count)d files"\nmsgstr[0] "一个文件"\n',
        # brace placeholders are checked too
        'msgid "Hi {name}"\nmsgstr "你好 {nom}"\n',
        # a placeholder the msgid does not have
        'msgid "Saved"\nmsgstr "已保存 %(when)s"\n',
    ],
)
def test_compile_refuses_placeholders_that_differ(messages, tmp_path, body):
    po = _po(tmp_path, body)
    errors = messages.compile_catalogs([po])
    assert len(errors) == 1, errors
    assert "placeholders differ" in errors[0]
    assert not po.with_suffix(".mo").exists()


def test_compile_writes_a_mo_that_gettext_reads(messages, tmp_path):
    po = _po(
        tmp_path,
        """
        #, python-format
        msgid "Hello %(name)s"
        msgstr "你好，%(name)s"

        #, python-format
        msgid "One file"
        msgid_plural "%(count)d files"
        msgstr[0] "%(count)d 个文件"

        msgid "Score: 100%"
        msgstr "得分：100%"

        msgctxt "verb"
        msgid "Order"
        msgstr "下单"

        #, fuzzy
        msgid "Guess"
        msgstr "猜的 %(wrong)s"

        msgid "Empty"
        msgstr ""
        """,
    )
    assert _run("compile", str(po)).returncode == 0
    with po.with_suffix(".mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    assert catalog.gettext("Hello %(name)s") == "你好，%(name)s"
    assert catalog.ngettext("One file", "%(count)d files", 1) == "%(count)d 个文件"
    assert catalog.gettext("Score: 100%") == "得分：100%"
    assert catalog.pgettext("verb", "Order") == "下单"
    # fuzzy and empty entries are left out: Django falls back to English for them
    assert catalog.gettext("Guess") == "Guess"
    assert catalog.gettext("Empty") == "Empty"


def test_compile_reports_a_po_it_cannot_read(tmp_path):
    po = _po(tmp_path, 'msgid "Unclosed\nmsgstr "x"\n')
    result = _run("compile", str(po))
    assert result.returncode == 1
    assert "cannot read" in result.stderr


def test_check_lists_each_problem_by_name(messages, tiny_project):
    locale_dir = tiny_project / "locale"
    args = ["--root", str(tiny_project), "--locale-dir", str(locale_dir)]
    assert messages.main([*args, "extract"]) == 0
    path = messages.po_path("zh_Hans", "django", locale_dir)
    catalog = messages.read_catalog(path, "zh_Hans")
    translations = {
        ("Shop", None): "商店",
        ("%(count)d apple", None): ("%(count)d 个苹果",),
        ("Order", "sort order"): "顺序",
        ("Order", "verb"): "下单",
        ("One item", None): ("%(counter)s 件",),
        ("50%% off", None): "五折",
        ("Hello %(name)s", None): "你好，%(name)s",
    }
    for (msgid, context), text in translations.items():
        catalog.get(msgid, context).string = text
    path.write_bytes(messages.render_catalog(catalog))
    result = _run(*args, "check")
    assert result.returncode == 0, result.stdout

    catalog.get("Shop").flags.add("fuzzy")
    catalog.get("Order", "verb").string = ""
    catalog.get("Hello %(name)s").string = "你好"
    path.write_bytes(messages.render_catalog(catalog))
    write(
        tiny_project,
        "shop/views.py",
        'from django.utils.translation import gettext as _\n_("Pay now")\n',
    )

    result = _run(*args, "check")
    assert result.returncode == 1
    problems = [line for line in result.stdout.splitlines() if "django.po:" in line]
    assert len(problems) == 4, result.stdout
    text = "\n".join(problems)
    assert 'missing "Pay now"  [shop/views.py]' in text
    assert "untranslated \"Order\" (context 'verb')  [shop/templates/shop/page.html]" in text
    assert 'fuzzy "Shop"  [shop/models.py]' in text
    assert 'placeholders differ "Hello %(name)s"' in text
    assert "msgstr has none but the msgid has %(name)s" in text
