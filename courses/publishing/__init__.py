"""Drafts, validation before publishing, and immutable published versions of courses.

The service API (keyword-only; each raises django.core.exceptions.PermissionDenied unless the
user owns the course or is a platform admin):

    course_draft_for(course=, user=) -> Course         the row to edit (a draft when published)
    course_draft_discard(course=, user=) -> bool        drop the draft, keep the live course
    course_problems(course=) -> list[Problem]           the static problems, all at once
    validation_run_request(course=, user=) -> ValidationRun   static now + sandbox on workers
    validation_passed(course) -> ValidationRun | None   a clean finished run of this content
    course_publish(course=, user=, note="") -> CourseVersion  or PublishRefused(problems)
    course_snapshot(course) -> dict                     the content in the course-folder shape

Modules: keys (lesson slugs, exercise keys), drafts, validation (static checks), runs
(validation runs and their sandbox steps; courses.tasks runs them on the grading queue),
snapshot, publish.
"""

from courses.publishing.drafts import course_draft_discard, course_draft_for, editable_course
from courses.publishing.keys import course_keys_ensure
from courses.publishing.publish import PublishRefused, course_publish, publish_problems
from courses.publishing.runs import latest_run, validation_passed, validation_run_request
from courses.publishing.snapshot import content_sha256, course_snapshot, snapshot_sha256
from courses.publishing.validation import Problem, course_problems

__all__ = [
    "Problem",
    "PublishRefused",
    "content_sha256",
    "course_draft_discard",
    "course_draft_for",
    "course_keys_ensure",
    "course_problems",
    "course_publish",
    "course_snapshot",
    "editable_course",
    "latest_run",
    "publish_problems",
    "snapshot_sha256",
    "validation_passed",
    "validation_run_request",
]
