"""REST API for quiz answers: views only translate HTTP to services and selectors.

Status codes: 201 marked and stored; 400 malformed answer, or a notebook exercise (those take
submissions); 404 an exercise the caller cannot see; 409 no attempts left (the request is fine,
the learner's state forbids it: 409 Conflict rather than 403, which would read as "not allowed
to see this"); 413 a body far larger than any answer.
"""

import codecs
import json

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils import json as strict_json

from courses import selectors, services
from courses.serializers import AnswerResultSerializer, AnswerSerializer, QuizAttemptSerializer
from graders.serializers import ErrorSerializer

# Answers are a few ids or a line of text; the largest legitimate one is a few kilobytes.
MAX_ANSWER_BODY_BYTES = 64 * 1024


class AnswerTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request is too large for an answer.")
    default_code = "too_large"


class AnswerJSONParser(JSONParser):
    """JSON, size-capped, and a 400 (not a 500) for nesting too deep for Python's decoder."""

    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            raise ParseError(_("Send the answer as JSON."))
        body = stream.read(MAX_ANSWER_BODY_BYTES + 1)
        if len(body) > MAX_ANSWER_BODY_BYTES:
            raise AnswerTooLarge()
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            text = codecs.decode(body, encoding)
            constant = strict_json.strict_constant if api_settings.STRICT_JSON else None
            return json.loads(text, parse_constant=constant)
        except (ValueError, LookupError, RecursionError) as error:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": error}) from None


ERRORS = {
    400: OpenApiResponse(
        ErrorSerializer, description="A malformed answer, or a notebook exercise."
    ),
    404: OpenApiResponse(ErrorSerializer, description="No such exercise visible to the caller."),
    409: OpenApiResponse(ErrorSerializer, description="No attempts left."),
    413: OpenApiResponse(ErrorSerializer, description="The body is too large for an answer."),
}


class ExerciseAnswersView(generics.ListCreateAPIView):
    """The caller's own answers to a quiz exercise; POST answers it and is marked at once."""

    parser_classes = [AnswerJSONParser]
    serializer_class = QuizAttemptSerializer

    def exercise(self):
        if not hasattr(self, "_exercise"):
            exercises = selectors.exercises_visible_to(self.request.user)
            self._exercise = get_object_or_404(exercises, pk=self.kwargs["exercise_id"])
        return self._exercise

    def get_queryset(self):
        return selectors.quiz_attempts_of(learner=self.request.user, exercise=self.exercise())

    @extend_schema(
        responses={200: QuizAttemptSerializer(many=True), 400: ERRORS[400], 404: ERRORS[404]},
        description="The caller's own answers to a quiz exercise, newest first, with feedback "
        "in the request's language.",
    )
    def get(self, request: Request, exercise_id: int) -> Response:
        if self.exercise().is_notebook:
            return _notebook_error()
        return self.list(request)

    @extend_schema(
        request=AnswerSerializer,
        responses={201: AnswerResultSerializer, **ERRORS},
        description="Answer a quiz exercise. The answer is marked at once; feedback and the "
        "explanation come in the request's language (Accept-Language, or the language chosen "
        "on the site). A malformed answer is rejected with 400 and does not use an attempt.",
    )
    def post(self, request: Request, exercise_id: int) -> Response:
        exercise = self.exercise()
        if exercise.is_notebook:
            return _notebook_error()
        serializer = AnswerSerializer(data=request.data)
        if not serializer.is_valid():
            return _error(_('Send the answer as a JSON object: {"answer": …}.'), 400)
        try:
            attempt = services.quiz_answer_submit(
                learner=request.user, exercise=exercise, answer=serializer.validated_data["answer"]
            )
        except services.QuizAnswerRejected as rejection:
            return _error(rejection.message(), rejection.status_code)
        data = AnswerResultSerializer(attempt, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


def _notebook_error() -> Response:
    rejection = services.notebook_rejection()
    return _error(rejection.message(), rejection.status_code)


def _error(message: str, code: int) -> Response:
    return Response({"detail": message}, status=code)
