"""The filter form's class menu stays small on a platform with thousands of classes."""

import pytest

from accounts.models import Classroom, School
from reports import filters
from reports.base import ReportScope
from reports.filters import ReportFilterForm

PLATFORM = ReportScope(school_id=None, show_names=False)


@pytest.fixture
def classes(db, teacher, monkeypatch):
    monkeypatch.setattr(filters, "CLASS_MENU_LIMIT", 2)
    north, south = School.objects.create(name="North"), School.objects.create(name="South")
    made = {
        name: Classroom.objects.create(name=name, teacher=teacher, school=school)
        for name, school in (("N1", north), ("N2", north), ("S1", south))
    }
    return north, south, made


def offered(form) -> list[str]:
    return [str(label) for value, label in form.fields["classroom"].widget.choices if value]


def test_beyond_the_limit_the_menu_waits_for_a_school(classes):
    north, _south, made = classes
    assert offered(ReportFilterForm({}, scope=PLATFORM)) == []
    assert offered(ReportFilterForm({"school": north.pk}, scope=PLATFORM)) == ["N1", "N2"]
    shared_link = ReportFilterForm({"classroom": made["S1"].pk}, scope=PLATFORM)
    assert offered(shared_link) == ["S1"]
    assert shared_link.is_valid() and shared_link.filters().classroom_id == made["S1"].pk


def test_within_the_limit_every_class_is_offered(classes, monkeypatch):
    monkeypatch.setattr(filters, "CLASS_MENU_LIMIT", 10)
    assert offered(ReportFilterForm({}, scope=PLATFORM)) == ["N1", "N2", "S1"]


def test_a_school_admin_is_offered_their_school_only(classes):
    north, _south, made = classes
    scope = ReportScope(school_id=north.pk, show_names=True)
    assert offered(ReportFilterForm({}, scope=scope)) == ["N1", "N2"]
    other = ReportFilterForm({"classroom": made["S1"].pk}, scope=scope)
    assert not other.is_valid() and "classroom" in other.errors
