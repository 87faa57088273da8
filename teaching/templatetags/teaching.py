"""Template helpers of the teaching pages, and the teacher's marks on a learner's notebook page.

The notebook page (courses/templates/courses/notebook/exercise.html) shows the marks with
`{% load teaching %}{% teacher_marks exercise %}`: only the signed-in learner's own submissions,
never anyone else's.
"""

from __future__ import annotations

from django import template

from graders.models import Submission
from teaching.export import points as format_points
from teaching.marking import MarkValue, marked_score
from teaching.models import Mark
from teaching.models.marks import WHOLE

register = template.Library()


@register.filter
def points(value) -> str:
    """4.5, 10, 0.75: points as people write them."""
    return format_points(value)


@register.inclusion_tag("teaching/_learner_marks.html", takes_context=True)
def teacher_marks(context, exercise) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"marked": []}
    marks = list(
        Mark.objects.filter(submission__learner=user, submission__exercise=exercise)
        .filter(submission__purpose=Submission.Purpose.SUBMIT)
        .order_by("-submission__attempt", "grade_id")
    )
    if not marks:
        return {"marked": []}
    submissions = {
        submission.pk: submission
        for submission in Submission.objects.filter(
            pk__in={mark.submission_id for mark in marks}
        ).only("id", "attempt", "score", "max_score", "tests")
    }
    marked = []
    for submission_id in dict.fromkeys(mark.submission_id for mark in marks):
        submission = submissions[submission_id]
        own = [mark for mark in marks if mark.submission_id == submission_id]
        max_points = {
            str(test.get("grade_id")): test.get("max_points")
            for test in submission.tests or []
            if isinstance(test, dict)
        }
        marked.append(
            {
                "attempt": submission.attempt,
                "score": marked_score(
                    score=submission.score,
                    max_score=submission.max_score,
                    tests=submission.tests or [],
                    marks=[MarkValue(mark.grade_id, mark.score) for mark in own],
                ),
                "max_score": submission.max_score,
                "whole": next((mark for mark in own if mark.grade_id == WHOLE), None),
                "cells": [
                    {"mark": mark, "max_points": max_points.get(mark.grade_id)}
                    for mark in own
                    if mark.grade_id != WHOLE
                ],
            }
        )
    return {"marked": marked}
