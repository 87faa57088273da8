"""What every quiz editor shares: building the spec from its lists and forms, and putting each
problem courses.quiz.validate_spec finds ("options[2]: “alt_zh” needs text.") back next to the
field it is about, named by the field's label, so a teacher never reads a JSON path."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import forms

from courses.authoring.forms.rows import new_id, picture_choices
from courses.authoring.services import NewAsset, free_asset_name
from courses.models import Course

_WHERE = re.compile(r"^(?P<key>[a-z_]+)(?:\[(?P<index>\d+)\])?: (?P<message>.*)$", re.DOTALL)
_QUOTED = re.compile(r"“([a-z_]+)”")


def _named(message: str, key: str, label) -> str:
    """A problem about the spec key `key` shown next to its field: the field's label instead of
    the key ("“Text (Chinese)” needs text." rather than "“text_zh” needs text.")."""
    return message.replace(f"“{key}”", f"“{label}”") if label else message


# --- editors ------------------------------------------------------------------------------------


@dataclass
class ListPart:
    """A formset, what it is called on the page, and the problems about it as a whole."""

    name: str  # "options", "items", "categories", "pairs", "distractors"
    formset: forms.BaseFormSet
    heading: str
    add_label: str
    row_label: str  # "Option %(number)s"
    errors: list[str] = field(default_factory=list)
    # Words the page's script needs for this list, as data-* attributes of the list.
    script_words: dict[str, str] = field(default_factory=dict)

    def rows(self) -> list[tuple[forms.Form, str]]:
        return [
            (form, self.row_label % {"number": number})
            for number, form in enumerate(self.formset.forms, start=1)
        ]

    @property
    def empty_title(self) -> str:
        """The title of a row the page's script adds ("__num__" becomes its number)."""
        return self.row_label % {"number": "__num__"}


class SpecEditor:
    """Base of the editors: builds the spec and puts validate_spec's problems back in place."""

    kind: str = ""

    def __init__(self, *, course: Course, data=None, files=None, spec: dict | None = None):
        self.course = course
        self.bound = data is not None
        self.data, self.files = data, files
        self.spec_in = spec if isinstance(spec, dict) else {}
        self.pictures = picture_choices(course, self.spec_in)
        self.errors: list[str] = []  # problems with no better place
        self.new_assets: list[NewAsset] = []
        self._reserved: set[str] = set()
        # (spec list key, index) → (row form, side prefix); filled by build().
        self._rows: dict[tuple[str, int], tuple[forms.Form, str]] = {}
        self.lists: list[ListPart] = []
        self.form: forms.Form | None = None  # the kind's single fields, if any
        self.setup()

    template = "courses/authoring/quiz_editor.html"
    intro = ""  # what the teacher fills in, one sentence

    def setup(self) -> None:  # pragma: no cover - every kind overrides it
        raise NotImplementedError

    def formset(self, formset_class, name: str, initial: list[dict], **form_kwargs):
        return formset_class(
            self.data if self.bound else None,
            self.files if self.bound else None,
            prefix=name,
            initial=None if self.bound else initial,
            form_kwargs={"pictures": self.pictures, **form_kwargs},
        )

    def parts(self) -> list:
        return [part.formset for part in self.lists] + ([self.form] if self.form else [])

    def is_valid(self) -> bool:
        return all([part.is_valid() for part in self.parts()])

    def list_part(self, name: str) -> ListPart:
        return next(part for part in self.lists if part.name == name)

    # building the spec ------------------------------------------------------------------------

    def kept_rows(self, name: str) -> list[forms.Form]:
        formset = self.list_part(name).formset
        forms_in_order = formset.ordered_forms if formset.can_order else formset.forms
        if formset.can_order:
            # ordered_forms leaves out rows marked for removal; blank rows come last anyway.
            return [form for form in forms_in_order if not form.is_blank()]
        return [form for form in forms_in_order if not form.removed() and not form.is_blank()]

    def item(self, form: forms.Form, prefix: str, key: str, index: int, taken: set[str], stem):
        """The spec entry for one side of a row (text, picture), recorded for problem mapping."""
        data = form.cleaned_data
        item_id = (data.get(f"{prefix}id") or "").strip()
        if not item_id or item_id in taken:
            item_id = new_id(stem, taken)
        taken.add(item_id)
        entry = {"id": item_id}
        for lang in ("en", "zh"):
            if data.get(f"{prefix}text_{lang}"):
                entry[f"text_{lang}"] = data[f"{prefix}text_{lang}"]
        upload = data.get(f"{prefix}upload")
        image = data.get(f"{prefix}image")
        if upload:
            name = free_asset_name(course=self.course, filename=upload[0], reserved=self._reserved)
            self._reserved.add(name)
            self.new_assets.append(NewAsset(name=name, content=upload[1]))
            image = name
        if image:
            entry["image"] = image
        for lang in ("en", "zh"):
            if data.get(f"{prefix}alt_{lang}"):
                entry[f"alt_{lang}"] = data[f"{prefix}alt_{lang}"]
        self._rows[(key, index)] = (form, prefix)
        return entry

    def build(self) -> dict:
        """The spec from valid forms (call is_valid() first)."""
        raise NotImplementedError  # pragma: no cover

    # putting problems back ----------------------------------------------------------------------

    def add_problems(self, problems: list[str]) -> None:
        for problem in problems:
            match = _WHERE.match(problem)
            if match is not None:
                index = int(match["index"]) if match["index"] is not None else None
                if self.place(match["key"], index, match["message"]):
                    continue
            else:
                quoted = _QUOTED.search(problem)
                if quoted and self.place_field(quoted[1], problem):
                    continue
            self.errors.append(problem)

    def place(self, key: str, index: int | None, message: str) -> bool:
        """Put a problem about spec[key] (or spec[key][index]) next to its field."""
        if index is not None and (key, index) in self._rows:
            form, prefix = self._rows[(key, index)]
            quoted = _QUOTED.search(message)
            # Hidden ids have no place on the page: a problem with one is the row's.
            name = f"{prefix}{quoted[1]}" if quoted and quoted[1] != "id" else ""
            if name in form.fields:
                form.add_error(name, _named(message, quoted[1], form.fields[name].label))
            else:
                form.add_error(None, message)
            return True
        if index is None and self.form is not None and key in self.form.fields:
            self.form.add_error(key, message)
            return True
        return self.place_field(key, message)

    def place_field(self, name: str, message: str) -> bool:
        if self.form is not None and name in self.form.fields:
            self.form.add_error(name, _named(message, name, self.form.fields[name].label))
            return True
        return False

    @property
    def has_errors(self) -> bool:
        """Problems anywhere: on the page as a whole, on a list, on a row or on a field."""
        if self.errors or any(part.errors for part in self.lists):
            return True
        if any(part.formset.non_form_errors() for part in self.lists):
            return True
        rows = [form for part in self.lists for form in part.formset.forms]
        return any(form.errors for form in [*rows, *([self.form] if self.form else [])])
