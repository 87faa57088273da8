"""A course as plain data in the course-folder shape: what a CourseVersion keeps.

`course_snapshot` is a pure function of the rows (no ids, no timestamps, nothing derived from
the request), so the same content always gives the same snapshot and `snapshot_sha256`: that is
how a validation run names what it checked and how publishing knows the draft did not change
since. The shape mirrors the files of a course folder (courses/coursefiles/__init__.py):

    {"format": 1,
     "course": {course.yaml: slug, title_en, title_zh, summary_en, summary_zh, age_band,
                big_ideas, public, published,
                units: [{title_en, title_zh,
                         lessons: [{slug, title_en, title_zh, exercises: ["<key>.yaml", …]}]}]},
     "lessons": {"<slug>": {"en": Markdown, "zh": Markdown}},          lessons/<slug>.<lang>.md
     "exercises": {"<key>.yaml": {kind, title, title_zh, prompt_en, prompt_zh, explanation_en,
                                  explanation_zh, max_attempts, published, spec | limits}},
     "notebooks": {"<key>.ipynb": source notebook, "<key>.zh.ipynb": its Chinese twin},
     "assets": {"<name>": {"sha256", "size", "content_type"}}}         assets/<name>

Released notebooks are not kept: they are derived from the sources (graders.notebook.release).
Asset bytes are not kept either, only their checksums.
"""

from __future__ import annotations

import hashlib
import json

from courses.models import Course, CourseAsset, Exercise, Lesson, Unit

FORMAT_VERSION = 1


def _exercise(exercise: Exercise) -> dict:
    data = {
        "kind": exercise.kind,
        "title": exercise.title,
        "title_zh": exercise.title_zh,
        "prompt_en": exercise.prompt_en,
        "prompt_zh": exercise.prompt_zh,
        "explanation_en": exercise.explanation_en,
        "explanation_zh": exercise.explanation_zh,
        "max_attempts": exercise.max_attempts,
        "published": exercise.is_published,
    }
    if exercise.is_notebook:
        data["limits"] = exercise.limits or {}
    else:
        data["spec"] = exercise.spec
    return data


def course_snapshot(course: Course) -> dict:
    """The course's content as plain JSON-able data in the course-folder shape (see above)."""
    units = list(Unit.objects.filter(course=course).order_by("position", "pk"))
    lessons = list(Lesson.objects.filter(unit__course=course).order_by("position", "pk"))
    exercises = list(
        Exercise.objects.filter(lesson__unit__course=course).order_by("position", "pk")
    )
    exercises_by_lesson: dict[int, list[Exercise]] = {}
    for exercise in exercises:
        exercises_by_lesson.setdefault(exercise.lesson_id, []).append(exercise)
    lessons_by_unit: dict[int, list[Lesson]] = {}
    for lesson in lessons:
        lessons_by_unit.setdefault(lesson.unit_id, []).append(lesson)

    snapshot: dict = {
        "format": FORMAT_VERSION,
        "course": {
            "slug": course.slug,
            "title_en": course.title_en,
            "title_zh": course.title_zh,
            "summary_en": course.summary_en,
            "summary_zh": course.summary_zh,
            "age_band": course.age_band,
            "big_ideas": list(course.big_ideas or []),
            "public": course.is_public,
            "published": course.is_published,
            "units": [],
        },
        "lessons": {},
        "exercises": {},
        "notebooks": {},
        "assets": {},
    }
    for unit in units:
        unit_data = {"title_en": unit.title_en, "title_zh": unit.title_zh, "lessons": []}
        for lesson in lessons_by_unit.get(unit.pk, []):
            names = []
            for exercise in exercises_by_lesson.get(lesson.pk, []):
                name = f"{exercise.key}.yaml"
                names.append(name)
                snapshot["exercises"][name] = _exercise(exercise)
                if exercise.is_notebook:
                    snapshot["notebooks"][f"{exercise.key}.ipynb"] = exercise.source_notebook
                    if exercise.source_notebook_zh:
                        snapshot["notebooks"][f"{exercise.key}.zh.ipynb"] = (
                            exercise.source_notebook_zh
                        )
            unit_data["lessons"].append(
                {
                    "slug": lesson.slug,
                    "title_en": lesson.title_en,
                    "title_zh": lesson.title_zh,
                    "exercises": names,
                }
            )
            snapshot["lessons"][lesson.slug] = {"en": lesson.body_en, "zh": lesson.body_zh}
        snapshot["course"]["units"].append(unit_data)
    for name, sha256, size, content_type in (
        CourseAsset.objects.filter(course=course)
        .order_by("name")
        .values_list("name", "sha256", "size", "content_type")
    ):
        snapshot["assets"][name] = {"sha256": sha256, "size": size, "content_type": content_type}
    return snapshot


def snapshot_sha256(snapshot: dict) -> str:
    """SHA-256 of the snapshot's canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_sha256(course: Course) -> str:
    """What a validation run records and publishing compares: the sha of the current content."""
    return snapshot_sha256(course_snapshot(course))
