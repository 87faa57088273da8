"""Template helpers for the learner pages: course content in the learner's language, Markdown
made safe, asset paths, scores and age bands.

    {% load learn %}
    {{ lesson|localized:"title" }}      title_zh in Chinese (if written), else title_en
    {{ lesson.body_en|markdown:base }}  sanitised HTML; relative images under `base`
    {{ "img/cat.png"|asset:base }}      a course asset's URL
    {{ attempt.score|score }}           1.0 → "1", 0.8333 → "0.83"
    {{ course.age_band|band_label }}    "6-8" → "Ages 6-8"
    {% age_bands as bands %}            the five bands with a line on what each learns
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from courses.localization import localized as localized_text
from courses.markdown import render_markdown, resolve_asset
from courses.models import AgeBand

register = template.Library()

# What each band learns, in a line a parent or a teacher can read (CURRICULUM.md).
BAND_SUMMARIES = {
    AgeBand.AGES_6_8: _(
        "Pictures, sorting and matching: find the sensors in a robot, sort things by how they "
        "look, see how labelled examples teach a machine, and meet chatbots safely."
    ),
    AgeBand.AGES_9_11: _(
        "How machines see, decide and read: pictures as grids of numbers, decision trees, a "
        "tiny neuron, training and test data, and chatbots as clever guessers."
    ),
    AgeBand.AGES_12_14: _(
        "How machine learning works: features, accuracy and baselines, unbalanced classes, "
        "search, open and closed language models, and spotting mistakes in generated text."
    ),
    AgeBand.AGES_15_17: _(
        "Build it yourself in Python notebooks: images as arrays, nearest neighbours, search on "
        "a grid, what a language model does, and measuring whether a model is fair."
    ),
    AgeBand.ADULT: _(
        "The whole picture: evidence and Bayes, images as arrays, a bigram language model, "
        "what models cost, open and closed models, privacy and using AI honestly."
    ),
}


@register.filter
def localized(source, field: str) -> str:
    """The `field_zh` or `field_en` text of a model or a dict, in the active language."""
    return localized_text(source, field)


@register.filter
def markdown(text: str, base: str | None = None):
    """Markdown rendered and sanitised (courses.markdown): safe to output as it is."""
    return render_markdown(text or "", base=base or None)


@register.filter
def asset(path: str, base: str | None = None) -> str:
    return resolve_asset(path or "", base or None)


@register.filter
def score(value) -> str:
    """A score without float noise: whole numbers bare, others to two decimals at most."""
    if value is None or value == "":
        return ""
    try:
        number = round(float(value), 2)
    except (TypeError, ValueError):
        return ""
    return str(int(number)) if number.is_integer() else str(number)


@register.filter
def band_label(value: str) -> str:
    try:
        return AgeBand(value).label
    except ValueError:
        return ""


@register.simple_tag
def age_bands() -> list[dict]:
    return [
        {"value": band.value, "label": band.label, "summary": BAND_SUMMARIES[band]}
        for band in AgeBand
    ]
