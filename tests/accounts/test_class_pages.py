"""Teachers' class pages: who may see and change what, and what the pages do."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import Classroom, User
from accounts.views.classes import SHEET_SESSION_KEY
from courses.services import course_create
from tests import factories

pytestmark = pytest.mark.django_db


def _pages(classroom, learner):
    """Every class page as (method, url)."""
    pk = classroom.pk
    return [
        ("get", reverse("accounts:classes")),
        ("get", reverse("accounts:class_detail", args=[pk])),
        ("post", reverse("accounts:class_rename", args=[pk])),
        ("post", reverse("accounts:class_code_new", args=[pk])),
        ("post", reverse("accounts:class_courses", args=[pk])),
        ("post", reverse("accounts:class_accounts", args=[pk])),
        ("get", reverse("accounts:class_cards", args=[pk])),
        ("post", reverse("accounts:class_learner_remove", args=[pk, learner.pk])),
        ("post", reverse("accounts:class_learner_password", args=[pk, learner.pk])),
    ]


@pytest.fixture
def class_account(classroom):
    (account,) = services.class_accounts_create(classroom=classroom, names=["Ann"])
    return account.user


def test_anonymous_visitors_are_sent_to_sign_in(client_for, classroom, class_account):
    client = client_for(None)
    for method, url in _pages(classroom, class_account):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_learners_are_forbidden_every_class_page(client_for, classroom, class_account, student):
    classroom.learners.add(student)
    for user in (student, class_account):
        client = client_for(user)
        for method, url in _pages(classroom, class_account):
            assert getattr(client, method)(url).status_code == 403, (user, url)
    assert Classroom.objects.get(pk=classroom.pk).join_code == classroom.join_code
    assert classroom.learners.count() == 2


def test_another_teachers_class_is_not_found(client_for, classroom, class_account, other_teacher):
    client = client_for(other_teacher)
    for method, url in _pages(classroom, class_account)[1:]:
        assert getattr(client, method)(url).status_code == 404, url
    listing = client.get(reverse("accounts:classes"))
    assert listing.status_code == 200
    assert classroom.name not in listing.content.decode()
    assert Classroom.objects.get(pk=classroom.pk).join_code == classroom.join_code
    assert classroom.learners.count() == 1


def test_a_learner_of_another_class_is_not_found_through_mine(client_for, teacher, classroom):
    other = factories.make_classroom(teacher, name="Other")
    (account,) = services.class_accounts_create(classroom=other, names=["Bo"])
    client = client_for(teacher)
    for name in ("class_learner_remove", "class_learner_password"):
        url = reverse(f"accounts:{name}", args=[classroom.pk, account.user.pk])
        assert client.post(url).status_code == 404
    assert other.learners.count() == 1


def test_admins_see_and_manage_every_class(client_for, classroom, platform_admin, class_account):
    client = client_for(platform_admin)
    listing = client.get(reverse("accounts:classes"))
    assert classroom.name in listing.content.decode()
    assert "ms_lin" in listing.content.decode()  # the teacher column
    assert client.get(reverse("accounts:class_detail", args=[classroom.pk])).status_code == 200
    response = client.post(reverse("accounts:class_code_new", args=[classroom.pk]))
    assert response.status_code == 302
    assert Classroom.objects.get(pk=classroom.pk).join_code != classroom.join_code


def test_class_pages_refuse_the_wrong_method(client_for, teacher, classroom):
    client = client_for(teacher)
    assert client.get(reverse("accounts:class_code_new", args=[classroom.pk])).status_code == 405
    assert client.post(reverse("accounts:class_detail", args=[classroom.pk])).status_code == 405


def test_the_list_shows_name_code_and_learner_count(client_for, teacher, classroom, student):
    classroom.learners.add(student)
    factories.make_classroom(factories.make_teacher(), name="Not mine")
    page = client_for(teacher).get(reverse("accounts:classes")).content.decode()
    assert "Year 2 Pandas" in page and classroom.join_code in page
    assert re.search(r"<td>1</td>", page)
    assert "Not mine" not in page


def test_a_teacher_creates_a_class(client_for, teacher):
    client = client_for(teacher)
    response = client.post(reverse("accounts:classes"), {"name": "  Robots  club "})
    classroom = Classroom.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:class_detail", args=[classroom.pk])
    assert classroom.name == "Robots club" and classroom.teacher == teacher
    page = client.get(response["Location"]).content.decode()
    assert classroom.join_code in page and "Robots club" in page


def test_a_class_needs_a_name(client_for, teacher):
    response = client_for(teacher).post(reverse("accounts:classes"), {"name": "  "})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not Classroom.objects.exists()


def test_rename(client_for, teacher, classroom):
    client = client_for(teacher)
    url = reverse("accounts:class_rename", args=[classroom.pk])
    assert client.post(url, {"name": "Year 3 Pandas"}).status_code == 302
    assert Classroom.objects.get(pk=classroom.pk).name == "Year 3 Pandas"
    assert client.post(url, {"name": ""}).status_code == 400
    assert Classroom.objects.get(pk=classroom.pk).name == "Year 3 Pandas"


def test_new_code(client_for, teacher, classroom):
    client = client_for(teacher)
    response = client.post(reverse("accounts:class_code_new", args=[classroom.pk]), follow=True)
    new = Classroom.objects.get(pk=classroom.pk).join_code
    assert new != classroom.join_code
    page = response.content.decode()
    assert f'<p class="code-display">{new}</p>' in page
    assert classroom.join_code not in page


def test_removing_a_learner(client_for, teacher, classroom, class_account, student):
    classroom.learners.add(student)
    url = reverse("accounts:class_learner_remove", args=[classroom.pk, student.pk])
    response = client_for(teacher).post(url, follow=True)
    assert list(classroom.learners.all()) == [class_account]
    assert User.objects.filter(pk=student.pk).exists()
    assert "no longer in this class" in response.content.decode()


# --- Class accounts and the printable sheet -----------------------------------------------------


def test_class_accounts_end_on_a_sheet_with_every_card(client_for, teacher, classroom):
    client = client_for(teacher)
    names = "Li Wei\n\n  Zoë Adams\nli wei\n王小明\n"
    response = client.post(
        reverse("accounts:class_accounts", args=[classroom.pk]), {"names": names}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:class_cards", args=[classroom.pk])

    sheet = client.get(response["Location"])
    assert sheet.status_code == 200
    assert "no-store" in sheet["Cache-Control"]
    page = sheet.content.decode()
    learners = classroom.learners.order_by("pk")
    assert [learner.first_name for learner in learners] == [
        "Li Wei",
        "Zoë Adams",
        "li wei (2)",
        "王小明",
    ]
    assert page.count('class="sign-in-card"') == 4
    passwords = re.findall(r'<dt>Password</dt><dd class="code">([a-z]+\d\d)</dd>', page)
    assert len(passwords) == 4
    for learner, password in zip(learners, passwords, strict=True):
        assert learner.first_name in page and learner.username in page
        assert learner.check_password(password)
    assert classroom.join_code in page
    assert f"/accounts/class-sign-in/?code={classroom.join_code}" in page
    assert "data-print" in page and "accounts/accounts.js" in page


def test_the_sheet_is_shown_once(client_for, teacher, classroom):
    client = client_for(teacher)
    client.post(reverse("accounts:class_accounts", args=[classroom.pk]), {"names": "Ann"})
    assert client.get(reverse("accounts:class_cards", args=[classroom.pk])).status_code == 200
    assert SHEET_SESSION_KEY not in client.session
    again = client.get(reverse("accounts:class_cards", args=[classroom.pk]), follow=True)
    assert again.redirect_chain[-1][0] == reverse("accounts:class_detail", args=[classroom.pk])
    assert "shown only once" in again.content.decode()
    assert 'class="sign-in-card"' not in again.content.decode()


def test_the_sheet_of_one_class_is_not_shown_on_another(client_for, teacher, classroom):
    other = factories.make_classroom(teacher, name="Other")
    client = client_for(teacher)
    client.post(reverse("accounts:class_accounts", args=[classroom.pk]), {"names": "Ann"})
    response = client.get(reverse("accounts:class_cards", args=[other.pk]))
    assert response.status_code == 302
    assert "Ann" not in client.get(response["Location"]).content.decode()


def test_bad_names_are_refused_with_a_message_and_nothing_made(client_for, teacher, classroom):
    client = client_for(teacher)
    names = "Ann\n" + "x" * 61
    response = client.post(
        reverse("accounts:class_accounts", args=[classroom.pk]), {"names": names}
    )
    assert response.status_code == 400
    assert "longer than 60 characters" in response.content.decode()
    too_many = "\n".join(f"Learner {i}" for i in range(101))
    response = client.post(
        reverse("accounts:class_accounts", args=[classroom.pk]), {"names": too_many}
    )
    assert response.status_code == 400
    assert "At most 100 names" in response.content.decode()
    assert not User.objects.filter(is_class_account=True).exists()


def test_a_new_password_is_shown_once_on_a_card(client_for, teacher, classroom, class_account):
    client = client_for(teacher)
    url = reverse("accounts:class_learner_password", args=[classroom.pk, class_account.pk])
    sheet = client.post(url, follow=True)
    page = sheet.content.decode()
    assert page.count('class="sign-in-card"') == 1
    (password,) = re.findall(r'<dt>Password</dt><dd class="code">([a-z]+\d\d)</dd>', page)
    assert User.objects.get(pk=class_account.pk).check_password(password)


def test_a_self_registered_learners_password_is_not_reset(client_for, teacher, classroom, student):
    classroom.learners.add(student)
    url = reverse("accounts:class_learner_password", args=[classroom.pk, student.pk])
    response = client_for(teacher).post(url, follow=True)
    assert "only they can change its password" in response.content.decode()
    assert User.objects.get(pk=student.pk).check_password(factories.PASSWORD)


def test_the_detail_page_offers_reset_only_for_class_accounts(
    client_for, teacher, classroom, class_account, student
):
    classroom.learners.add(student)
    page = client_for(teacher).get(reverse("accounts:class_detail", args=[classroom.pk]))
    html = page.content.decode()
    assert reverse("accounts:class_learner_password", args=[classroom.pk, class_account.pk]) in html
    assert reverse("accounts:class_learner_password", args=[classroom.pk, student.pk]) not in html
    assert reverse("accounts:class_learner_remove", args=[classroom.pk, student.pk]) in html


# --- Courses ------------------------------------------------------------------------------------


def _course(owner, slug, *, published=True):
    return course_create(
        owner=owner,
        slug=slug,
        title_en=f"Course {slug}",
        title_zh=f"课程 {slug}",
        age_band="6-8",
        is_published=published,
    )


def test_published_courses_are_offered_and_assigned(client_for, teacher, other_teacher, classroom):
    published = _course(other_teacher, "pub")
    own_draft = _course(teacher, "own-draft", published=False)
    others_draft = _course(other_teacher, "others-draft", published=False)
    client = client_for(teacher)
    page = client.get(reverse("accounts:class_detail", args=[classroom.pk])).content.decode()
    assert "Course pub" in page
    assert "Course own-draft" not in page and "Course others-draft" not in page

    url = reverse("accounts:class_courses", args=[classroom.pk])
    assert client.post(url, {"courses": [published.pk]}).status_code == 302
    assert list(classroom.courses.all()) == [published]
    # A course that is not offered (a draft) cannot be slipped in.
    for course in (own_draft, others_draft):
        assert client.post(url, {"courses": [published.pk, course.pk]}).status_code == 400
    assert list(classroom.courses.all()) == [published]
    assert client.post(url, {}).status_code == 302
    assert not classroom.courses.exists()


def test_course_titles_follow_the_language(client_for, teacher, classroom):
    _course(teacher, "zh")
    client = client_for(teacher)
    url = reverse("accounts:class_detail", args=[classroom.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "课程 zh" in page
