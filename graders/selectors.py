"""Reads for submissions, always scoped to what the asking user may see."""

from django.db.models import QuerySet

from accounts.models import User
from graders.models import Submission


def submissions_visible_to(user: User) -> QuerySet[Submission]:
    """A learner: their own. A teacher: their own and their classes' learners'. An admin: all."""
    submissions = Submission.objects.select_related("exercise", "learner")
    if user.is_platform_admin:
        return submissions
    if user.is_teacher:
        taught = User.objects.filter(classrooms__teacher=user).values("pk")
        return submissions.filter(learner__in=taught) | submissions.filter(learner=user)
    return submissions.filter(learner=user)
