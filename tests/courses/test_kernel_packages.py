"""The sandbox image (the kernel's virtualenv, .venv-kernel) carries exactly what the course
notebooks import, pinned.

requirements-kernel.txt has three sections: the kernel itself, the packages the demo notebooks
import, and their dependencies. The middle one must be exactly the third-party packages the
notebooks import (nothing a notebook needs is missing, nothing is there "just in case"); every
line is pinned with ==; and the installed virtualenv holds exactly the pinned set, so no
dependency came in unpinned.
"""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from courses.management.commands.loaddemo import DEMO_DIR

REQUIREMENTS = Path(settings.BASE_DIR) / "requirements-kernel.txt"
# An import name and the distribution that provides it, where the two differ.
DISTRIBUTION_OF = {"sklearn": "scikit-learn"}
SECTION = re.compile(r"^# == (?P<name>.+?) ==")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def sections() -> dict[str, list[str]]:
    """{section title: [requirement lines]} of requirements-kernel.txt."""
    found: dict[str, list[str]] = {}
    current = None
    for line in REQUIREMENTS.read_text().splitlines():
        heading = SECTION.match(line)
        if heading:
            current = heading["name"]
            found[current] = []
        elif line.strip() and not line.startswith("#"):
            assert current is not None, f"{line!r} comes before any section heading"
            found[current].append(line.strip())
    return found


def pinned(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines:
        name, sep, version = line.partition("==")
        assert sep and version and not re.search(r"[<>~!*,;]", line), f"not pinned: {line!r}"
        out[normalise(name)] = version
    return out


def code_of(cell_source: str) -> str:
    """A code cell as Python: IPython magics and shell escapes are not Python."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in cell_source.splitlines()
    )


def third_party_imports() -> dict[str, set[str]]:
    """{distribution: {notebooks importing it}} over every demo notebook, twins included."""
    found: dict[str, set[str]] = {}
    notebooks = sorted(DEMO_DIR.rglob("*.ipynb"))
    assert notebooks
    for path in notebooks:
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            for node in ast.walk(ast.parse(code_of(source))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    top = module.split(".")[0]
                    if top in sys.stdlib_module_names:
                        continue
                    distribution = normalise(DISTRIBUTION_OF.get(top, top))
                    found.setdefault(distribution, set()).add(path.name)
    return found


def test_the_file_has_the_three_sections_and_every_line_is_pinned():
    found = sections()
    assert list(found) == ["kernel", "imported by the course notebooks", "their dependencies"]
    names = [name for lines in found.values() for name in pinned(lines)]
    assert len(names) == len(set(names)), "a package is listed twice"


def test_the_notebooks_import_exactly_the_listed_packages():
    listed = set(pinned(sections()["imported by the course notebooks"]))
    imported = third_party_imports()
    assert set(imported) == listed, (
        f"imported but not listed: {set(imported) - listed}; "
        f"listed but imported by no notebook: {listed - set(imported)}"
    )


def test_the_installed_kernel_virtualenv_is_exactly_the_pinned_set():
    python = Path(settings.BASE_DIR) / ".venv-kernel" / "bin" / "python"
    frozen = subprocess.run(
        [str(python), "-m", "pip", "freeze", "--all", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    # pip itself (and setuptools on older Pythons) come with every virtualenv; not ours to pin.
    installed = {
        name: version
        for name, version in pinned([line for line in frozen if "==" in line]).items()
        if name not in {"pip", "setuptools", "wheel"}
    }
    wanted = {
        name: version for lines in sections().values() for name, version in pinned(lines).items()
    }
    assert installed == wanted
