"""Courses, units and lessons through the pages: create, edit, reorder, delete; bad input is a
form error with nothing stored; a published course is changed through its draft."""

import pytest

from courses.models import Course, Lesson, QuizAttempt, Unit
from courses.services import quiz_answer_submit
from tests.authoring.conftest import make_lesson, messages_of

pytestmark = pytest.mark.django_db

NEW_COURSE = {
    "slug": "my-first-course",
    "title_en": "My first course",
    "title_zh": "我的第一门课",
    "summary_en": "Short.",
    "summary_zh": "简短。",
    "age_band": "6-8",
    "big_ideas": ["perception", "learning"],
    "is_public": "on",
}


def test_a_teacher_creates_a_course_that_is_a_never_published_draft(teacher_client, world):
    response = teacher_client.post(world.url("course_create"), NEW_COURSE)
    course = Course.objects.get(slug="my-first-course")
    assert response.status_code == 302
    assert response["Location"] == world.url("course", pk=course.pk)
    assert course.owner == world.teacher
    assert not course.is_published and course.is_public
    assert course.big_ideas == ["perception", "learning"]
    page = teacher_client.get(response["Location"]).content.decode()
    assert "Draft: never published" in page
    listing = teacher_client.get(world.url("courses")).content.decode()
    assert "My first course" in listing and "Draft: never published" in listing
    assert "Published, with unpublished changes" not in listing


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"slug": "robots-at-home"}, "slug", "Another course already has the slug"),
        ({"slug": "Not a slug!"}, "slug", "Enter a valid “slug”"),
        ({"title_zh": ""}, "title_zh", "This field is required."),
        ({"age_band": "4-5"}, "age_band", "Select a valid choice"),
        ({"big_ideas": ["magic"]}, "big_ideas", "Select a valid choice"),
    ],
)
def test_bad_course_input_is_a_form_error_and_nothing_is_stored(
    teacher_client, world, change, field, message
):
    before = Course.objects.count()
    response = teacher_client.post(world.url("course_create"), {**NEW_COURSE, **change})
    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in response.content.decode()
    assert Course.objects.count() == before


def test_course_settings_are_saved_and_a_taken_slug_is_refused(teacher_client, world):
    url = world.url("course_settings", pk=world.course.pk)
    data = {**NEW_COURSE, "slug": "robots-at-home", "title_en": "Robots at home, renamed"}
    assert teacher_client.post(url, data).status_code == 302
    world.course.refresh_from_db()
    assert world.course.title_en == "Robots at home, renamed"
    response = teacher_client.post(url, {**data, "slug": "seeing-machines"})
    assert response.status_code == 400
    assert "Another course already has the slug" in response.content.decode()
    world.course.refresh_from_db()
    assert world.course.slug == "robots-at-home"


def test_units_are_added_renamed_moved_and_deleted_only_when_empty(teacher_client, world):
    course, pk = world.course, world.course.pk
    first = world.lesson.unit
    teacher_client.post(
        world.url("unit_add", pk=pk), {"new-unit-title_en": "Two", "new-unit-title_zh": "二"}
    )
    second = Unit.objects.get(course=course, title_en="Two")
    assert second.position == 2

    response = teacher_client.post(
        world.url("unit_add", pk=pk), {"new-unit-title_en": "", "new-unit-title_zh": "三"}
    )
    assert "This field is required." in " ".join(
        messages_of(teacher_client.get(response["Location"]))
    )
    assert course.units.count() == 2

    teacher_client.post(
        world.url("unit_rename", pk=pk, unit_id=second.pk),
        {f"unit-{second.pk}-title_en": "Second", f"unit-{second.pk}-title_zh": "第二"},
    )
    second.refresh_from_db()
    assert (second.title_en, second.title_zh) == ("Second", "第二")

    teacher_client.post(world.url("unit_move", pk=pk, unit_id=second.pk), {"direction": "up"})
    assert list(course.units.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]
    # Already at the top: nothing changes.
    teacher_client.post(world.url("unit_move", pk=pk, unit_id=second.pk), {"direction": "up"})
    assert list(course.units.order_by("position").values_list("position", "pk")) == [
        (1, second.pk),
        (2, first.pk),
    ]

    response = teacher_client.post(world.url("unit_delete", pk=pk, unit_id=first.pk))
    follow = teacher_client.get(response["Location"])
    assert "still has lessons" in " ".join(messages_of(follow))
    assert Unit.objects.filter(pk=first.pk).exists()

    teacher_client.post(world.url("unit_delete", pk=pk, unit_id=second.pk))
    assert list(course.units.values_list("pk", "position")) == [(first.pk, 1)]


def test_a_lesson_is_added_with_a_slug_from_its_title_and_edited(teacher_client, world):
    unit = world.lesson.unit
    response = teacher_client.post(
        world.url("lesson_add", pk=world.course.pk, unit_id=unit.pk),
        {
            "title_en": "How robots hear",
            "title_zh": "机器人怎样听",
            "slug": "",
            "body_en": "# Ears\n\nMicrophones.",
            "body_zh": "麦克风。",
        },
    )
    lesson = Lesson.objects.get(title_en="How robots hear")
    assert response.status_code == 302
    assert (lesson.slug, lesson.position, lesson.unit) == ("how-robots-hear", 2, unit)

    url = world.url("lesson", pk=world.course.pk, lesson_id=lesson.pk)
    data = {
        "title_en": "How robots hear",
        "title_zh": "机器人怎样听",
        "slug": "first-lesson",
        "body_en": "Changed",
        "body_zh": "改了",
    }
    response = teacher_client.post(url, data)
    assert response.status_code == 400
    assert "Another lesson of this course has the slug" in response.content.decode()
    lesson.refresh_from_db()
    assert lesson.body_en == "# Ears\n\nMicrophones."

    assert teacher_client.post(url, {**data, "slug": "hearing"}).status_code == 302
    lesson.refresh_from_db()
    assert (lesson.slug, lesson.body_en, lesson.body_zh) == ("hearing", "Changed", "改了")


def test_the_preview_button_shows_the_lesson_without_saving_it(teacher_client, world):
    url = world.url("lesson", pk=world.course.pk, lesson_id=world.lesson.pk)
    response = teacher_client.post(
        url,
        {
            "action": "preview",
            "title_en": "First lesson",
            "title_zh": "第一课",
            "slug": "first-lesson",
            "body_en": "**Loud** <script>alert(1)</script>",
            "body_zh": "",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<strong>Loud</strong>" in page
    assert "&lt;script&gt;alert(1)" in page  # only in the textarea, escaped as text
    assert "<script>alert(1)" not in page
    world.lesson.refresh_from_db()
    assert world.lesson.body_en == "Hello."


def test_lessons_move_within_a_unit_and_across_units(teacher_client, world):
    pk, first_unit = world.course.pk, world.lesson.unit
    second_lesson = make_lesson(world.course, "Second", unit=first_unit)
    teacher_client.post(
        world.url("unit_add", pk=pk), {"new-unit-title_en": "B", "new-unit-title_zh": "乙"}
    )
    second_unit = Unit.objects.get(course=world.course, title_en="B")
    move = world.url("lesson_move", pk=pk, lesson_id=second_lesson.pk)

    teacher_client.post(move, {"direction": "up"})
    assert [lesson.pk for lesson in first_unit.lessons.order_by("position")] == [
        second_lesson.pk,
        world.lesson.pk,
    ]
    # The last lesson of a unit moves down into the start of the next unit.
    teacher_client.post(
        world.url("lesson_move", pk=pk, lesson_id=world.lesson.pk), {"direction": "down"}
    )
    world.lesson.refresh_from_db()
    assert (world.lesson.unit, world.lesson.position) == (second_unit, 1)
    assert list(first_unit.lessons.values_list("position", flat=True)) == [1]
    # And back up to the end of the unit before.
    teacher_client.post(
        world.url("lesson_move", pk=pk, lesson_id=world.lesson.pk), {"direction": "up"}
    )
    world.lesson.refresh_from_db()
    assert (world.lesson.unit, world.lesson.position) == (first_unit, 2)
    bad = teacher_client.post(move, {"direction": "sideways"})
    assert "Move up or down." in " ".join(messages_of(teacher_client.get(bad["Location"])))


def test_a_lesson_with_learner_work_is_not_deleted(teacher_client, world):
    quiz_answer_submit(learner=world.student, exercise=world.quiz, answer=True)
    url = world.url("lesson_delete", pk=world.course.pk, lesson_id=world.lesson.pk)
    response = teacher_client.post(url)
    message = " ".join(messages_of(teacher_client.get(response["Location"])))
    assert "cannot be deleted: learners have quiz attempts in it" in message
    assert Lesson.objects.filter(pk=world.lesson.pk).exists()
    assert QuizAttempt.objects.count() == 1


def test_a_lesson_without_learner_work_is_deleted_with_its_exercises(teacher_client, world):
    other = make_lesson(world.course, "Other", unit=world.lesson.unit)
    teacher_client.post(world.url("lesson_delete", pk=world.course.pk, lesson_id=world.lesson.pk))
    assert not Lesson.objects.filter(pk=world.lesson.pk).exists()
    assert not type(world.quiz).objects.filter(pk=world.quiz.pk).exists()
    other.refresh_from_db()
    assert other.position == 1


def test_a_published_course_is_edited_through_its_draft(teacher_client, world):
    live = world.published
    page = teacher_client.get(world.url("course", pk=live.pk)).content.decode()
    assert 'id="start-editing"' in page
    # Changing it directly is refused: the teacher is sent back to press Edit.
    response = teacher_client.post(
        world.url("lesson", pk=live.pk, lesson_id=world.published_lesson.pk),
        {"title_en": "X", "title_zh": "X", "slug": "", "body_en": "", "body_zh": ""},
    )
    assert response.status_code == 302
    assert "press “Edit”" in " ".join(messages_of(teacher_client.get(response["Location"])))
    world.published_lesson.refresh_from_db()
    assert world.published_lesson.title_en == "Published lesson"

    teacher_client.post(world.url("course_edit", pk=live.pk))
    draft = Course.objects.get(draft_of=live)
    draft_lesson = Lesson.objects.get(unit__course=draft)
    assert (
        teacher_client.get(world.url("courses"))
        .content.decode()
        .count("Published, with unpublished changes")
        == 1
    )
    response = teacher_client.post(
        world.url("lesson", pk=live.pk, lesson_id=draft_lesson.pk),
        {
            "title_en": "Changed in the draft",
            "title_zh": "草稿",
            "slug": draft_lesson.slug,
            "body_en": "New",
            "body_zh": "新",
        },
    )
    assert response.status_code == 302
    world.published_lesson.refresh_from_db()
    assert world.published_lesson.title_en == "Published lesson"  # learners see no change
    draft_lesson.refresh_from_db()
    assert draft_lesson.title_en == "Changed in the draft"
    # The live lesson's id is not the draft's: it is not editable through this course now.
    response = teacher_client.get(
        world.url("lesson", pk=live.pk, lesson_id=world.published_lesson.pk)
    )
    assert response.status_code == 404

    teacher_client.post(world.url("course_discard", pk=live.pk))
    assert not Course.objects.filter(draft_of=live).exists()


def test_the_slug_of_a_published_course_cannot_change(teacher_client, world):
    live = world.published
    teacher_client.post(world.url("course_edit", pk=live.pk))
    response = teacher_client.post(
        world.url("course_settings", pk=live.pk),
        {**NEW_COURSE, "slug": "another-slug", "title_en": "Renamed"},
    )
    assert response.status_code == 302
    draft = Course.objects.get(draft_of=live)
    assert (draft.slug, draft.title_en) == ("seeing-machines", "Renamed")


def test_validate_then_publish_from_the_course_page(teacher_client, world):
    live, pk = world.course, world.course.pk
    page = teacher_client.get(world.url("course", pk=pk)).content.decode()
    assert 'id="publish" disabled' in page  # nothing validated yet
    response = teacher_client.post(world.url("course_publish", pk=pk), {"note": "First"})
    assert "was not published" in " ".join(messages_of(teacher_client.get(response["Location"])))
    live.refresh_from_db()
    assert not live.is_published

    response = teacher_client.post(world.url("course_validate", pk=pk))
    page = teacher_client.get(response["Location"])
    assert "No problems found" in " ".join(messages_of(page)), messages_of(page)
    assert 'id="validation-passed"' in page.content.decode()
    assert teacher_client.get(world.url("validation_status", pk=pk)).json()["final"] is True

    response = teacher_client.post(world.url("course_publish", pk=pk), {"note": "First"})
    assert "Version 1 is published" in " ".join(
        messages_of(teacher_client.get(response["Location"]))
    )
    live.refresh_from_db()
    assert live.is_published and live.versions.get().note == "First"
    # Published: the page is read-only until "Edit" makes a draft.
    page = teacher_client.get(world.url("course", pk=pk)).content.decode()
    assert 'id="start-editing"' in page and "Version 1" in page


def test_validation_problems_are_listed_with_links_to_fix_them(teacher_client, world):
    world.lesson.title_zh = ""
    world.lesson.save()
    teacher_client.post(world.url("course_validate", pk=world.course.pk))
    page = teacher_client.get(world.url("course", pk=world.course.pk)).content.decode()
    assert 'id="validation-problems"' in page
    fix = world.url("lesson", pk=world.course.pk, lesson_id=world.lesson.pk)
    assert f'href="{fix}"' in page
    assert 'id="publish" disabled' in page


def test_pictures_and_files_are_uploaded_listed_and_deleted(teacher_client, world):
    from courses.models import CourseAsset
    from tests.authoring.conftest import EVIL_SVG, PNG, upload

    url = world.url("asset_upload", pk=world.course.pk)
    response = teacher_client.post(url, {"file": upload("Robot Face.png", PNG, "image/png")})
    assert "“robot-face.png” is uploaded" in " ".join(
        messages_of(teacher_client.get(response["Location"]))
    )
    teacher_client.post(url, {"file": upload("Robot Face.png", PNG, "image/png")})
    assert sorted(CourseAsset.objects.values_list("name", flat=True)) == [
        "robot-face-2.png",
        "robot-face.png",
    ]
    page = teacher_client.get(world.url("course", pk=world.course.pk)).content.decode()
    assert f'src="/teach/assets/{world.course.pk}/robot-face.png"' in page

    for name, content in [
        ("evil.svg", EVIL_SVG),
        ("page.html", b"<p>hi</p>"),
        ("fake.png", b"GIF89a"),
    ]:
        response = teacher_client.post(url, {"file": upload(name, content)})
        shown = " ".join(messages_of(teacher_client.get(response["Location"])))
        assert shown, name
    assert CourseAsset.objects.count() == 2

    asset = CourseAsset.objects.get(name="robot-face-2.png")
    teacher_client.post(world.url("asset_delete", pk=world.course.pk, asset_id=asset.pk))
    assert list(CourseAsset.objects.values_list("name", flat=True)) == ["robot-face.png"]
