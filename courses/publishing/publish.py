"""Publishing: the validated draft becomes what learners see, and an immutable version is kept.

`course_publish` copies the draft onto the live course in one transaction. Units are matched by
position, lessons by slug and exercises by key, and matched rows are updated in place: an
exercise keeps its id, so learners' submissions and quiz attempts stay attached to it. Exercises
the draft no longer has are unpublished and taken out of the course (never deleted: learners'
work refers to them); lessons and units it no longer has are deleted. The live course is then
published and a CourseVersion records its snapshot; the draft is deleted (the next edit makes a
fresh one from the live course).

A course never published is its own draft: publishing it publishes it in place.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from courses.models import (
    Course,
    CourseAsset,
    CourseVersion,
    Exercise,
    Lesson,
    Unit,
    ValidationRun,
)
from courses.publishing.drafts import (
    ASSET_FIELDS,
    COURSE_FIELDS,
    COURSE_FLAGS,
    EXERCISE_FIELDS,
    LESSON_FIELDS,
    UNIT_FIELDS,
    draft_delete,
)
from courses.publishing.keys import course_keys_ensure
from courses.publishing.permissions import live_course_of, require_manager
from courses.publishing.runs import validation_passed
from courses.publishing.snapshot import content_sha256, course_snapshot, snapshot_sha256
from courses.publishing.validation import NOT_VALIDATED, UNCHANGED, Problem, course_problems

__all__ = ["PublishRefused", "course_publish", "course_snapshot", "publish_problems"]

# Added to live positions while rows move, so no two rows ever share a unique position.
_OUT_OF_THE_WAY = 1_000_000
NOTE_LENGTH = CourseVersion._meta.get_field("note").max_length


class PublishRefused(Exception):
    """Publishing was refused; nothing changed. `problems` (validation.Problem) says why."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(problem) for problem in problems))
        self.problems = problems


def _not_validated(course: Course, message: str) -> Problem:
    return Problem(
        kind=NOT_VALIDATED,
        where=_("Course “%(title)s”") % {"title": course.localized("title") or course.slug},
        field="",
        field_label="",
        message=message,
        target="course",
        target_id=course.pk,
    )


def _unchanged(course: Course, latest: CourseVersion) -> Problem:
    return Problem(
        kind=UNCHANGED,
        where=_("Course “%(title)s”") % {"title": course.localized("title") or course.slug},
        field="",
        field_label="",
        message=_("Nothing has changed since version %(number)d: there is nothing to publish.")
        % {"number": latest.number},
        target="course",
        target_id=course.pk,
    )


def publish_problems(source: Course) -> list[Problem]:
    """Why `source` (a draft, or a course edited directly) cannot be published; [] if it can."""
    if validation_passed(source) is not None:
        return []
    sha = content_sha256(source)
    run = ValidationRun.objects.filter(course=source, content_sha256=sha).first()
    if run is None:
        return [
            _not_validated(
                source,
                _("This content has not been validated: validate the course, then publish."),
            ),
            *course_problems(course=source),
        ]
    if not run.is_final:
        return [
            _not_validated(
                source, _("The validation of this content is still running; wait for it.")
            )
        ]
    if run.status == ValidationRun.Status.FAILED:
        return [
            _not_validated(
                source,
                _("The validation of this content could not finish: %(error)s")
                % {"error": run.error},
            )
        ]
    return [Problem.from_json(data) for data in run.problems]


def course_publish(*, course: Course, user, note: str = "") -> CourseVersion:
    """Publish `course` (a live course or its draft): the draft's content, validated, becomes the
    live course's, and version number last + 1 records it.

    Raises PermissionDenied unless `user` owns the course or is an admin, ValueError for a note
    longer than 200 characters, and PublishRefused (nothing changed) unless a finished
    validation run of exactly this content found no problems.
    """
    require_manager(user, course)
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:
        raise ValueError(
            _("The note is %(length)d characters long; at most %(limit)d are allowed.")
            % {"length": len(note), "limit": NOTE_LENGTH}
        )
    with transaction.atomic():
        live = Course.objects.select_for_update().get(pk=live_course_of(course).pk)
        source = Course.objects.filter(draft_of=live).first() or live
        problems = publish_problems(source)
        if problems:
            raise PublishRefused(problems)
        # What learners will get: exactly what was validated, published, at the live address
        # (a published course keeps its slug, whatever its draft says).
        validated = course_snapshot(source)
        validated["course"]["published"] = True
        validated["course"]["slug"] = live.slug
        latest = live.versions.order_by("-number").first()
        if latest is not None and latest.sha256 == snapshot_sha256(validated):
            raise PublishRefused([_unchanged(live, latest)])
        if source != live:
            course_keys_ensure(course=live)
            _copy_onto_live(source, live)
        live.is_published = True
        live.save()
        snapshot = course_snapshot(live)
        if snapshot != validated:
            raise RuntimeError(f"publishing {live.slug} would not give the validated content")
        number = (live.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        version = CourseVersion.objects.create(
            course=live,
            number=number,
            snapshot=snapshot,
            sha256=snapshot_sha256(snapshot),
            published_by=user,
            note=note,
        )
        if source != live:
            draft_delete(source)
    return version


# --- copying the draft onto the live course -----------------------------------------------------


def _assign(row, source, fields) -> None:
    for name in fields:
        setattr(row, name, getattr(source, name))


def _retire(exercise: Exercise) -> None:
    """Out of the course and out of learners' sight; the learners' work on it stays."""
    exercise.lesson = None
    exercise.position = 0
    exercise.is_published = False
    exercise.save()


def _copy_onto_live(draft: Course, live: Course) -> None:
    _assign(live, draft, COURSE_FIELDS + COURSE_FLAGS)
    Unit.objects.filter(course=live).update(position=F("position") + _OUT_OF_THE_WAY)
    Lesson.objects.filter(unit__course=live).update(position=F("position") + _OUT_OF_THE_WAY)
    Exercise.objects.filter(lesson__unit__course=live).update(
        position=F("position") + _OUT_OF_THE_WAY
    )

    live_units = {
        unit.position - _OUT_OF_THE_WAY: unit for unit in Unit.objects.filter(course=live)
    }
    units: dict[int, Unit] = {}
    for draft_unit in Unit.objects.filter(course=draft).order_by("position"):
        unit = live_units.pop(draft_unit.position, None) or Unit(course=live)
        _assign(unit, draft_unit, UNIT_FIELDS)
        unit.position = draft_unit.position
        unit.save()
        units[draft_unit.pk] = unit

    live_lessons = {lesson.slug: lesson for lesson in Lesson.objects.filter(unit__course=live)}
    lessons: dict[int, Lesson] = {}
    for draft_lesson in Lesson.objects.filter(unit__course=draft).order_by("unit", "position"):
        lesson = live_lessons.pop(draft_lesson.slug, None) or Lesson()
        _assign(lesson, draft_lesson, LESSON_FIELDS)
        lesson.unit = units[draft_lesson.unit_id]
        lesson.position = draft_lesson.position
        lesson.save()
        lessons[draft_lesson.pk] = lesson

    live_exercises = {
        exercise.key: exercise for exercise in Exercise.objects.filter(lesson__unit__course=live)
    }
    for draft_exercise in Exercise.objects.filter(lesson__unit__course=draft).order_by("pk"):
        exercise = live_exercises.pop(draft_exercise.key, None)
        if exercise is not None and exercise.kind != draft_exercise.kind:
            # Another kind is another exercise: old answers would not fit the new one.
            _retire(exercise)
            exercise = None
        if exercise is None:
            exercise = Exercise(owner=draft_exercise.owner)
        _assign(exercise, draft_exercise, EXERCISE_FIELDS)
        exercise.lesson = lessons[draft_exercise.lesson_id]
        exercise.position = draft_exercise.position
        exercise.save()
    for exercise in live_exercises.values():
        _retire(exercise)
    for lesson in live_lessons.values():
        lesson.delete()
    for unit in live_units.values():
        unit.delete()

    live_assets = {asset.name: asset for asset in CourseAsset.objects.filter(course=live)}
    for draft_asset in CourseAsset.objects.filter(course=draft):
        asset = live_assets.pop(draft_asset.name, None)
        if asset is None:
            asset = CourseAsset(course=live)
        elif asset.sha256 == draft_asset.sha256:
            continue
        _assign(asset, draft_asset, ASSET_FIELDS)
        asset.save()
    for asset in live_assets.values():
        asset.delete()
