"""Drafts: where a published course is edited, out of learners' sight, until it is published.

A course that learners may have seen (published now, or published before: it has versions) is
never edited in place. Its draft is a second Course row (`draft_of` = the live course) holding a
full copy of the units, lessons, exercises (texts, quiz specs, notebooks, keys) and assets.
Learner selectors skip drafts (courses.selectors), so nothing in a draft reaches a learner until
courses.publishing.publish copies it back. A course never published is its own draft.
"""

from __future__ import annotations

from django.db import transaction

from courses.models import Course, CourseAsset, Exercise, Lesson, Unit
from courses.publishing.keys import course_keys_ensure
from courses.publishing.permissions import live_course_of, require_manager

# Copied onto a draft and back onto the live course when publishing; everything that is content.
COURSE_FIELDS = ("title_en", "title_zh", "summary_en", "summary_zh", "age_band", "big_ideas")
COURSE_FLAGS = ("is_public",)
UNIT_FIELDS = ("title_en", "title_zh")
LESSON_FIELDS = ("slug", "title_en", "title_zh", "body_en", "body_zh")
EXERCISE_FIELDS = (
    "title",
    "title_zh",
    "kind",
    "key",
    "prompt_en",
    "prompt_zh",
    "explanation_en",
    "explanation_zh",
    "max_attempts",
    "spec",
    "source_notebook",
    "released_notebook",
    "source_notebook_zh",
    "released_notebook_zh",
    "max_score",
    "limits",
    "is_published",
)
ASSET_FIELDS = ("name", "content", "content_type", "size", "sha256")


def has_been_published(course: Course) -> bool:
    """Learners may have seen it: it is published, or it was (it has versions)."""
    return course.is_published or course.versions.exists()


def draft_of(course: Course) -> Course | None:
    """The draft of a live course, if it has one (None for a draft itself)."""
    if course.draft_of_id:
        return None
    return Course.objects.filter(draft_of=course).first()


def editable_course(course: Course) -> Course:
    """The row edits of `course` go to, without creating anything: its draft if it has one,
    itself if it is a draft or was never published; None when a draft must be made first."""
    if course.draft_of_id:
        return course
    draft = draft_of(course)
    if draft is not None:
        return draft
    return None if has_been_published(course) else course


@transaction.atomic
def course_draft_for(*, course: Course, user) -> Course:
    """The course to edit for `course`: its draft, made now if it has none, when learners may
    have seen it; the course itself when it was never published; `course` when it is a draft.

    Lessons and exercises get slugs and keys if they lack them (publishing matches by them).
    Raises django.core.exceptions.PermissionDenied unless `user` owns the course or is an admin.
    """
    require_manager(user, course)
    if course.draft_of_id:
        course_keys_ensure(course=course)
        return course
    # Locked: two first edits at the same moment make one draft, not two (or an error).
    live = Course.objects.select_for_update().get(pk=course.pk)
    course_keys_ensure(course=live)
    draft = Course.objects.filter(draft_of=live).first()
    if draft is not None:
        course_keys_ensure(course=draft)
        return draft
    if not has_been_published(live):
        return live
    return _copy_to_draft(live)


def _copy_to_draft(live: Course) -> Course:
    draft = Course(
        slug=live.slug,
        owner=live.owner,
        draft_of=live,
        is_published=False,
        **{name: getattr(live, name) for name in COURSE_FIELDS + COURSE_FLAGS},
    )
    draft.full_clean(validate_constraints=False)
    draft.save()
    for unit in Unit.objects.filter(course=live).order_by("position"):
        draft_unit = Unit.objects.create(
            course=draft,
            position=unit.position,
            **{name: getattr(unit, name) for name in UNIT_FIELDS},
        )
        for lesson in Lesson.objects.filter(unit=unit).order_by("position"):
            draft_lesson = Lesson.objects.create(
                unit=draft_unit,
                position=lesson.position,
                **{name: getattr(lesson, name) for name in LESSON_FIELDS},
            )
            for exercise in Exercise.objects.filter(lesson=lesson).order_by("position", "pk"):
                Exercise.objects.create(
                    owner=exercise.owner,
                    lesson=draft_lesson,
                    position=exercise.position,
                    **{name: getattr(exercise, name) for name in EXERCISE_FIELDS},
                )
    CourseAsset.objects.bulk_create(
        CourseAsset(course=draft, **{name: getattr(asset, name) for name in ASSET_FIELDS})
        for asset in CourseAsset.objects.filter(course=live)
    )
    return draft


def draft_delete(draft: Course) -> None:
    """Delete a draft with all its content. Only teachers' previews hang on its exercises."""
    assert draft.draft_of_id, "only drafts are deleted this way"
    # Exercise.lesson is PROTECT: exercises go first, then the course takes the rest along.
    Exercise.objects.filter(lesson__unit__course=draft).delete()
    draft.delete()


@transaction.atomic
def course_draft_discard(*, course: Course, user) -> bool:
    """Throw away the draft of `course` (the live course or the draft itself): the live course
    stays as published. Returns whether there was a draft. A course never published has no
    draft (it is edited directly), so nothing happens to it.

    Raises django.core.exceptions.PermissionDenied unless `user` owns the course or is an admin.
    """
    require_manager(user, course)
    live = live_course_of(course)
    draft = Course.objects.filter(draft_of=live).first()
    if draft is None:
        return False
    draft_delete(draft)
    return True
