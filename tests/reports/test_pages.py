# Typography on purpose: curly apostrophes, as the page writes them.
# ruff: noqa: RUF001
"""The report pages (/reports/ and /reports/<slug>/): who may open them, what the filters do,
bad filters, and that the numbers on the page are the report's own.

They run against two small reports registered here (the real catalogue is tested in
test_numbers.py): class sizes per class, scoped and filtered like a real report, and a list of
learners' names (names_learners=True), which a platform administrator must never get.
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Classroom, School, User
from reports import base, views
from reports.base import Chart, Column, Report, ReportTable, suppress_small_groups
from reports.charts import format_value, raw_value
from reports.models import ExportJob
from tests import factories

pytestmark = pytest.mark.django_db

SIZES = "test-class-sizes"
NAMES = "test-learner-names"


# --- two small reports, registered for these tests only -----------------------------------------

CALLS: list[tuple] = []


def _classes(scope, filters):
    classes = Classroom.objects.all()
    if filters.school_id is not None:
        classes = classes.filter(school_id=filters.school_id)
    if filters.classroom_id is not None:
        classes = classes.filter(pk=filters.classroom_id)
    return classes


def build_sizes(scope, filters):
    CALLS.append((scope, filters))
    rows = [
        {"classroom": row["name"], "learners": row["size"], "share": row["size"] / 10}
        for row in _classes(scope, filters)
        .annotate(size=Count("learners"))
        .values("name", "size")
        .order_by("name")
    ]
    rows, suppressed = suppress_small_groups(rows)
    return ReportTable(
        slug=SIZES,
        title="Class sizes",
        description="Learners per class.",
        columns=[
            Column("classroom", "Class"),
            Column("learners", "Learners", "int"),
            Column("share", "Share of ten", "percent"),
        ],
        rows=rows,
        chart=Chart("bar", "classroom", ("learners",)),
        suppressed=suppressed,
        notes=["Counted from class lists."],
    )


def build_names(scope, filters):
    learners = User.objects.filter(classrooms__in=_classes(scope, filters)).distinct()
    return ReportTable(
        slug=NAMES,
        title="Learners",
        description="Every learner by name.",
        columns=[Column("name", "Learner")],
        rows=[{"name": learner.username} for learner in learners.order_by("username")],
    )


# The real catalogue, as the app registered it on start-up.
CATALOGUE = dict(base.REGISTRY)
DASHBOARD = views.DASHBOARD_REPORTS


@pytest.fixture(autouse=True)
def test_reports(monkeypatch):
    """Our two reports in place of the catalogue (the registry is restored afterwards)."""
    registry = {
        SIZES: Report(SIZES, "Class sizes", "Learners per class.", build_sizes),
        NAMES: Report(NAMES, "Learners", "Every learner by name.", build_names, True),
    }
    # Added to the one registry every module shares (export jobs look reports up there), never
    # a new dict in its place: a module imported meanwhile would keep ours for good.
    for slug, report in registry.items():
        monkeypatch.setitem(base.REGISTRY, slug, report)
    monkeypatch.setattr(views, "reports_catalogue", lambda: registry)
    monkeypatch.setattr(views, "DASHBOARD_REPORTS", (SIZES,))
    CALLS.clear()
    return registry


@pytest.fixture
def real_catalogue(monkeypatch, test_reports):
    """The real reports instead of ours, for the tests at the end of this module."""
    monkeypatch.setattr(views, "reports_catalogue", lambda: CATALOGUE)
    monkeypatch.setattr(views, "DASHBOARD_REPORTS", DASHBOARD)
    return CATALOGUE


@pytest.fixture
def world(teacher):
    """Two schools: North with classes of 6 and 2 learners (the 2 are suppressed), South with 7;
    a class of no school with 5."""
    north, south = School.objects.create(name="North"), School.objects.create(name="South")

    def make_class(name, school, size):
        learners = [factories.make_student(f"{name.lower()}_{i}") for i in range(size)]
        classroom = factories.make_classroom(teacher, learners, name=name)
        classroom.school = school
        classroom.save()
        return classroom

    return {
        "north": north,
        "south": south,
        "owls": make_class("Owls", north, 6),
        "wrens": make_class("Wrens", north, 2),
        "larks": make_class("Larks", south, 7),
        "loose": make_class("Loose", None, 5),
        "north_admin": factories.make_user(User.Role.SCHOOL_ADMIN, "head_north", school=north),
    }


def url(slug=None, **query):
    path = reverse("reports:report", args=[slug]) if slug else reverse("reports:dashboard")
    if query:
        path += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return path


class TableReader(HTMLParser):
    """The report tables of a page: {slug: [[(text, data-value), ...] per body row]}."""

    def __init__(self):
        super().__init__()
        self.tables, self.slug, self.row, self.cell, self.in_body = {}, None, None, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-report" in attrs:
            self.slug = attrs["data-report"]
            self.tables[self.slug] = []
        elif self.slug and tag == "tbody":
            self.in_body = True
        elif self.slug and self.in_body and tag == "tr":
            self.row = []
        elif self.row is not None and tag in ("td", "th"):
            self.cell = ["", attrs.get("data-value")]

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[0] += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append((self.cell[0].strip(), self.cell[1]))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.slug].append(self.row)
            self.row = None
        elif tag == "tbody":
            self.in_body = False
        elif tag == "table":
            self.slug = None


def tables_of(response) -> dict:
    reader = TableReader()
    reader.feed(response.content.decode())
    return reader.tables


# --- who may open the pages -----------------------------------------------------------------------


def every_page():
    return [url(), url(SIZES), url(NAMES)]


def test_a_visitor_is_sent_to_sign_in(client):
    for page in every_page():
        response = client.get(page)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert CALLS == []


@pytest.mark.parametrize("who", ["student", "teacher"])
def test_learners_and_teachers_are_refused(client, request, who):
    client.force_login(request.getfixturevalue(who))
    for page in every_page():
        assert client.get(page).status_code == 403
    assert CALLS == []


def test_a_school_admin_without_a_school_is_refused(client):
    client.force_login(factories.make_user(User.Role.SCHOOL_ADMIN, "adrift"))
    for page in every_page():
        assert client.get(page).status_code == 403


def test_a_school_admin_sees_their_own_school_only(client, world):
    client.force_login(world["north_admin"])
    response = client.get(url(SIZES))
    assert response.status_code == 200
    rows = tables_of(response)[SIZES]
    # Owls (6) only: Wrens (2) is too small to show, South's and the loose class are not theirs.
    assert [row[0][0] for row in rows] == ["Owls"]
    assert CALLS[-1][0].school_id == world["north"].pk
    assert CALLS[-1][1].school_id == world["north"].pk
    assert "Reports for North." in response.content.decode()
    # No school filter to choose from; South's classes are not even offered.
    form = response.context["form"]
    assert "school" not in form.fields
    assert set(form.fields["classroom"].queryset) == {world["owls"], world["wrens"]}


def test_a_school_admin_asking_for_another_school_gets_a_400(client, world):
    client.force_login(world["north_admin"])
    response = client.get(url(SIZES, school=world["south"].pk))
    assert response.status_code == 400
    assert "You can only see reports of your own school." in response.content.decode()
    assert CALLS == []
    # Another school's class is not a valid choice either.
    response = client.get(url(SIZES, classroom=world["larks"].pk))
    assert response.status_code == 400
    assert CALLS == []


def test_a_school_admin_sees_names_in_their_school(client, world):
    client.force_login(world["north_admin"])
    response = client.get(url(NAMES))
    assert response.status_code == 200
    names = [row[0][0] for row in tables_of(response)[NAMES]]
    assert names == [f"owls_{i}" for i in range(6)] + ["wrens_0", "wrens_1"]


def test_a_platform_admin_sees_every_school(client, world, platform_admin):
    client.force_login(platform_admin)
    response = client.get(url(SIZES))
    assert response.status_code == 200
    assert [row[0][0] for row in tables_of(response)[SIZES]] == ["Larks", "Loose", "Owls"]
    assert CALLS[-1][0] == base.ReportScope(school_id=None, show_names=False)
    assert "without learners’ names" in response.content.decode()


def test_a_report_naming_learners_is_refused_to_a_platform_admin(client, world, platform_admin):
    client.force_login(platform_admin)
    assert client.get(url(NAMES)).status_code == 403
    dashboard = client.get(url()).content.decode()
    assert url(SIZES) in dashboard and url(NAMES) not in dashboard


def test_an_unknown_report_is_a_404(client, platform_admin):
    client.force_login(platform_admin)
    assert client.get(url("no-such-report")).status_code == 404


def test_the_pages_are_read_only(client, platform_admin):
    client.force_login(platform_admin)
    assert client.post(url()).status_code == 405
    assert client.post(url(SIZES)).status_code == 405


def test_the_nav_links_reports_for_administrators_only(client, world, platform_admin, teacher):
    link = f'href="{reverse("reports:dashboard")}"'
    for user, shown in ((platform_admin, True), (world["north_admin"], True), (teacher, False)):
        client.force_login(user)
        assert (link in client.get(reverse("home")).content.decode()) is shown


# --- filters --------------------------------------------------------------------------------------


def test_filters_reach_the_report_and_narrow_the_page(client, world, platform_admin):
    client.force_login(platform_admin)
    response = client.get(
        url(
            SIZES,
            school=world["south"].pk,
            start="2026-01-01",
            end="2026-03-31",
            age_band="9-11",
        )
    )
    assert response.status_code == 200
    filters = CALLS[-1][1]
    assert filters.school_id == world["south"].pk
    assert (filters.start.isoformat(), filters.end.isoformat()) == ("2026-01-01", "2026-03-31")
    assert filters.age_band == "9-11"
    assert [row[0][0] for row in tables_of(response)[SIZES]] == ["Larks"]
    page = response.content.decode()
    # The form shows what was asked, and offers to clear it.
    assert 'value="2026-01-01"' in page and "Clear filters" in page
    # The breadcrumb back to the dashboard keeps the filters.
    assert f"{url()}?start=2026-01-01&amp;end=2026-03-31&amp;school={world['south'].pk}" in page


def test_the_dashboard_passes_its_filters_on_to_every_report(client, world, platform_admin):
    client.force_login(platform_admin)
    response = client.get(url(classroom=world["larks"].pk))
    assert response.status_code == 200
    assert CALLS[-1][1].classroom_id == world["larks"].pk
    assert [row[0][0] for row in tables_of(response)[SIZES]] == ["Larks"]
    assert f"{url(SIZES)}?classroom={world['larks'].pk}" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-02-01", "end": "2026-01-01"}, "The start date is after the end date."),
        ({"start": "yesterday"}, "Enter a valid date."),
        ({"age_band": "99-100"}, "Select a valid choice."),
        ({"course": "123456"}, "Select a valid choice."),
        ({"classroom": "abc"}, "Select a valid choice."),
    ],
)
def test_bad_filters_are_a_400_with_a_message(client, platform_admin, query, message):
    client.force_login(platform_admin)
    for page in (url(SIZES, **query), url(**query)):
        response = client.get(page)
        assert response.status_code == 400
        text = response.content.decode()
        assert message in text
        assert "cannot be shown with these filters" in text
        assert 'role="alert"' in text
    assert CALLS == []


# --- the numbers ----------------------------------------------------------------------------------


def test_the_numbers_on_the_page_are_the_reports(client, world, platform_admin):
    client.force_login(platform_admin)
    response = client.get(url(SIZES))
    table = build_sizes(base.ReportScope(None, False), base.ReportFilters())
    shown = tables_of(response)[SIZES]
    expected = [
        [
            (format_value(value, column.kind), raw_value(value))
            for column, value in zip(table.columns, row, strict=True)
        ]
        for row in table.values()
    ]
    assert shown == expected
    # And by hand: Larks 7 (70%), Loose 5 (50%), Owls 6 (60%).
    assert [[text for text, _raw in row] for row in shown] == [
        ["Larks", "7", "70%"],
        ["Loose", "5", "50%"],
        ["Owls", "6", "60%"],
    ]
    assert [row[2][1] for row in shown] == ["0.7", "0.5", "0.6"]


def test_suppressed_groups_and_notes_are_explained(client, world, platform_admin):
    client.force_login(platform_admin)
    page = client.get(url(SIZES)).content.decode()
    assert "1 group is not shown because it has fewer than 5 learners" in page
    assert "Counted from class lists." in page


def test_the_chart_is_drawn_beside_its_numbers(client, world, platform_admin):
    client.force_login(platform_admin)
    page = client.get(url(SIZES)).content.decode()
    assert '<svg class="chart" id="chart-test-class-sizes-learners" role="img"' in page
    assert '<title id="chart-test-class-sizes-learners-title">Learners by class</title>' in page
    assert "3 bars. Highest: Larks, 7. Lowest: Loose, 5." in page


def test_an_empty_result_says_so(client, world, platform_admin):
    client.force_login(platform_admin)
    page = client.get(url(SIZES, classroom=world["wrens"].pk)).content.decode()
    assert "Nothing matches these filters." in page
    assert "1 group is not shown" in page


def test_the_page_reads_in_chinese(client, world, platform_admin):
    client.force_login(platform_admin)
    response = client.get(url(SIZES), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()
    assert tables_of(response)[SIZES][0] == [("Larks", "Larks"), ("7", "7"), ("70%", "0.7")]


# --- exports --------------------------------------------------------------------------------------


def test_export_buttons_post_the_page_filters_to_the_export_route(client, world, platform_admin):
    target = views.export_url(SIZES)
    if target is None:
        pytest.skip("the export routes (reports/export_urls.py) are not installed")
    client.force_login(platform_admin)
    page = client.get(url(SIZES, age_band="9-11", school=world["north"].pk)).content.decode()
    action = f'action="{target}?school={world["north"].pk}&amp;age_band=9-11"'
    assert action in page
    form = page.split(action, 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken"' in form
    assert 'name="format" value="csv"' in form and 'name="format" value="xlsx"' in form


def test_without_export_routes_there_are_no_export_buttons(
    client, world, platform_admin, monkeypatch
):
    monkeypatch.setattr(views, "EXPORT_START_NAMES", ("no-such:route",))
    client.force_login(platform_admin)
    page = client.get(url(SIZES)).content.decode()
    assert 'name="format"' not in page


# --- the real reports -----------------------------------------------------------------------------


def page_values(response, slug):
    return tables_of(response)[slug]


def expected_values(table):
    return [
        [
            (format_value(value, column.kind), raw_value(value))
            for column, value in zip(table.columns, row, strict=True)
        ]
        for row in table.values()
    ]


@pytest.mark.parametrize("who", ["platform_admin", "alpha_admin"])
def test_every_report_page_shows_its_reports_numbers(
    client, real_catalogue, report_world, request, who
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    scope = base.ReportScope.for_user(user)
    query = {"start": "2026-03-01", "end": "2026-03-31"}
    filters = base.ReportFilters(start=date(2026, 3, 1), end=date(2026, 3, 31)).within(scope)
    assert len(real_catalogue) >= 11
    for slug, report in real_catalogue.items():
        response = client.get(url(slug, **query))
        if report.names_learners and not scope.show_names:
            assert response.status_code == 403, slug
            continue
        assert response.status_code == 200, slug
        table = report.build(scope, filters)
        shown = page_values(response, slug) if table.rows else []
        assert shown == expected_values(table)[: views.PAGE_ROWS], slug
        # Notes as built (numbers aside: "the oldest waiting 12 s" moves on between the two).
        page = re.sub(r"\d+", "N", response.content.decode())
        for note in table.notes:
            assert re.sub(r"\d+", "N", escape(str(note))) in page, (slug, note)


def test_the_dashboard_draws_the_key_reports_and_links_every_report(
    client, real_catalogue, report_world, platform_admin
):
    client.force_login(platform_admin)
    response = client.get(url(age_band="9-11"))
    assert response.status_code == 200
    drawn = [section.report.slug for section in response.context["sections"]]
    assert drawn == list(DASHBOARD)
    page = response.content.decode()
    for slug, report in real_catalogue.items():
        linked = f'href="{url(slug)}?age_band=9-11"' in page
        assert linked is not report.names_learners, slug
    scope = base.ReportScope.for_user(platform_admin)
    for section in response.context["sections"]:
        table = section.report.build(scope, base.ReportFilters(age_band="9-11"))
        shown = page_values(response, section.report.slug) if table.rows else []
        assert shown == expected_values(table)


def test_stalled_learners_are_named_for_their_school_admin_only(
    client, real_catalogue, report_world, alpha_admin, platform_admin
):
    slug = "stalled-learners"
    names = ["a1", "a2", "a3", "b1", "b2", "x"]
    client.force_login(alpha_admin)
    rows = page_values(client.get(url(slug)), slug)
    shown = {cell[0] for row in rows for cell in row}
    assert shown & set(names), "the school admin sees their stalled learners by name"
    assert not shown & {"b1", "b2", "x"}, "and nobody outside their school"
    # A platform administrator gets counts per course, never a name; the export too.
    client.force_login(platform_admin)
    response = client.get(url(slug))
    assert response.status_code == 200
    assert [row[0][0] for row in page_values(response, slug)] == ["Data", "Robots"]
    for name in names:
        assert f"{name.upper()} Learner" not in response.content.decode()
    export = client.post(reverse("reports:report_exports:start", args=[slug]), {"format": "csv"})
    assert export.status_code == 302
    job = ExportJob.objects.get(requested_by=platform_admin, report=slug)
    for name in names:
        assert f"{name.upper()} Learner" not in bytes(job.content).decode("utf-8-sig")


def test_left_out_groups_are_counted_once_on_the_page(
    client, real_catalogue, report_world, platform_admin, settings
):
    settings.REPORTS_MIN_GROUP_SIZE = 3  # A1 has 3 learners; A2 (1) and B1 (2) are left out
    client.force_login(platform_admin)
    response = client.get(url("completion-by-class"))
    assert [row[1][0] for row in page_values(response, "completion-by-class")] == ["A1"]
    page = response.content.decode()
    assert "2 groups are not shown because they have fewer than 3 learners" in page
    assert "Groups of fewer learners than the privacy limit are not shown." not in page


def test_every_page_a_scope_may_open_has_export_buttons_that_work(
    client, real_catalogue, report_world, platform_admin, alpha_admin
):
    for user in (platform_admin, alpha_admin):
        client.force_login(user)
        for report in views.visible_reports(base.ReportScope.for_user(user)):
            page = client.get(url(report.slug)).content.decode()
            assert 'name="format" value="xlsx"' in page, (user, report.slug)
            response = client.post(
                reverse("reports:report_exports:start", args=[report.slug]), {"format": "csv"}
            )
            assert response.status_code == 302, (user, report.slug)
