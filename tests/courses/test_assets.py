"""Course assets: what may be stored, and who gets what back from assets:asset."""

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from courses import asset_services, services
from courses.asset_services import AssetInvalid, asset_problems, course_asset_create
from courses.markdown import asset_base, render_markdown
from tests.factories import PASSWORD, make_classroom, make_student, make_teacher

pytestmark = pytest.mark.django_db

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<style>circle { fill: red; }</style><circle cx="5" cy="5" r="4"/></svg>'
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def make_course(owner, *, public=False, published=True, slug="pictures"):
    return services.course_create(
        owner=owner,
        slug=slug,
        title_en="Pictures",
        title_zh="图片",
        age_band="6-8",
        is_public=public,
        is_published=published,
    )


def url(course, name):
    return reverse("assets:asset", kwargs={"slug": course.slug, "name": name})


def client_for(user=None):
    client = Client()
    if user is not None:
        assert client.login(username=user.username, password=PASSWORD)
    return client


# --- what may be stored -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("robot.svg", SVG),
        ("pictures/robot.png", PNG),
        ("photo.JPG", b"\xff\xd8\xff\xe0rest"),
        ("moving.gif", b"GIF89a..."),
        ("modern.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 "),
        ("data/fruit.csv", "name,colour\n苹果,red\n".encode()),
        ("notes.txt", b"plain text\n"),
        ("settings.json", b'{"k": 3}'),
    ],
)
def test_allowed_assets(name, content):
    assert asset_problems(name, content) == []


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("page.html", b"<p>hi</p>", "Only these file types are allowed"),
        ("script.js", b"alert(1)", "Only these file types are allowed"),
        ("noextension", b"x", "Only these file types are allowed"),
        ("../escape.png", PNG, "The name must be a relative path"),
        ("/absolute.png", PNG, "The name must be a relative path"),
        (".hidden.png", PNG, "The name must be a relative path"),
        ("dir/../x.png", PNG, "The name must be a relative path"),
        ("with space.png", PNG, "The name must be a relative path"),
        ("fake.png", b"GIF89a", "The content is not a image/png file."),
        ("fake.webp", PNG, "The content is not a image/webp file."),
        ("latin1.txt", "café".encode("latin-1"), "A text file must be UTF-8."),
        ("broken.json", b"{", "The JSON is not valid"),
        ("not-svg.svg", b"<html/>", "its root element is not <svg>"),
        ("broken.svg", b"<svg", "not well-formed XML"),
        (
            "script.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "must not contain <script>",
        ),
        (
            "handler.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect onclick="alert(1)"/></svg>',
            "must not contain event handlers (onclick)",
        ),
        (
            "foreign.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
            "must not contain <foreignObject>",
        ),
        (
            "link.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            b'<a xlink:href="javascript:alert(1)"><rect/></a></svg>',
            "may only link to its own parts",
        ),
        (
            "animated.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><a href="#x">'
            b'<set attributeName="href" to="javascript:alert(1)"/></a></svg>',
            "must not animate links",
        ),
        (
            "entities.svg",
            b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
            "DOCTYPE or entities",
        ),
    ],
)
def test_refused_assets(name, content, expected):
    problems = asset_problems(name, content)
    assert any(expected in problem for problem in problems), problems


def test_size_caps_per_asset_and_per_course(monkeypatch):
    course = make_course(make_teacher())
    big = b"x" * (asset_services.MAX_ASSET_BYTES + 1)
    assert any("at most" in problem for problem in asset_problems("big.txt", big))
    monkeypatch.setattr(asset_services, "MAX_COURSE_ASSET_BYTES", 30)
    course_asset_create(course=course, name="a.txt", content=b"x" * 20)
    with pytest.raises(AssetInvalid, match="would take more than 30 bytes"):
        course_asset_create(course=course, name="b.txt", content=b"x" * 20)


def test_create_records_type_size_and_checksum_and_refuses_a_duplicate_name():
    course = make_course(make_teacher())
    asset = course_asset_create(course=course, name="robot.svg", content=SVG)
    assert (asset.content_type, asset.size) == ("image/svg+xml", len(SVG))
    assert asset.sha256 == hashlib.sha256(SVG).hexdigest()
    with pytest.raises(AssetInvalid, match="already has an asset called"):
        course_asset_create(course=course, name="robot.svg", content=SVG)


# --- serving ------------------------------------------------------------------------------------


def test_an_svg_is_served_with_a_sandboxing_policy_and_an_etag():
    course = make_course(make_teacher(), public=True)
    course_asset_create(course=course, name="robot.svg", content=SVG)
    response = client_for().get(url(course, "robot.svg"))
    assert response.status_code == 200
    assert response.content == SVG
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == (
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    assert response["ETag"] == f'"{hashlib.sha256(SVG).hexdigest()}"'
    assert response["Cache-Control"] == "private, no-cache"
    assert response["Content-Length"] == str(len(SVG))


def test_other_types_get_their_own_content_type_and_no_styles():
    course = make_course(make_teacher(), public=True)
    course_asset_create(course=course, name="data/fruit.csv", content=b"a,b\n1,2\n")
    course_asset_create(course=course, name="robot.png", content=PNG)
    csv = client_for().get(url(course, "data/fruit.csv"))
    assert csv["Content-Type"] == "text/csv; charset=utf-8" and csv.content == b"a,b\n1,2\n"
    png = client_for().get(url(course, "robot.png"))
    assert png["Content-Type"] == "image/png"
    assert png["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_a_matching_etag_gets_304_without_a_body():
    course = make_course(make_teacher(), public=True)
    course_asset_create(course=course, name="robot.svg", content=SVG)
    client = client_for()
    etag = client.get(url(course, "robot.svg"))["ETag"]
    response = client.get(url(course, "robot.svg"), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == etag and response["X-Content-Type-Options"] == "nosniff"
    assert client.get(url(course, "robot.svg"), HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_head_works_and_writes_are_refused():
    course = make_course(make_teacher(), public=True)
    course_asset_create(course=course, name="robot.svg", content=SVG)
    client = client_for()
    head = client.head(url(course, "robot.svg"))
    assert head.status_code == 200 and head["ETag"]
    assert client.post(url(course, "robot.svg")).status_code == 405
    assert client.delete(url(course, "robot.svg")).status_code == 405


def test_missing_assets_and_courses_are_404():
    course = make_course(make_teacher(), public=True)
    course_asset_create(course=course, name="robot.svg", content=SVG)
    client = client_for()
    assert client.get(url(course, "cat.svg")).status_code == 404
    assert client.get("/courses/no-such-course/assets/robot.svg").status_code == 404
    assert client.get(f"/courses/{course.slug}/assets/../assets/robot.svg").status_code == 404


def test_assets_follow_course_visibility():
    owner = make_teacher()
    in_class, outsider = make_student(), make_student()
    assigned = make_course(owner, slug="assigned")
    draft = make_course(owner, slug="draft", published=False)
    make_classroom(owner, [in_class]).courses.add(assigned, draft)
    for course in (assigned, draft):
        course_asset_create(course=course, name="robot.svg", content=SVG)

    def status(user, course):
        return client_for(user).get(url(course, "robot.svg")).status_code

    assert status(in_class, assigned) == 200
    assert status(outsider, assigned) == 404
    assert status(None, assigned) == 404
    # a draft: not even the class sees it, but its owner does
    assert status(in_class, draft) == 404
    assert status(owner, draft) == 200
    assert status(make_teacher(), draft) == 404


def test_lesson_markdown_points_at_assets_the_view_serves():
    course = make_course(make_teacher(), public=True)
    course_asset_create(course=course, name="robot.svg", content=SVG)
    html = render_markdown("![A robot](robot.svg)", base=asset_base(course.slug))
    assert f'src="{url(course, "robot.svg")}"' in html
    assert client_for().get(url(course, "robot.svg")).status_code == 200
