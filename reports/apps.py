from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from django.db.models.signals import post_save

        from courses.models import QuizAttempt
        from graders.models import Submission
        from graders.signals import submission_marked
        from reports import catalogue, stats  # noqa: F401 (registers every report and the task)

        # Summary tables follow new work; see reports/stats.py for why these are signals.
        post_save.connect(
            stats.on_quiz_attempt_saved, sender=QuizAttempt, dispatch_uid="reports-quiz-attempt"
        )
        post_save.connect(
            stats.on_submission_saved, sender=Submission, dispatch_uid="reports-submission"
        )
        # Marking is a conditional UPDATE (no post_save); graders sends its own signal.
        submission_marked.connect(stats.on_submission_marked, dispatch_uid="reports-marked")
