"""The README's table of demo courses, made from the course folders so it cannot go stale.

    .venv/bin/python scripts/course_table.py            # print the table
    .venv/bin/python scripts/course_table.py --write    # put it into README.md between its markers

tests/courses/test_readme_courses.py fails when README.md and the folders disagree.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
START, END = "<!-- demo-courses:start -->", "<!-- demo-courses:end -->"
# The README writes age ranges with an en dash.
AGES = {band: band.replace("-", "\u2013") for band in ("6-8", "9-11", "12-14", "15-17", "adult")}


def _kind_label(exercise) -> str:
    from courses.models import Exercise

    if exercise.kind == "single_choice" and all(
        "image" in option for option in exercise.spec.get("options", [])
    ):
        return "picture single choice"
    return str(Exercise.Kind(exercise.kind).label).lower()


def _counted(labels: list[str]) -> str:
    counts = Counter(labels)
    return ", ".join(f"{n} {label}" for label, n in sorted(counts.items(), key=lambda i: -i[1]))


def table() -> str:
    from django.utils import translation

    from courses.coursefiles.reader import read_course
    from courses.management.commands.loaddemo import demo_course_folders
    from courses.models import BigIdea

    rows = [
        "| course | ages | big ideas | lessons | exercises | quizzes | notebooks |",
        "|---|---|---|---|---|---|---|",
    ]
    with translation.override("en"):
        courses = [read_course(path) for path in demo_course_folders()]
        order = list(AGES)
        for course in sorted(courses, key=lambda c: order.index(c.age_band)):
            exercises = list(course.exercises())
            quizzes = [e for e in exercises if not e.is_notebook]
            notebooks = [e.title for e in exercises if e.is_notebook]
            kinds = _counted([_kind_label(e) for e in quizzes])
            ideas = ", ".join(str(BigIdea(idea).label).lower() for idea in course.big_ideas)
            rows.append(
                f"| {course.title_en} (`{course.slug}`) | {AGES[course.age_band]} | {ideas} "
                f"| {len(list(course.lessons()))} "
                f"| {len(exercises)} | {len(quizzes)}: {kinds} "
                f"| {len(notebooks)}{': ' + '; '.join(notebooks) if notebooks else ''} |"
            )
    return "\n".join(rows)


def readme_with(text: str, new_table: str) -> str:
    before, start, rest = text.partition(START)
    _old, end, after = rest.partition(END)
    if not (start and end):
        raise SystemExit(f"README.md has no {START} … {END} markers")
    return f"{before}{START}\n{new_table}\n{END}{after}"


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    new_table = table()
    if "--write" in sys.argv[1:]:
        README.write_text(readme_with(README.read_text(), new_table))
    else:
        print(new_table)


if __name__ == "__main__":
    main()
