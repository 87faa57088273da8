"""Quiz exercises as HTML forms that work without JavaScript, and form posts back as answers.

Three shapes of the same thing:
- the *answer*, the JSON value courses.quiz marks (spec and answer shapes in courses/quiz);
- the *state* of the form: what each control shows as chosen (from the learner's last answer, or
  from what they just posted when it was rejected);
- the *form* the template draws: controls with labels, ids and pictures.

Form field names: "answer" for choice, true/false, numeric and short text; "item-<n>" (ordering:
a place 1…N; categorise: a group id) and "left-<n>" (match: a right id), where n is the item's
index in the spec, so odd characters in authors' ids never reach a field name. Every control's
value is an id from the spec, so shuffling what is shown changes nothing about the answer.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from courses import quiz
from courses.localization import localized
from courses.markdown import resolve_asset
from courses.models import Exercise

Kind = Exercise.Kind
_PLACE = re.compile(r"[0-9]{1,4}")


class FormProblem(ValueError):
    """A post that cannot become an answer at all (two items in one place of an order)."""


@dataclass
class Choice:
    """One option, item, group or partner, as shown."""

    id: str
    text: str
    image: str = ""  # a URL, already resolved against the course's assets
    alt: str = ""
    input_id: str = ""
    name: str = ""  # for items that carry their own control
    checked: bool = False
    value: str = ""  # the control's current value (a place, a group id, a partner id)

    @property
    def label(self) -> str:
        """Words for places a picture cannot go (a <select>'s options)."""
        return self.text or self.alt


@dataclass
class QuizForm:
    kind: str
    template: str
    dom_id: str  # prefix of every control's id on the page
    choices: list[Choice] = field(default_factory=list)  # options / items / left items
    targets: list[Choice] = field(default_factory=list)  # groups (categorise), partners (match)
    places: list[int] = field(default_factory=list)  # ordering: 1…N
    value: str = ""  # numeric and short text
    unit: str = ""  # numeric
    has_pictures: bool = False  # among the options or items
    targets_have_pictures: bool = False


def _rng(exercise: Exercise, learner) -> random.Random:
    """Stable per learner and exercise: a reload does not reshuffle what they are looking at."""
    who = learner.pk if getattr(learner, "is_authenticated", False) else "anonymous"
    return random.Random(f"{who}:{exercise.pk}")  # noqa: S311 — shuffling, not secrecy


def _shuffled(entries: list[dict], rng: random.Random, *, avoid_original: bool) -> list[dict]:
    order = list(entries)
    rng.shuffle(order)
    if avoid_original and len(order) > 1 and order == list(entries):
        order = order[1:] + order[:1]  # an ordering shown in its right order gives it away
    return order


def _choice(entry: dict, base: str | None, **extra) -> Choice:
    image = entry.get("image") or ""
    return Choice(
        id=entry["id"],
        text=localized(entry, "text"),
        image=resolve_asset(image, base) if image else "",
        alt=localized(entry, "alt") if image else "",
        **extra,
    )


# --- state ------------------------------------------------------------------------------------


def state_from_answer(exercise: Exercise, answer: Any) -> Any:
    """The form state showing a stored answer (already valid: it was marked)."""
    if exercise.kind == Kind.ORDERING and isinstance(answer, list):
        return {item_id: place for place, item_id in enumerate(answer, start=1)}
    if exercise.kind == Kind.NUMERIC and answer is not None:
        return str(answer)
    return answer


def state_from_post(exercise: Exercise, data) -> Any:
    """What the learner chose in the posted form, as raw as it came (checked later)."""
    spec, kind = exercise.spec, exercise.kind
    if kind == Kind.MULTIPLE_CHOICE:
        return data.getlist("answer")
    if kind in (Kind.SINGLE_CHOICE, Kind.NUMERIC, Kind.SHORT_TEXT):
        return data.get("answer")
    if kind == Kind.TRUE_FALSE:
        return {"true": True, "false": False}.get(data.get("answer", ""))
    if kind == Kind.ORDERING:
        places = {}
        for index, item in enumerate(spec["items"]):
            value = data.get(f"item-{index}", "")
            # ASCII digits only, and few: int() refuses "²" and 5000-digit strings with errors.
            if _PLACE.fullmatch(value):
                places[item["id"]] = int(value)
        return places
    if kind == Kind.CATEGORISE:
        entries, prefix = spec["items"], "item"
    else:  # match
        entries, prefix = spec["left"], "left"
    chosen = {}
    for index, entry in enumerate(entries):
        value = data.get(f"{prefix}-{index}", "")
        if value:
            chosen[entry["id"]] = value
    return chosen


def answer_from_state(exercise: Exercise, state: Any) -> Any:
    """The answer to mark. Shapes the quiz rejects are passed on for it to explain; only an
    order with two items in one place is refused here (FormProblem), as no list expresses it."""
    if exercise.kind != Kind.ORDERING:
        return state
    by_place: dict[int, str] = {}
    for item_id, place in state.items():
        if place in by_place:
            raise FormProblem(
                _("Two items are in place %(place)d: give each item its own place.")
                % {"place": place}
            )
        by_place[place] = item_id
    # Items without a place are left out, so the quiz says every item must be placed.
    return [by_place[place] for place in sorted(by_place)]


# --- the form ---------------------------------------------------------------------------------


def build_form(exercise: Exercise, *, learner, base: str | None, state: Any) -> QuizForm:
    """The controls for one quiz exercise, showing `state` (None: nothing chosen yet)."""
    spec, kind = exercise.spec, exercise.kind
    dom_id = f"exercise-{exercise.pk}"
    form = QuizForm(kind=kind, template=f"courses/quiz/{kind}.html", dom_id=dom_id)
    rng = _rng(exercise, learner)
    if kind in (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE):
        chosen = set(state if isinstance(state, list) else [state] if state else [])
        for index, option in enumerate(spec["options"]):
            form.choices.append(
                _choice(
                    option,
                    base,
                    input_id=f"{dom_id}-option-{index}",
                    checked=option["id"] in chosen,
                )
            )
    elif kind == Kind.TRUE_FALSE:
        form.choices = [
            Choice("true", _("True"), input_id=f"{dom_id}-true", checked=state is True),
            Choice("false", _("False"), input_id=f"{dom_id}-false", checked=state is False),
        ]
    elif kind in (Kind.NUMERIC, Kind.SHORT_TEXT):
        form.value = state if isinstance(state, str) else ""
        form.unit = localized(spec, "unit") if kind == Kind.NUMERIC else ""
    elif kind == Kind.ORDERING:
        places = state if isinstance(state, dict) else {}
        index_of = {item["id"]: index for index, item in enumerate(spec["items"])}
        shown = _shuffled(spec["items"], rng, avoid_original=True)
        if places:
            # Show the learner's own order; items they left unplaced go last.
            last = len(shown) + 1
            shown.sort(key=lambda item: places.get(item["id"], last))
        for position, item in enumerate(shown, start=1):
            index = index_of[item["id"]]
            form.choices.append(
                _choice(
                    item,
                    base,
                    input_id=f"{dom_id}-item-{index}",
                    name=f"item-{index}",
                    value=str(places.get(item["id"], position) if places else position),
                )
            )
        form.places = list(range(1, len(shown) + 1))
    else:  # categorise, match: a <select> per item of the one side, offering the other side
        items_key, targets_key, prefix = (
            ("items", "categories", "item")
            if kind == Kind.CATEGORISE
            else ("left", "right", "left")
        )
        chosen = state if isinstance(state, dict) else {}
        index_of = {entry["id"]: index for index, entry in enumerate(spec[items_key])}
        items = spec[items_key]
        if kind == Kind.CATEGORISE:
            items = _shuffled(items, rng, avoid_original=False)
        for entry in items:
            index = index_of[entry["id"]]
            form.choices.append(
                _choice(
                    entry,
                    base,
                    input_id=f"{dom_id}-{prefix}-{index}",
                    name=f"{prefix}-{index}",
                    value=str(chosen.get(entry["id"], "")),
                )
            )
        targets = spec[targets_key]
        if kind == Kind.MATCH:
            targets = _shuffled(targets, rng, avoid_original=False)
        form.targets = [_choice(target, base) for target in targets]
    form.has_pictures = any(choice.image for choice in form.choices)
    form.targets_have_pictures = any(target.image for target in form.targets)
    return form


def spec_problems(exercise: Exercise) -> list[str]:
    """Problems with a stored definition; a broken one is shown as unavailable, not drawn."""
    return quiz.validate_spec(exercise.kind, exercise.spec)
