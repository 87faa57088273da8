"""Writes for curricula. Keyword-only, validated, one transaction each."""

from django.conf import settings
from django.db import transaction

from courses.models import Exercise
from graders import grading, notebook


@transaction.atomic
def exercise_create_notebook(
    *,
    owner,
    title: str,
    source: bytes | str,
    limits: dict | None = None,
    is_published: bool = False,
) -> Exercise:
    """A notebook exercise from a teacher's nbgrader source notebook.

    Raises notebook.NotebookError (listing every problem) if the source is not valid nbgrader.
    """
    source_nb = notebook.load_source(source, max_bytes=settings.GRADER_MAX_NOTEBOOK_BYTES)
    return Exercise.objects.create(
        owner=owner,
        title=title,
        kind=Exercise.Kind.NOTEBOOK,
        source_notebook=source_nb,
        released_notebook=notebook.release(source_nb),
        max_score=grading.max_score_of(source_nb),
        limits=limits or {},
        is_published=is_published,
    )
