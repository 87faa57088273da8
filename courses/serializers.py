"""API shapes for quiz answers. Learner-facing text comes in the request's language."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from courses import selectors
from courses.localization import localized
from courses.models import QuizAttempt
from teaching.templatetags.deadlines import late_note


@extend_schema_field(OpenApiTypes.ANY)
class AnyJSONField(serializers.JSONField):
    """Any JSON value: a string, a number, a boolean, a list or an object, depending on the kind."""


class AnswerSerializer(serializers.Serializer):
    # Null is let through so the quiz kind explains what it expected instead.
    answer = AnyJSONField(
        allow_null=True,
        help_text="The answer; its shape depends on the exercise's kind: an option id "
        '("b") for single choice, a list of ids for multiple choice and ordering, true/false, '
        "a number (or the typed text) for numeric, text for short text, and an object "
        '{"item id": "group id"} or {"left id": "right id"} for categorise and match.',
    )


class LateSerializer(serializers.Serializer):
    days = serializers.IntegerField(help_text="Started days after the learner's deadline.")
    score = serializers.FloatField(help_text="The score that counts, after the late penalty.")
    text = serializers.CharField(
        help_text='What the page says, e.g. "— late 2 days: 1.6 counts", in the request\'s '
        "language."
    )


class QuizAttemptSerializer(serializers.ModelSerializer):
    exercise = serializers.PrimaryKeyRelatedField(read_only=True)
    answer = AnyJSONField(read_only=True)
    feedback = serializers.SerializerMethodField()
    late = serializers.SerializerMethodField(
        help_text="Null unless the answer came after the learner's deadline in a class."
    )

    class Meta:
        model = QuizAttempt
        fields = [
            "id",
            "exercise",
            "attempt",
            "answer",
            "correct",
            "score",
            "max_score",
            "feedback",
            "late",
            "created_at",
        ]
        read_only_fields = fields

    def get_feedback(self, attempt: QuizAttempt) -> str:
        return attempt.feedback()

    def get_late(self, attempt: QuizAttempt) -> dict | None:
        # The deadlines' own rule and words (teaching.policy through the late note's template).
        return late_note(
            learner=attempt.learner,
            exercise=attempt.exercise,
            work=attempt,
            request=self.context.get("request"),
        )

    # drf-spectacular reads this to type the method field.
    get_late.__annotations__["return"] = LateSerializer(allow_null=True)


class AnswerResultSerializer(QuizAttemptSerializer):
    """An attempt just marked, with what the learner may do next."""

    explanation = serializers.SerializerMethodField(
        help_text="The exercise's explanation, once the learner is done: answered correctly or "
        "out of attempts. Empty before that, so it cannot give the answer away."
    )
    attempts_left = serializers.SerializerMethodField(help_text="Null: no limit.")

    class Meta(QuizAttemptSerializer.Meta):
        fields = [*QuizAttemptSerializer.Meta.fields, "explanation", "attempts_left"]
        read_only_fields = fields

    def get_attempts_left(self, attempt: QuizAttempt) -> int | None:
        return selectors.attempts_left(
            exercise=attempt.exercise, used=attempt.attempt, learner=attempt.learner
        )

    def get_explanation(self, attempt: QuizAttempt) -> str:
        if attempt.correct or self.get_attempts_left(attempt) == 0:
            return localized(attempt.exercise, "explanation")
        return ""
