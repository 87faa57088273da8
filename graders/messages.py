"""The words grading stores for people to read, and their translation where they are shown.

Grading runs in a worker that serves everyone, so it cannot write in the reader's language; the
CLI, the API and other code (teaching.marking, courses.publishing) also read what it stores. So a
submission's error, its tests' messages and its review reasons are always stored in English: each
message is declared here once as a msgid (gettext_noop: extracted for the catalogue, never
translated when stored), and `translated()` turns a stored message into the reader's language
when a page, the notebook page's JSON or the API shows it.

Messages with values ("A cell ran longer than 30 seconds and was stopped.") are stored filled in,
still plain English: stored rows stay readable and comparable, and need no second field for the
values. `translated()` recognises them by a pattern made from their msgid (each value matched by
its own expression, so a learner's exception text such as "ValueError: 3 of 4." is not mistaken
for one) and fills the translated msgid with the same values. Anything not declared here — the
learner's own error ("NameError: name 'x' is not defined"), an older row's text — is shown as
stored.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop

# --- a submission's error (Submission.error) ---------------------------------------------------
TIMED_OUT = gettext_noop("Grading took too long and was stopped.")
RETRIES_EXHAUSTED = gettext_noop(
    "We could not grade this submission after several tries. Please submit it again, "
    "and tell your teacher if this keeps happening."
)
DID_NOT_RUN = gettext_noop("The notebook did not run.")
NOT_STARTED = gettext_noop("The notebook could not be started in the sandbox.")
OUT_OF_TIME = gettext_noop("The notebook ran out of time.")
TOO_MUCH_OUTPUT = gettext_noop("The notebook printed too much output and was stopped.")
CELL_TIMEOUT = gettext_noop("A cell ran longer than %(seconds)s seconds and was stopped.")
PROCESS_DIED = gettext_noop(
    "The notebook's Python process stopped (it may have run out of memory)."
)
KERNEL_PROTOCOL = gettext_noop("The notebook's kernel sent messages the grader could not accept.")

# --- a test's message (Submission.tests[].message) ---------------------------------------------
PASSED = gettext_noop("Passed.")
FAILED = gettext_noop("Failed.")
UNANSWERED = gettext_noop("No answer was given.")
REVIEW = gettext_noop("Waiting for a teacher to mark this answer.")
TEST_NOT_RUN = gettext_noop("Not run: the notebook stopped before this test.")
TEST_TIMEOUT = gettext_noop("Stopped: this test ran out of time.")
TEST_DIED = gettext_noop("Stopped: the notebook's Python process ended during this test.")
TEST_OUTPUT_LIMIT = gettext_noop("Stopped: too much output.")
TEST_UNREADABLE = gettext_noop("The kernel's answer could not be read.")
PARTIAL_CREDIT = gettext_noop("Partial credit: %(points)s of %(max)s.")
# Translators: a hidden test's partial points, e.g. "1.5 of 2."
HIDDEN_POINTS = gettext_noop("%(points)s of %(max)s.")

# --- why a person must look (Submission.review_reasons; teachers see these) ---------------------
TAMPER_REASON = gettext_noop(
    "The grading checks did not behave as expected, so this result needs a teacher's review."
)
MARKED_BY_TEACHER = gettext_noop("'%(grade_id)s' is marked by a teacher.")

# A number as grading writes points and seconds (Python's :g): 2, 1.5, 0.25, 1e+06.
_NUMBER = r"-?\d+(?:\.\d+)?(?:e[-+]\d+)?"

_EXACT = frozenset(
    {
        TIMED_OUT,
        RETRIES_EXHAUSTED,
        DID_NOT_RUN,
        NOT_STARTED,
        OUT_OF_TIME,
        TOO_MUCH_OUTPUT,
        PROCESS_DIED,
        KERNEL_PROTOCOL,
        PASSED,
        FAILED,
        UNANSWERED,
        REVIEW,
        TEST_NOT_RUN,
        TEST_TIMEOUT,
        TEST_DIED,
        TEST_OUTPUT_LIMIT,
        TEST_UNREADABLE,
        TAMPER_REASON,
    }
)


def _pattern(msgid: str, **values: str) -> re.Pattern:
    """The stored text of `msgid` filled in, each %(name)s matched by values[name]."""
    parts = re.split(r"%\((\w+)\)s", msgid)
    regex = "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>{values[part]})"
        for index, part in enumerate(parts)
    )
    return re.compile(rf"\A{regex}\Z", re.DOTALL)


_FILLED = (
    (_pattern(CELL_TIMEOUT, seconds=_NUMBER), CELL_TIMEOUT),
    (_pattern(PARTIAL_CREDIT, points=_NUMBER, max=_NUMBER), PARTIAL_CREDIT),
    (_pattern(HIDDEN_POINTS, points=_NUMBER, max=_NUMBER), HIDDEN_POINTS),
    # A grade_id is the teacher's name for a cell: anything but a line break.
    (_pattern(MARKED_BY_TEACHER, grade_id=r"[^\n]+"), MARKED_BY_TEACHER),
)


def translated(message: str) -> str:
    """A stored grading message in the active language; anything unknown as it is."""
    if not message:
        return message
    if message in _EXACT:
        return gettext(message)
    for pattern, msgid in _FILLED:
        found = pattern.match(message)
        if found:
            return gettext(msgid) % found.groupdict()
    return message
