# Chinese text is what these pages show.
# ruff: noqa: RUF001
"""Notebook exercises uploaded through the page (valid, invalid nbgrader metadata, a Chinese
twin that does not match), the Markdown preview (sanitised), and previews as a learner: the
draft's content, to its owner only, answers marked without being stored."""

import json

import pytest

from courses import services
from courses.models import Course, CourseAsset, Exercise, Lesson, QuizAttempt
from courses.publishing import course_draft_for
from graders.models import Submission
from tests import factories
from tests.authoring.conftest import PNG, notebook_bytes, upload

pytestmark = pytest.mark.django_db

TEXTS = {
    "title": "How good is a guess?",
    "title_zh": "猜得有多好？",
    "prompt_en": "Write the functions.",
    "prompt_zh": "写出函数。",
    "explanation_en": "",
    "explanation_zh": "",
    "max_attempts": "",
}


def add_notebook_url(world):
    return world.url("exercise_add", pk=world.course.pk, lesson_id=world.lesson.pk, kind="notebook")


def _break_metadata(nb):
    """A graded test cell without its grade_id and with points that are not a number."""
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade_id") == "test_accuracy_basic":
            del meta["grade_id"]
            meta["points"] = "lots"


def test_a_valid_source_notebook_becomes_an_exercise_with_its_graded_cells(teacher_client, world):
    response = teacher_client.post(
        add_notebook_url(world),
        {**TEXTS, "source": upload("guess.ipynb", notebook_bytes())},
    )
    assert response.status_code == 302
    exercise = Exercise.objects.get(kind="notebook")
    assert (exercise.lesson, exercise.position, exercise.key) == (
        world.lesson,
        2,
        "how-good-is-a-guess",
    )
    assert exercise.max_score == factories.DEMO_MAX_SCORE
    assert exercise.released_notebook["cells"] and not exercise.source_notebook_zh
    released = json.dumps(exercise.released_notebook)
    assert "BEGIN HIDDEN TESTS" not in released  # released as learners get it
    page = teacher_client.get(response["Location"]).content.decode()
    for grade_id, _points, _hidden in factories.DEMO_TESTS:
        assert grade_id in page
    assert 'id="graded-cells"' in page
    assert f"worth {factories.DEMO_MAX_SCORE:g} points" in page
    download = teacher_client.get(
        world.url("notebook_download", pk=world.course.pk, exercise_id=exercise.pk, language="en")
    )
    assert download.status_code == 200
    assert "BEGIN HIDDEN TESTS" in download.content.decode()  # the authors' copy


def test_invalid_nbgrader_metadata_is_listed_and_nothing_is_stored(teacher_client, world):
    response = teacher_client.post(
        add_notebook_url(world),
        {**TEXTS, "source": upload("broken.ipynb", notebook_bytes(_break_metadata))},
    )
    assert response.status_code == 400
    errors = response.context["notebook_form"].errors["source"]
    assert any("nbgrader cell has no grade_id" in error for error in errors)
    assert any("points" in error for error in errors)
    assert "nbgrader cell has no grade_id" in response.content.decode()
    assert not Exercise.objects.filter(kind="notebook").exists()


def test_a_file_that_is_not_a_notebook_and_a_missing_file_are_refused(teacher_client, world):
    response = teacher_client.post(
        add_notebook_url(world), {**TEXTS, "source": upload("x.ipynb", b"not json")}
    )
    assert response.status_code == 400
    assert "not valid JSON" in " ".join(response.context["notebook_form"].errors["source"])
    response = teacher_client.post(add_notebook_url(world), TEXTS)
    assert response.status_code == 400
    assert response.context["notebook_form"].errors["source"]
    assert not Exercise.objects.filter(kind="notebook").exists()


def test_a_chinese_twin_must_match_and_a_new_source_is_released_again(teacher_client, world):
    def fewer_points(nb):
        for cell in nb["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if meta.get("grade_id") == "test_accuracy_basic":
                meta["points"] = 5

    response = teacher_client.post(
        add_notebook_url(world),
        {
            **TEXTS,
            "source": upload("guess.ipynb", notebook_bytes()),
            "source_zh": upload("guess.zh.ipynb", notebook_bytes(fewer_points)),
        },
    )
    assert response.status_code == 400
    assert "does not match the English one" in " ".join(
        response.context["notebook_form"].errors["source_zh"]
    )
    assert not Exercise.objects.filter(kind="notebook").exists()

    teacher_client.post(
        add_notebook_url(world),
        {
            **TEXTS,
            "source": upload("guess.ipynb", notebook_bytes()),
            "source_zh": upload("guess.zh.ipynb", notebook_bytes()),
        },
    )
    exercise = Exercise.objects.get(kind="notebook")
    assert exercise.source_notebook_zh
    url = world.url("exercise", pk=world.course.pk, exercise_id=exercise.pk)
    # A new English source that the kept twin no longer matches is refused…
    response = teacher_client.post(
        url, {**TEXTS, "source": upload("guess.ipynb", notebook_bytes(fewer_points))}
    )
    assert response.status_code == 400
    assert "no longer matches" in " ".join(response.context["notebook_form"].errors["source"])
    exercise.refresh_from_db()
    assert exercise.max_score == factories.DEMO_MAX_SCORE
    # …and accepted with the twin removed: released again, scored again.
    response = teacher_client.post(
        url,
        {**TEXTS, "source": upload("guess.ipynb", notebook_bytes(fewer_points)), "remove_zh": "on"},
    )
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.max_score == factories.DEMO_MAX_SCORE + 4
    assert not exercise.source_notebook_zh and not exercise.released_notebook_zh
    # Texts alone change without a file.
    response = teacher_client.post(url, {**TEXTS, "title": "Renamed"})
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.title == "Renamed" and exercise.max_score == factories.DEMO_MAX_SCORE + 4


# --- the Markdown preview -------------------------------------------------------------------------


def test_the_markdown_preview_is_sanitised(teacher_client, world):
    url = world.url("markdown_preview", pk=world.course.pk)
    text = (
        "# Title\n\n**bold** <script>alert('x')</script>\n\n"
        '<img src="x.png" onerror="alert(1)">\n\n[click](javascript:alert(1))\n\n![robot](robot.png)'
    )
    response = teacher_client.post(url, {"text": text})
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "<strong>bold</strong>" in html
    assert "<h2>Title</h2>" in html  # under the lesson's own <h1>
    assert "<script" not in html and "alert('x')" not in html
    assert "onerror" not in html and 'href="javascript' not in html
    # Relative pictures come from the course being edited.
    assert f'src="/teach/assets/{world.course.pk}/robot.png"' in html


def test_the_markdown_preview_refuses_a_huge_text(teacher_client, world):
    url = world.url("markdown_preview", pk=world.course.pk)
    response = teacher_client.post(url, {"text": "a" * 100_001})
    assert response.status_code == 400


# --- previews as a learner --------------------------------------------------------------------------


def test_a_draft_is_previewed_with_its_own_content_by_its_owner_only(client, world):
    live = world.published
    draft = course_draft_for(course=live, user=world.teacher)
    lesson = Lesson.objects.get(unit__course=draft)
    lesson.body_en = "Only in the **draft**."
    lesson.save()
    CourseAsset.objects.create(
        course=draft,
        name="new.png",
        content=PNG,
        content_type="image/png",
        size=len(PNG),
        sha256="2" * 64,
    )
    url = world.url("preview_lesson", pk=live.pk, lesson_id=lesson.pk)

    client.force_login(world.teacher)
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Only in the <strong>draft</strong>." in page
    assert "Preview as a learner aged 9-11" in page
    assert "band-9-11" in page  # the age band's look
    assert "/static/learn/quiz.js" not in page  # it would store answers through the API
    # The draft's own picture is served to its authors, not on the learner's asset URL.
    assert client.get(world.url("asset", course_id=draft.pk, name="new.png")).status_code == 200
    assert client.get(f"/courses/{live.slug}/assets/new.png").status_code == 404

    # Learners see the published lesson, unchanged; the draft lesson is no page of theirs.
    client.force_login(world.student)
    learner_page = client.get(f"/courses/{live.slug}/lessons/{world.published_lesson.pk}/")
    assert "Only in the" not in learner_page.content.decode()
    assert client.get(f"/courses/{live.slug}/lessons/{lesson.pk}/").status_code == 404
    assert client.get(url).status_code == 403
    assert client.get(world.url("asset", course_id=draft.pk, name="new.png")).status_code == 403
    client.force_login(world.other_teacher)
    assert client.get(url).status_code == 404
    assert client.get(world.url("asset", course_id=draft.pk, name="new.png")).status_code == 404
    client.force_login(world.admin)
    assert client.get(url).status_code == 200


def test_a_never_published_course_is_previewed_for_its_age(teacher_client, world):
    world.course.age_band = "6-8"
    world.course.save()
    page = teacher_client.get(
        world.url("preview_lesson", pk=world.course.pk, lesson_id=world.lesson.pk)
    ).content.decode()
    assert "Preview as a learner aged 6-8" in page and "band-6-8" in page
    assert "Is a camera a sensor?" in page
    action = world.url(
        "preview_answer", pk=world.course.pk, lesson_id=world.lesson.pk, exercise_id=world.quiz.pk
    )
    assert f'action="{action}#exercise-{world.quiz.pk}"' in page
    world.course.age_band = "adult"
    world.course.save()
    page = teacher_client.get(
        world.url("preview_lesson", pk=world.course.pk, lesson_id=world.lesson.pk)
    ).content.decode()
    assert "Preview as an adult learner" in page


def test_an_answer_in_the_preview_is_marked_but_not_stored(teacher_client, world):
    url = world.url(
        "preview_answer", pk=world.course.pk, lesson_id=world.lesson.pk, exercise_id=world.quiz.pk
    )
    response = teacher_client.post(url, {"answer": "false"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not right yet." in page
    response = teacher_client.post(url, {"answer": "true"})
    page = response.content.decode()
    assert "Right!" in page and "It senses light." in page  # the explanation, once right
    response = teacher_client.post(url, {})
    assert response.status_code == 400
    assert "Choose true or false first." in response.content.decode()
    assert QuizAttempt.objects.count() == 0


def test_a_notebook_is_previewed_as_released_with_every_control_disabled(teacher_client, world):
    exercise = services.exercise_create_notebook(
        owner=world.teacher, title="Guess", source=factories.demo_source()
    )
    exercise.lesson, exercise.position = world.lesson, 5
    exercise.save()
    lesson_page = teacher_client.get(
        world.url("preview_lesson", pk=world.course.pk, lesson_id=world.lesson.pk)
    ).content.decode()
    notebook_url = world.url("preview_notebook", pk=world.course.pk, exercise_id=exercise.pk)
    assert notebook_url in lesson_page
    response = teacher_client.get(notebook_url)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<fieldset class="preview-frozen" disabled>' in page
    assert "raise NotImplementedError()" in page  # the stub learners start from
    assert "BEGIN HIDDEN TESTS" not in page
    assert "/static/notebook/notebook.js" not in page
    assert Submission.objects.count() == 0


def test_previews_are_not_in_the_learner_catalogue(client, world):
    client.force_login(world.student)
    catalogue = client.get("/courses/").content.decode()
    assert "robots-at-home" not in catalogue
    assert Course.objects.filter(draft_of__isnull=False).count() == 0
