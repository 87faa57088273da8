"""README.md lists the demo courses (ages, big ideas, lessons, exercise counts) as the course
folders have them: the table is made by scripts/course_table.py and must be current."""

import importlib.util
from pathlib import Path

from django.conf import settings

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "course_table.py"


def load_script():
    spec = importlib.util.spec_from_file_location("course_table", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_table_of_demo_courses_is_current():
    script = load_script()
    readme = script.README.read_text()
    assert script.readme_with(readme, script.table()) == readme, (
        "README.md's course table is stale: run .venv/bin/python scripts/course_table.py --write"
    )


def test_the_table_has_one_row_per_course_with_all_five_big_ideas():
    rows = load_script().table().splitlines()[2:]
    assert len(rows) == 5
    for row in rows:
        for idea in ("perception", "representation and reasoning", "learning"):
            assert idea in row, row
        assert "natural interaction" in row and "societal impact" in row, row
