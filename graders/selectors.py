"""Reads for submissions and drafts, always scoped to what the asking user may see."""

from django.db.models import QuerySet

from accounts.models import User
from courses.models import Exercise
from graders.models import Draft, Submission


def submissions_visible_to(user: User, *, include_checks: bool = False) -> QuerySet[Submission]:
    """A learner: their own. A teacher: their own and their classes' learners'. An admin: all.

    Checks (visible tests only, not counted) are left out unless `include_checks`: lists,
    progress and gradebooks show real attempts only.
    """
    submissions = Submission.objects.select_related("exercise", "learner")
    if not include_checks:
        submissions = submissions.counted()
    if user.is_platform_admin:
        return submissions
    if user.is_teacher:
        taught = User.objects.filter(classrooms__teacher=user).values("pk")
        return submissions.filter(learner__in=taught) | submissions.filter(learner=user)
    return submissions.filter(learner=user)


def notebook_runs_of(*, learner: User, exercise: Exercise) -> QuerySet[Submission]:
    """A learner's own submissions and checks of one exercise, newest first (the notebook page)."""
    return (
        Submission.objects.filter(learner=learner, exercise=exercise)
        .defer("content")
        .order_by("-received_at", "-id")
    )


def draft_cells(*, learner: User, exercise: Exercise) -> dict[str, str]:
    """The learner's saved answers ({grade_id: source}), or {} when there is no draft."""
    draft = Draft.objects.filter(learner=learner, exercise=exercise).only("cells").first()
    return dict(draft.cells) if draft is not None and isinstance(draft.cells, dict) else {}
