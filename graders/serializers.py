"""API shapes for submissions. Hidden tests carry pass/fail and points only (already so in the
stored results); reasons for review and worker details are for teachers and admins. Grading's
messages are stored in English and come out in the request's language (graders.messages)."""

from rest_framework import serializers

from graders.messages import translated
from graders.models import Submission


class TestResultSerializer(serializers.Serializer):
    grade_id = serializers.CharField()
    points = serializers.FloatField()
    max_points = serializers.FloatField()
    passed = serializers.BooleanField()
    message = serializers.CharField()
    hidden = serializers.BooleanField(default=False)


class SubmissionSerializer(serializers.ModelSerializer):
    tests = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField(
        help_text="Why grading failed or stopped early, in the request's language; empty if not."
    )
    exercise = serializers.PrimaryKeyRelatedField(read_only=True)
    learner = serializers.CharField(source="learner.username", read_only=True)

    class Meta:
        model = Submission
        fields = [
            "id",
            "exercise",
            "learner",
            "purpose",
            "language",
            "attempt",
            "status",
            "score",
            "max_score",
            "tests",
            "error",
            "sha256",
            "size",
            "received_at",
            "queued_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_tests(self, submission: Submission) -> list[dict]:
        keys = ("grade_id", "points", "max_points", "passed", "message", "hidden")
        tests = [{key: test.get(key) for key in keys} for test in submission.tests]
        for test in tests:
            test["message"] = translated(str(test["message"] or ""))
        return TestResultSerializer(tests, many=True).data

    def get_error(self, submission: Submission) -> str:
        return translated(submission.error)

    # drf-spectacular reads this to type the method field.
    get_tests.__annotations__["return"] = TestResultSerializer(many=True)


class StaffSubmissionSerializer(SubmissionSerializer):
    """What teachers and admins see in addition."""

    review_reasons = serializers.SerializerMethodField()

    def get_review_reasons(self, submission: Submission) -> list[str]:
        return [translated(str(reason)) for reason in submission.review_reasons or []]

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "review_reasons", "worker", "retries"]
        read_only_fields = fields


class SubmissionUploadSerializer(serializers.Serializer):
    notebook = serializers.FileField(help_text="The .ipynb file (multipart/form-data).")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
