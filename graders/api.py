"""REST API for submissions: views only translate HTTP to services and selectors."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from courses import selectors as course_selectors
from courses.models import Exercise
from graders import notebook, selectors, services
from graders.models import Submission
from graders.serializers import (
    ErrorSerializer,
    StaffSubmissionSerializer,
    SubmissionSerializer,
    SubmissionUploadSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Not a valid notebook."),
    413: OpenApiResponse(ErrorSerializer, description="The notebook is too large."),
    429: OpenApiResponse(ErrorSerializer, description="Too many submissions."),
}


def serializer_for(user):
    # getattr: the schema generator asks with an AnonymousUser.
    staff = getattr(user, "is_teacher", False) or getattr(user, "is_platform_admin", False)
    return StaffSubmissionSerializer if staff else SubmissionSerializer


class BadRequest(APIException):
    status_code = 400
    default_detail = "Bad request."


class RawJSONParser(JSONParser):
    """Accept application/json without decoding it here: the service stores the exact bytes."""

    def parse(self, stream, media_type=None, parser_context=None):
        return {}


class ExerciseSubmissionsView(generics.ListCreateAPIView):
    """The caller's own attempts at an exercise; POST submits a notebook."""

    parser_classes = [MultiPartParser, RawJSONParser]

    def get_serializer_class(self):
        return serializer_for(self.request.user)

    def exercise(self):
        exercises = course_selectors.exercises_visible_to(self.request.user)
        exercise = get_object_or_404(exercises, pk=self.kwargs["exercise_id"])
        if exercise.kind != Exercise.Kind.NOTEBOOK:
            raise BadRequest(_("This exercise takes answers, not a notebook."))
        return exercise

    def get_queryset(self):
        # Real attempts by default; `?purpose=check` lists the caller's checks instead.
        purpose = self.request.query_params.get("purpose", Submission.Purpose.SUBMIT)
        if purpose not in Submission.Purpose.values:
            raise BadRequest(_("purpose must be 'submit' or 'check'."))
        return (
            self.exercise()
            .submissions.filter(learner=self.request.user, purpose=purpose)
            .select_related("learner")
            .order_by("-attempt", "-received_at", "-id")
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "purpose",
                str,
                enum=list(Submission.Purpose.values),
                description="`submit` (the default): graded attempts. `check`: the notebook "
                "page's runs of the visible tests, which are not attempts and carry no score.",
            )
        ]
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request={
            "multipart/form-data": SubmissionUploadSerializer,
            "application/json": OpenApiTypes.OBJECT,
        },
        responses={201: SubmissionSerializer, **ERRORS},
        description="Submit a notebook: a multipart upload in `notebook`, or the notebook itself "
        "as the JSON body. Grading happens in the background; poll the submission. The request's "
        "language (`Accept-Language: zh-hans`) picks the exercise's Chinese notebook, if it has "
        "one, to grade against; the submission's `language` says which was used.",
    )
    def post(self, request: Request, exercise_id: int) -> Response:
        exercise = self.exercise()
        limit = settings.GRADER_MAX_NOTEBOOK_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _error(_("The Content-Length header is not a number."), 400)
        if declared > limit + 100_000:
            return _error(str(notebook.too_large(declared, limit)), 413)
        content = self._content(request)
        if isinstance(content, int):
            return _error(str(notebook.too_large(content, limit)), 413)
        try:
            # The request's language (Accept-Language, the language cookie): a learner working
            # in Chinese is graded against the Chinese notebook when the exercise has one.
            submission = services.submission_create(
                learner=request.user,
                exercise=exercise,
                content=content,
                language=translation.get_language(),
            )
        except services.SubmissionRejected as rejection:
            return _error(rejection.message, rejection.status_code)
        data = serializer_for(request.user)(submission).data
        return Response(data, status=status.HTTP_201_CREATED)

    def _content(self, request: Request) -> bytes | int:
        """The submitted bytes, or the size of an upload too large to read."""
        if request.content_type.startswith("multipart/form-data"):
            upload = request.FILES.get("notebook")
            if upload is None:
                raise BadRequest(_("Attach the notebook file in the field 'notebook'."))
            if upload.size > settings.GRADER_MAX_NOTEBOOK_BYTES:
                return upload.size
            return upload.read()
        return request.body


class SubmissionDetailView(generics.RetrieveAPIView):
    """One submission: status, score and per-test feedback (hidden tests: pass/fail only)."""

    def get_serializer_class(self):
        return serializer_for(self.request.user)

    def get_queryset(self):
        # A check is visible here too, marked by its `purpose`, so its page can poll it.
        return selectors.submissions_visible_to(self.request.user, include_checks=True)


def _error(message: str, code: int) -> Response:
    return Response({"detail": message}, status=code)
