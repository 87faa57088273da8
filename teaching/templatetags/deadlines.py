"""Deadlines on the learner's pages: one `{% load deadlines %}` and one tag per place.

    {% exercise_deadline exercise done %}   "Due Tue 3 Dec, 17:00 · Due in 2 days", the late
                                            policy in words, "Extended to …"; nothing when the
                                            learner has no deadline for it (`done`: optional,
                                            hides the countdown; default: work handed in)
    {% late_score exercise work %}          "— late 2 days: 6.4 counts" after the score of a late
                                            quiz answer, notebook submission or the notebook
                                            page's run
    {% due_soon %}                          the dashboard's "Due soon" list (next 7 days, not
                                            done); nothing when there is none

late_note() gives scripts the late note as JSON (the answers API, the notebook page's polling):
the same template rendered to text, so a result shown without a reload says what the page says.

Only the signed-in learner's own deadlines and work are ever read. The lesson page asks once
for every exercise card on it (the `cards` of its context) and the answer is kept on the
request, so the page costs one query for deadlines whatever the number of exercises.
Penalties come from teaching.policy.effective_score.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import datetime
from types import SimpleNamespace

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.timesince import timeuntil

from courses.models import QuizAttempt
from graders.models import Submission
from teaching.deadlines import LearnerDeadline, learner_deadlines
from teaching.deadlines import due_soon as due_soon_items
from teaching.marking import MarkValue, marked_score
from teaching.models import Mark
from teaching.policy import effective_score

register = template.Library()

# Attributes of the request where a page's answers are kept between its tags.
_DEADLINES = "_teaching_learner_deadlines"
_MARKS = "_teaching_learner_marks"


def _learner(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None, None
    return request, user


def _cards(context) -> list:
    """The lesson page's exercise cards (courses/views/lesson.py), if this is that page."""
    return [card for card in context.get("cards") or () if hasattr(card, "exercise")]


def deadline_of(context, exercise) -> LearnerDeadline | None:
    request, user = _learner(context)
    if user is None or exercise is None:
        return None
    known = request.__dict__.setdefault(_DEADLINES, {})
    if exercise.pk not in known:
        wanted = ({exercise.pk} | {card.exercise.pk for card in _cards(context)}) - known.keys()
        found = learner_deadlines(learner=user, exercises=wanted)
        known.update({pk: found.get(pk) for pk in wanted})
    return known[exercise.pk]


def _marks_of(context, submission_id: int) -> list[MarkValue]:
    """The teacher's marks of one of the learner's submissions; on the lesson page those of
    every notebook card's submission at once."""
    request, user = _learner(context)
    known = request.__dict__.setdefault(_MARKS, {})
    if submission_id not in known:
        wanted = {submission_id} | {
            card.submission.pk for card in _cards(context) if getattr(card, "submission", None)
        }
        wanted -= known.keys()
        for pk in wanted:
            known[pk] = []
        for pk, grade_id, score in Mark.objects.filter(
            submission_id__in=wanted, submission__learner=user
        ).values_list("submission_id", "grade_id", "score"):
            known[pk].append(MarkValue(grade_id, score))
    return known[submission_id]


def _status_words(deadline: LearnerDeadline, done: bool | None, now: datetime) -> dict:
    done = deadline.handed_in if done is None else bool(done)
    if deadline.overdue(now):
        return {"overdue": not done, "remaining": ""}
    return {"overdue": False, "remaining": "" if done else timeuntil(deadline.due_at, now, depth=1)}


@register.inclusion_tag("teaching/_deadline.html", takes_context=True)
def exercise_deadline(context, exercise, done=None) -> dict:
    deadline = deadline_of(context, exercise)
    if deadline is None:
        return {"deadline": None}
    return {
        "deadline": deadline,
        "exercise": exercise,
        **_status_words(deadline, done, timezone.now()),
    }


def _work(context, exercise, work) -> tuple[datetime, float | None, float, bool] | None:
    """(handed in at, score before lateness, maximum, whether the teacher's marks changed the
    score) of a quiz answer, a notebook submission or the notebook page's run; None for what
    does not count (checks, runs still waiting). A submission's score is the one that counts
    for the class: with the teacher's marks, as the gradebook has it."""
    if isinstance(work, QuizAttempt):
        return work.created_at, work.score, work.max_score, False
    if isinstance(work, Mapping):  # courses.views.notebook.runs.run_payload
        if work.get("purpose") != Submission.Purpose.SUBMIT or not work.get("final"):
            return None
        _request, user = _learner(context)
        work = (
            Submission.objects.counted()
            .filter(pk=work.get("id"), learner=user, exercise_id=exercise.pk)
            .only("id", "purpose", "received_at", "score", "max_score", "tests")
            .first()
        )
    if not isinstance(work, Submission) or work.purpose != Submission.Purpose.SUBMIT:
        return None
    maximum = work.max_score if work.max_score is not None else exercise.max_score
    marks = _marks_of(context, work.pk)
    score = marked_score(score=work.score, max_score=maximum, tests=work.tests or [], marks=marks)
    return work.received_at, score, maximum, bool(marks) and score != work.score


@register.inclusion_tag("teaching/_deadline_late.html", takes_context=True)
def late_score(context, exercise, work) -> dict:
    return _late(context, exercise, work)


def _late(context, exercise, work) -> dict:
    deadline = deadline_of(context, exercise)
    if deadline is None or work is None:
        return {"effective": None}
    facts = _work(context, exercise, work)
    if facts is None:
        return {"effective": None}
    submitted_at, score, maximum, marked = facts
    effective = effective_score(
        score=score, max_score=maximum, submitted_at=submitted_at, deadline=deadline.deadline
    )
    if not effective.late or effective.score is None:
        return {"effective": None}
    return {
        "effective": effective,
        "marked": marked,
        "exercise": exercise,
    }


def late_note(*, learner, exercise, work, request=None) -> dict | None:
    """`learner`'s late quiz answer or notebook submission for JSON: {"days": 2, "score": 1.6,
    "text": "— late 2 days: 1.6 counts"} (score: what counts after the penalty; text: the
    tag's words, in the active language, as plain text); None when it is not late work.

    `request` (the learner's own) keeps the answers between calls, as on a page; without it
    each call asks afresh.
    """
    holder = request if request is not None else SimpleNamespace(user=learner)
    context = {"request": holder}
    facts = _late(context, exercise, work)
    effective = facts["effective"]
    if effective is None:
        return None
    rendered = render_to_string("teaching/_deadline_late.html", facts)
    return {
        "days": effective.days_late,
        "score": effective.score,
        "text": " ".join(html.unescape(strip_tags(rendered)).split()),
    }


@register.inclusion_tag("teaching/_deadline_due_soon.html", takes_context=True)
def due_soon(context) -> dict:
    _request, user = _learner(context)
    if user is None:
        return {"items": []}
    now = timezone.now()
    return {
        "items": [
            {"item": item, **_status_words(item.deadline, False, now)}
            for item in due_soon_items(learner=user, now=now)
        ]
    }
