# Chinese text uses full-width punctuation on purpose.
# ruff: noqa: RUF001
"""`messages.py extract`: what it finds, what it skips, and how it updates an existing catalogue."""

import pytest

from .conftest import write

pytestmark = pytest.mark.django_db


def _extract(messages, root):
    locale_dir = root / "locale"
    assert messages.main(["--root", str(root), "--locale-dir", str(locale_dir), "extract"]) == 0
    path = messages.po_path("zh_Hans", "django", locale_dir)
    return path, messages.read_catalog(path, "zh_Hans")


def test_templates_go_through_templatize_like_makemessages(messages, tiny_project):
    _path, catalog = _extract(messages, tiny_project)

    # A blocktranslate variable becomes the %(name)s placeholder Django looks up at run time.
    hello = catalog.get("Hello %(name)s")
    assert hello is not None
    assert "python-format" in hello.flags
    assert hello.locations == [("shop/templates/shop/page.html", None)]
    assert hello.auto_comments == ["Translators: the greeting at the top of every page"]

    items = catalog.get("One item")
    assert items.id == ("One item", "%(counter)s items")
    assert catalog.get("Order", context="verb") is not None
    # A literal % in a template is doubled, as Django's {% translate %} expects it in the .mo.
    assert catalog.get("50%% off") is not None


def test_python_keywords_with_plural_and_context(messages, tiny_project):
    _path, catalog = _extract(messages, tiny_project)
    assert catalog.get("Shop").locations == [("shop/models.py", None)]
    assert catalog.get("%(count)d apple").id == ("%(count)d apple", "%(count)d apples")
    assert catalog.get("Order", context="sort order") is not None
    assert catalog.get("Order") is None  # only ever used with a context


def test_tests_migrations_and_virtualenvs_are_skipped(messages, tiny_project):
    _path, catalog = _extract(messages, tiny_project)
    ids = {message.id for message in catalog if message.id}
    assert not ids & {"Test only", "Migration only", "Venv only"}
    assert len([message for message in catalog if message.id]) == 7


def test_re_extracting_keeps_translations_adds_new_and_drops_gone(messages, tiny_project):
    path, catalog = _extract(messages, tiny_project)
    catalog.get("Shop").string = "商店"
    catalog.get("Order", context="verb").string = "下单"
    path.write_bytes(messages.render_catalog(catalog))

    models = tiny_project / "shop" / "models.py"
    models.write_text(
        models.read_text()
        .replace('_("Shop")', '_("Shop")\nBASKET = _("Basket")')
        .replace('ORDER = pgettext_lazy("sort order", "Order")', "")
    )
    _path, updated = _extract(messages, tiny_project)
    assert updated.get("Shop").string == "商店"
    assert updated.get("Order", context="verb").string == "下单"
    assert updated.get("Basket").string == ""
    assert updated.get("Order", context="sort order") is None
    assert "sort order" not in path.read_text()  # gone, not kept as an obsolete #~ entry

    before = path.read_bytes()
    _extract(messages, tiny_project)
    assert path.read_bytes() == before  # nothing changed in code: not a byte changes


def test_a_changed_msgid_comes_back_fuzzy_with_its_old_translation(messages, tiny_project):
    path, catalog = _extract(messages, tiny_project)
    catalog.get("Hello %(name)s").string = "你好，%(name)s"
    path.write_bytes(messages.render_catalog(catalog))
    page = tiny_project / "shop" / "templates" / "shop" / "page.html"
    page.write_text(page.read_text().replace("Hello {{ name }}", "Hello again {{ name }}"))

    _path, updated = _extract(messages, tiny_project)
    again = updated.get("Hello again %(name)s")
    assert again.fuzzy
    assert again.string == "你好，%(name)s"
    assert updated.get("Hello %(name)s") is None
    before = path.read_bytes()
    _extract(messages, tiny_project)
    assert path.read_bytes() == before


def test_javascript_strings_go_to_the_djangojs_domain(messages, tiny_project):
    write(tiny_project, "shop/static/shop/cart.js", 'alert(gettext("Saved"));\n')
    write(tiny_project, "static/build/bundle.js", 'gettext("Built, not ours");\n')
    _extract(messages, tiny_project)
    js = messages.read_catalog(messages.po_path("zh_Hans", "djangojs", tiny_project / "locale"))
    assert [message.id for message in js if message.id] == ["Saved"]


def test_a_broken_template_is_named_in_one_line(messages, tiny_project, capsys):
    write(
        tiny_project,
        "shop/templates/shop/broken.html",
        "{% load i18n %}{% blocktranslate %}Hi {% url 'home' %}{% endblocktranslate %}\n",
    )
    args = ["--root", str(tiny_project), "--locale-dir", str(tiny_project / "locale"), "extract"]
    assert messages.main(args) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("messages.py extract: shop/templates/shop/broken.html: ")
    assert "\n" not in error
    assert not (tiny_project / "locale").exists()


def test_template_indentation_does_not_matter(messages, tiny_project):
    # Python's tokenizer would reject this dedent; xgettext (and so makemessages) does not care.
    write(
        tiny_project,
        "shop/templates/shop/indented.html",
        "{% load i18n %}\n<div>\n      <p>{% translate 'Deep' %}</p>\n   <p>{% translate 'Shallow' %}</p>\n</div>\n",
    )
    _path, catalog = _extract(messages, tiny_project)
    assert catalog.get("Deep") is not None
    assert catalog.get("Shallow") is not None
