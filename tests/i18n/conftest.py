"""The catalogue tool (scripts/messages.py) imported as a module, and a tiny project to run it on."""

import importlib.util
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "messages.py"


def _load_messages():
    spec = importlib.util.spec_from_file_location("qiming_messages", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def messages():
    return _load_messages()


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture
def tiny_project(tmp_path):
    """A project with one model file, one template, and strings in places that are skipped."""
    root = tmp_path / "project"
    write(
        root,
        "shop/models.py",
        """
        from django.utils.translation import gettext_lazy as _
        from django.utils.translation import ngettext_lazy, pgettext_lazy

        TITLE = _("Shop")
        FRUIT = ngettext_lazy("%(count)d apple", "%(count)d apples", "count")
        ORDER = pgettext_lazy("sort order", "Order")
        """,
    )
    write(
        root,
        "shop/templates/shop/page.html",
        """
        {% load i18n %}
        {# Translators: the greeting at the top of every page #}
        <h1>{% blocktranslate with name=user.first_name %}Hello {{ name }}{% endblocktranslate %}</h1>
        {% blocktranslate count counter=basket|length %}One item{% plural %}{{ counter }} items{% endblocktranslate %}
        <button>{% translate "Order" context "verb" %}</button>
        <p>{% translate "50% off" %}</p>
        """,
    )
    write(
        root,
        "tests/test_shop.py",
        'from django.utils.translation import gettext as _\n_("Test only")\n',
    )
    write(
        root,
        "shop/migrations/0001_initial.py",
        'from django.utils.translation import gettext as _\n_("Migration only")\n',
    )
    write(
        root,
        ".venv/lib/site.py",
        'from django.utils.translation import gettext as _\n_("Venv only")\n',
    )
    return root
