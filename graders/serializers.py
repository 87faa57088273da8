"""API shapes for submissions. Hidden tests carry pass/fail and points only (already so in the
stored results); reasons for review and worker details are for teachers and admins."""

from rest_framework import serializers

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
        return TestResultSerializer(
            [{key: test.get(key) for key in keys} for test in submission.tests], many=True
        ).data

    # drf-spectacular reads this to type the method field.
    get_tests.__annotations__["return"] = TestResultSerializer(many=True)


class StaffSubmissionSerializer(SubmissionSerializer):
    """What teachers and admins see in addition."""

    class Meta(SubmissionSerializer.Meta):
        fields = [*SubmissionSerializer.Meta.fields, "review_reasons", "worker", "retries"]
        read_only_fields = fields


class SubmissionUploadSerializer(serializers.Serializer):
    notebook = serializers.FileField(help_text="The .ipynb file (multipart/form-data).")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
