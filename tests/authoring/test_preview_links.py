"""A preview of a course being written keeps every link into the course inside the preview,
with no script: the learner templates take their URLs from the view, and the preview views pass
the preview's. A draft's lessons and exercises have no learner pages (404), so a link to one
would be a dead end; the learner pages themselves still link to the learner's URLs."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from courses import services
from courses.models import Exercise, Lesson
from courses.publishing import course_draft_for
from tests import factories
from tests.authoring.conftest import make_lesson

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"]*)"')
# The site's own navigation (templates/base.html): the same on every page.
SITE = ("/static/", "/courses/", "/dashboard/", "/accounts/", "/i18n/", "/classes/", "/teach")


def attach_notebook(owner, lesson, position=5):
    exercise = services.exercise_create_notebook(
        owner=owner, title="Guess", source=factories.demo_source(), is_published=True
    )
    exercise.lesson, exercise.position = lesson, position
    exercise.key = "guess"
    exercise.save()
    return exercise


@pytest.fixture
def drafted(world):
    """The published course with a notebook in its lesson and a second lesson, then its draft."""
    live = world.published
    attach_notebook(world.teacher, world.published_lesson)
    make_lesson(live, "Second lesson", unit=world.published_lesson.unit)
    draft = course_draft_for(course=live, user=world.teacher)
    return live, draft


def links(html: str) -> list[str]:
    return HREF.findall(html)


def into_the_course(href: str, *courses) -> bool:
    """A link to a learner page of these courses, their lessons or their exercises."""
    learner_pages = tuple(f"/courses/{course.slug}/" for course in courses)
    return href.startswith((*learner_pages, "/exercises/", "/api/"))


def test_a_draft_lessons_preview_links_only_to_previews(client, world, drafted):
    live, draft = drafted
    lesson = Lesson.objects.filter(unit__course=draft).order_by("position", "id").first()
    notebook = Exercise.objects.get(lesson=lesson, kind=Exercise.Kind.NOTEBOOK)
    client.force_login(world.teacher)
    url = world.url("preview_lesson", pk=live.pk, lesson_id=lesson.pk)
    html = client.get(url).content.decode()

    hrefs = links(html)
    assert not [href for href in hrefs if into_the_course(href, live, draft)]
    # The breadcrumb's lesson is this preview; the course leads back to its outline.
    assert f'<a href="{url}" aria-current="page">' in html
    assert f'<a href="{world.url("course", pk=live.pk)}">{draft.title_en}</a>' in html
    # The notebook card opens the notebook's preview, with no script to point it there.
    notebook_url = world.url("preview_notebook", pk=live.pk, exercise_id=notebook.pk)
    assert f'id="exercise-{notebook.pk}-open" href="{notebook_url}"' in html
    # Anything else it links to is a preview or an authoring page of this course, or the site's.
    ours = f"/teach/courses/{live.pk}/"
    others = [href for href in hrefs if not href.startswith((ours, *SITE))]
    assert set(others) <= {"/", "#main"}, others

    # The notebook's preview: its breadcrumb leads back to the lesson's preview, and there is no
    # download from the learner's page (a draft's exercise has none).
    page = client.get(notebook_url).content.decode()
    assert not [href for href in links(page) if into_the_course(href, live, draft)]
    assert f'<a href="{url}">' in page
    assert "Download notebook" not in page


def test_the_card_link_is_not_hidden_without_a_script():
    css = (factories.ROOT / "static/authoring/authoring.css").read_text(encoding="utf-8")
    assert '-open"] { display: none; }' not in css


def test_the_learner_lesson_page_links_to_the_learners_pages(client, world):
    live = world.published
    notebook = attach_notebook(world.teacher, world.published_lesson)
    second = make_lesson(live, "Second lesson", unit=world.published_lesson.unit)
    client.force_login(world.student)
    lesson_url = reverse(
        "learn:lesson", kwargs={"slug": live.slug, "lesson_id": world.published_lesson.pk}
    )
    html = client.get(lesson_url).content.decode()
    assert f'<a href="{lesson_url}" aria-current="page">' in html
    assert f'<a href="/courses/{live.slug}/">{live.title_en}</a>' in html
    notebook_url = reverse("notebook:exercise", kwargs={"exercise_id": notebook.pk})
    assert f'id="exercise-{notebook.pk}-open" href="{notebook_url}"' in html
    next_url = reverse("learn:lesson", kwargs={"slug": live.slug, "lesson_id": second.pk})
    assert f'id="lesson-next" rel="next" href="{next_url}"' in html
    page = client.get(notebook_url).content.decode()
    download = reverse("notebook:download", kwargs={"exercise_id": notebook.pk})
    assert f'href="{download}" download' in page
