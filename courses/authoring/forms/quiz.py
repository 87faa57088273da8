"""Teacher-friendly editors for every quiz kind: forms in, a quiz definition (spec) out.

Each editor draws the kind's definition as ordinary form fields (options with a "right answer"
box, items in their right order, groups and the items that go in them, pairs and distractors)
and builds the spec that courses.quiz validates. courses.quiz.validate_spec stays the one judge
of what is valid: its problems ("options[2]: “alt_zh” needs text.") are put back next to the
field they are about, so a teacher never reads a JSON path.

Lists are Django formsets with two blank rows to fill in; with JavaScript, "Add" buttons add more
(static/authoring/authoring.js), without it a teacher saves and gets two new blank rows. Blank
rows are ignored, rows marked "Remove" are dropped. Ids (what learners' answers refer to) are
kept in hidden fields, so editing a text never changes what an answer means; new rows get new
ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses import asset_services
from courses.authoring.services import NewAsset, free_asset_name
from courses.models import Course, Exercise
from courses.quiz.base import MAX_ITEMS, MAX_TEXT_LENGTH

Kind = Exercise.Kind
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}
ITEM_KEYS = ("text_en", "text_zh", "image", "alt_en", "alt_zh")
_WHERE = re.compile(r"^(?P<key>[a-z_]+)(?:\[(?P<index>\d+)\])?: (?P<message>.*)$", re.DOTALL)
_QUOTED = re.compile(r"“([a-z_]+)”")


# --- pictures -----------------------------------------------------------------------------------


def picture_choices(course: Course, spec: dict | None = None) -> list[tuple[str, str]]:
    """The course's pictures to choose from, plus any picture the definition already uses (an
    https:// address, an older path), so that saving never drops it."""
    names = list(
        course.assets.filter(content_type__in=IMAGE_TYPES)
        .order_by("name")
        .values_list("name", flat=True)
    )
    for image in _images_in(spec or {}):
        if image not in names:
            names.append(image)
    return [("", _("No picture")), *((name, name) for name in names)]


def _images_in(spec: dict) -> list[str]:
    found = []
    for key in ("options", "items", "categories", "left", "right"):
        for entry in spec.get(key) or []:
            if isinstance(entry, dict) and isinstance(entry.get("image"), str):
                found.append(entry["image"])
    return found


class PictureUploadField(forms.FileField):
    """A picture checked as course assets are (type from the name, confirmed by the content,
    no script in an SVG), before anything is stored. Cleans to (file name, bytes)."""

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if not uploaded:
            return None
        if uploaded.size > asset_services.MAX_ASSET_BYTES:
            raise ValidationError(
                _("The picture is %(size)d bytes; a picture may be at most %(limit)d bytes.")
                % {"size": uploaded.size, "limit": asset_services.MAX_ASSET_BYTES}
            )
        content_type = asset_services.content_type_for(uploaded.name or "")
        if content_type not in IMAGE_TYPES:
            raise ValidationError(
                _("Upload a PNG, JPEG, GIF, WebP or SVG picture (by its file name ending).")
            )
        content = uploaded.read()
        problems = asset_services.content_problems(content_type, content)
        if problems:
            raise ValidationError(problems)
        return (uploaded.name, content)


# --- rows ---------------------------------------------------------------------------------------


def _item_fields(prefix: str, pictures, side_label: str = "") -> dict[str, forms.Field]:
    def label(text):
        return f"{side_label}: {text}" if side_label else text

    def text(name, text_label, **attrs):
        return forms.CharField(
            label=label(text_label),
            required=False,
            max_length=MAX_TEXT_LENGTH,
            widget=forms.TextInput(attrs=attrs) if attrs else None,
        )

    return {
        f"{prefix}id": forms.CharField(required=False, max_length=64, widget=forms.HiddenInput),
        f"{prefix}text_en": text("text_en", _("Text (English)")),
        f"{prefix}text_zh": text("text_zh", _("Text (Chinese)"), lang="zh-Hans"),
        f"{prefix}image": forms.ChoiceField(
            label=label(_("Picture from the course")), required=False, choices=pictures
        ),
        f"{prefix}upload": PictureUploadField(
            label=label(_("Or upload a picture")),
            required=False,
            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
        ),
        f"{prefix}alt_en": text("alt_en", _("Picture description (English)")),
        f"{prefix}alt_zh": text("alt_zh", _("Picture description (Chinese)"), lang="zh-Hans"),
    }


@dataclass
class Side:
    """One item's fields in a row (a row of "match" holds two: left and right)."""

    prefix: str
    label: str
    fields: dict = field(default_factory=dict)  # key → BoundField

    @property
    def picture_fields(self):
        return [self.fields[key] for key in ("image", "upload", "alt_en", "alt_zh")]

    @property
    def picture_open(self) -> bool:
        """Show the picture fields unfolded when a picture is set or one of them has a problem."""
        return bool(self.fields["image"].value()) or any(
            bound.errors for bound in self.picture_fields
        )


class RowForm(forms.Form):
    """A row of a list: one item per side, plus the kind's own fields."""

    sides: tuple[tuple[str, str], ...] = (("", ""),)  # (prefix, label)

    def __init__(self, *args, pictures=(), **kwargs):
        super().__init__(*args, **kwargs)
        for prefix, side_label in self.sides:
            self.fields.update(_item_fields(prefix, pictures, str(side_label)))
        self.order_fields(self.field_order_all())

    def field_order_all(self) -> list[str]:
        return list(self.fields)

    def bound_sides(self) -> list[Side]:
        keys = ("id", "text_en", "text_zh", "image", "upload", "alt_en", "alt_zh")
        return [
            Side(prefix, str(side_label), {key: self[f"{prefix}{key}"] for key in keys})
            for prefix, side_label in self.sides
        ]

    def own_fields(self) -> list:
        """The row's fields that are not an item's (right answer, feedback, group, place)."""
        item_names = {
            f"{prefix}{key}"
            for prefix, _label in self.sides
            for key in ("id", *ITEM_KEYS, "upload")
        }
        return [self[name] for name in self.fields if name not in item_names | {"DELETE"}]

    def value(self, name: str):
        return self.cleaned_data.get(name)

    def side_blank(self, prefix: str) -> bool:
        return not any(
            self.value(f"{prefix}{key}") for key in ("text_en", "text_zh", "image", "alt_en")
        ) and not (self.value(f"{prefix}alt_zh") or self.value(f"{prefix}upload"))

    def own_blank(self) -> bool:
        """Whether the kind's own fields are empty too (a row of nothing at all is skipped)."""
        return True

    def is_blank(self) -> bool:
        return self.own_blank() and all(self.side_blank(prefix) for prefix, _l in self.sides)

    def removed(self) -> bool:
        return bool(self.cleaned_data.get("DELETE"))


class ItemForm(RowForm):
    pass


class OptionForm(RowForm):
    correct = forms.BooleanField(label=gettext_lazy("Right answer"), required=False)
    feedback_en = forms.CharField(
        label=gettext_lazy("Feedback when chosen (English)"),
        required=False,
        max_length=MAX_TEXT_LENGTH,
    )
    feedback_zh = forms.CharField(
        label=gettext_lazy("Feedback when chosen (Chinese)"),
        required=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.TextInput(attrs={"lang": "zh-Hans"}),
    )

    def own_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("correct") or data.get("feedback_en") or data.get("feedback_zh"))


class GroupedItemForm(RowForm):
    """An item to sort, with the group it belongs in (by the group's row number)."""

    group = forms.ChoiceField(label=gettext_lazy("Belongs in"), required=False)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("Choose a group")), *groups]

    def own_blank(self) -> bool:
        return not self.cleaned_data.get("group")


class PairForm(RowForm):
    sides = (("left_", gettext_lazy("Left")), ("right_", gettext_lazy("Right")))


class RowFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "ORDER" in form.fields:
            form.fields["ORDER"].label = _("Place")
            form.fields["ORDER"].widget.attrs["min"] = 1
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this row")


def _formset(form, *, can_order=False, extra=2):
    return formset_factory(
        form,
        formset=RowFormSet,
        extra=extra,
        can_delete=True,
        can_order=can_order,
        max_num=MAX_ITEMS,
        validate_max=True,
        absolute_max=MAX_ITEMS + 10,
    )


OptionFormSet = _formset(OptionForm)
ItemFormSet = _formset(ItemForm)
OrderedItemFormSet = _formset(ItemForm, can_order=True)
GroupedItemFormSet = _formset(GroupedItemForm)
PairFormSet = _formset(PairForm)
DistractorFormSet = _formset(ItemForm, extra=1)


def _item_initial(entry: dict, prefix: str = "") -> dict:
    initial = {f"{prefix}id": entry.get("id", "")}
    for key in ITEM_KEYS:
        if isinstance(entry.get(key), str):
            initial[f"{prefix}{key}"] = entry[key]
    return initial


def _new_id(stem: str, taken: set[str]) -> str:
    number = 1
    while f"{stem}{number}" in taken:
        number += 1
    return f"{stem}{number}"


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
            item_id = _new_id(stem, taken)
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


class ChoiceEditor(SpecEditor):
    """Single and multiple choice: options with text or a picture, right answer(s), feedback."""

    multiple = False

    def setup(self):
        spec = self.spec_in
        correct = spec.get("correct")
        right = set(correct) if isinstance(correct, list) else {correct}
        initial = []
        for option in spec.get("options") or []:
            if not isinstance(option, dict):
                continue
            row = _item_initial(option)
            row["correct"] = option.get("id") in right
            for lang in ("en", "zh"):
                if isinstance(option.get(f"feedback_{lang}"), str):
                    row[f"feedback_{lang}"] = option[f"feedback_{lang}"]
            initial.append(row)
        self.lists = [
            ListPart(
                "options",
                self.formset(OptionFormSet, "options", initial),
                _("Options"),
                _("Add an option"),
                _("Option %(number)s"),
            )
        ]

    def build(self) -> dict:
        options, right, taken = [], [], set()
        for index, form in enumerate(self.kept_rows("options")):
            entry = self.item(form, "", "options", index, taken, "option")
            for lang in ("en", "zh"):
                if form.cleaned_data.get(f"feedback_{lang}"):
                    entry[f"feedback_{lang}"] = form.cleaned_data[f"feedback_{lang}"]
            options.append(entry)
            if form.cleaned_data.get("correct"):
                right.append(entry["id"])
        part = self.list_part("options")
        spec: dict = {"options": options}
        if self.multiple:
            if not right:
                part.errors.append(_("Mark at least one option as a right answer."))
            spec["correct"] = right
        else:
            if len(right) != 1:
                part.errors.append(_("Mark exactly one option as the right answer."))
            spec["correct"] = right[0] if right else ""
        return spec

    def place(self, key, index, message):
        if key == "correct" and index is None:
            self.list_part("options").errors.append(message)
            return True
        if key == "options" and index is None:
            self.list_part("options").errors.append(message)
            return True
        return super().place(key, index, message)


class MultipleChoiceEditor(ChoiceEditor):
    kind = Kind.MULTIPLE_CHOICE
    multiple = True
    intro = gettext_lazy(
        "Learners choose every option that is right; each right one earns a share, each wrong "
        "one costs a share. Tick all the right answers."
    )


class SingleChoiceEditor(ChoiceEditor):
    kind = Kind.SINGLE_CHOICE
    intro = gettext_lazy(
        "Learners choose one option. Give each option text or a picture (with a description "
        "for screen readers) and tick the one right answer."
    )


class TrueFalseForm(forms.Form):
    correct = forms.ChoiceField(
        label=gettext_lazy("The statement is"),
        choices=[("true", gettext_lazy("True")), ("false", gettext_lazy("False"))],
        widget=forms.RadioSelect,
    )


class TrueFalseEditor(SpecEditor):
    kind = Kind.TRUE_FALSE
    intro = gettext_lazy("Write the statement as the question above; say whether it is true.")

    def setup(self):
        correct = self.spec_in.get("correct")
        initial = {"correct": "true" if correct is True else "false" if correct is False else ""}
        self.form = TrueFalseForm(self.data if self.bound else None, initial=initial)

    def build(self) -> dict:
        return {"correct": self.form.cleaned_data["correct"] == "true"}


class NumericForm(forms.Form):
    correct = forms.FloatField(label=gettext_lazy("Right answer"))
    tolerance = forms.FloatField(
        label=gettext_lazy("Allowed difference (±)"),
        required=False,
        min_value=0,
        help_text=gettext_lazy("0.1 accepts 5.4 to 5.6 for 5.5. Empty: exactly this number."),
    )
    relative_tolerance = forms.FloatField(
        label=gettext_lazy("Allowed relative difference"),
        required=False,
        min_value=0,
        help_text=gettext_lazy("A fraction of the right answer: 0.01 is 1%. Empty: none."),
    )
    unit_en = forms.CharField(
        label=gettext_lazy("Unit (English)"), required=False, max_length=MAX_TEXT_LENGTH
    )
    unit_zh = forms.CharField(
        label=gettext_lazy("Unit (Chinese)"),
        required=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.TextInput(attrs={"lang": "zh-Hans"}),
    )


class NumericEditor(SpecEditor):
    kind = Kind.NUMERIC
    intro = gettext_lazy(
        "Learners type a number. Allow a difference for rounding; the unit is shown next to "
        "the box."
    )

    def setup(self):
        keys = ("correct", "tolerance", "relative_tolerance", "unit_en", "unit_zh")
        initial = {key: self.spec_in[key] for key in keys if key in self.spec_in}
        self.form = NumericForm(self.data if self.bound else None, initial=initial)

    def build(self) -> dict:
        data = self.form.cleaned_data
        spec = {"correct": data["correct"]}
        for key in ("tolerance", "relative_tolerance"):
            if data.get(key) is not None:
                spec[key] = data[key]
        if data.get("unit_en") or data.get("unit_zh"):
            spec["unit_en"], spec["unit_zh"] = data.get("unit_en", ""), data.get("unit_zh", "")
        return spec


class ShortTextForm(forms.Form):
    accepted_en = forms.CharField(
        label=gettext_lazy("Accepted answers (English), one per line"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=gettext_lazy(
            "Capitals, extra spaces and a full stop at the end do not matter. An answer in "
            "either language counts."
        ),
    )
    accepted_zh = forms.CharField(
        label=gettext_lazy("Accepted answers (Chinese), one per line"),
        widget=forms.Textarea(attrs={"rows": 4, "lang": "zh-Hans"}),
        required=False,
    )


class ShortTextEditor(SpecEditor):
    kind = Kind.SHORT_TEXT
    intro = gettext_lazy(
        "Learners type a word or a short phrase; it is right when it matches one of the "
        "accepted answers."
    )

    def setup(self):
        initial = {}
        for key in ("accepted_en", "accepted_zh"):
            value = self.spec_in.get(key)
            if isinstance(value, list):
                initial[key] = "\n".join(str(line) for line in value)
        self.form = ShortTextForm(self.data if self.bound else None, initial=initial)
        self._lines: dict[str, list[int]] = {}

    def build(self) -> dict:
        spec = {}
        for key in ("accepted_en", "accepted_zh"):
            numbered = [
                (number, line.strip())
                for number, line in enumerate(self.form.cleaned_data[key].splitlines(), start=1)
                if line.strip()
            ]
            self._lines[key] = [number for number, _line in numbered]
            spec[key] = [line for _number, line in numbered]
        return spec

    def place(self, key, index, message):
        if key in ("accepted_en", "accepted_zh") and index is not None:
            lines = self._lines.get(key, [])
            number = lines[index] if index < len(lines) else index + 1
            self.form.add_error(
                key, _("Line %(number)d: %(problem)s") % {"number": number, "problem": message}
            )
            return True
        return super().place(key, index, message)


class OrderingEditor(SpecEditor):
    kind = Kind.ORDERING
    intro = gettext_lazy(
        "Write the items in the right order; learners see them shuffled and put them back. "
        "Change an item's place number to move it."
    )

    def setup(self):
        initial = []
        for place, entry in enumerate(self.spec_in.get("items") or [], start=1):
            if isinstance(entry, dict):
                initial.append({**_item_initial(entry), "ORDER": place})
        self.lists = [
            ListPart(
                "items",
                self.formset(OrderedItemFormSet, "items", initial),
                _("Items, in the right order"),
                _("Add an item"),
                _("Item %(number)s"),
            )
        ]

    def build(self) -> dict:
        taken: set[str] = set()
        items = [
            self.item(form, "", "items", index, taken, "item")
            for index, form in enumerate(self.kept_rows("items"))
        ]
        return {"items": items}

    def place(self, key, index, message):
        if key == "items" and index is None:
            self.list_part("items").errors.append(message)
            return True
        return super().place(key, index, message)


class CategoriseEditor(SpecEditor):
    """Groups, and items that each belong in one group (chosen by the group's row)."""

    kind = Kind.CATEGORISE
    intro = gettext_lazy(
        "Name two or more groups, then list the items and the group each belongs in; learners "
        "sort the items into the groups."
    )

    def setup(self):
        spec = self.spec_in
        categories = [entry for entry in spec.get("categories") or [] if isinstance(entry, dict)]
        row_of = {entry.get("id"): index for index, entry in enumerate(categories)}
        self.lists = [
            ListPart(
                "categories",
                self.formset(ItemFormSet, "categories", [_item_initial(c) for c in categories]),
                _("Groups"),
                _("Add a group"),
                _("Group %(number)s"),
            )
        ]
        groups = self._group_choices()
        items = []
        for entry in spec.get("items") or []:
            if isinstance(entry, dict):
                row = _item_initial(entry)
                if entry.get("category") in row_of:
                    row["group"] = str(row_of[entry["category"]])
                items.append(row)
        self.lists.append(
            ListPart(
                "items",
                self.formset(GroupedItemFormSet, "items", items, groups=groups),
                _("Items to sort"),
                _("Add an item"),
                _("Item %(number)s"),
            )
        )

    def _group_choices(self) -> list[tuple[str, str]]:
        """One choice per row of the groups list, named by its English text when it has one."""
        formset = self.list_part("categories").formset
        choices = []
        for index, form in enumerate(formset.forms):
            if self.bound:
                text = form.data.get(form.add_prefix("text_en"), "") or form.data.get(
                    form.add_prefix("alt_en"), ""
                )
            else:
                text = form.initial.get("text_en") or form.initial.get("alt_en") or ""
            number = index + 1
            label = (
                _("Group %(number)d: %(name)s") % {"number": number, "name": text[:60]}
                if text
                else _("Group %(number)d") % {"number": number}
            )
            choices.append((str(index), label))
        return choices

    def build(self) -> dict:
        taken: set[str] = set()
        category_forms = self.list_part("categories").formset.forms
        kept = self.kept_rows("categories")
        categories, id_of_row = [], {}
        for index, form in enumerate(kept):
            entry = self.item(form, "", "categories", index, taken, "group")
            categories.append(entry)
            id_of_row[str(category_forms.index(form))] = entry["id"]
        items = []
        for index, form in enumerate(self.kept_rows("items")):
            entry = self.item(form, "", "items", index, taken, "item")
            group = form.cleaned_data.get("group")
            if group in id_of_row:
                entry["category"] = id_of_row[group]
            else:
                form.add_error("group", _("Choose one of the groups for this item."))
            items.append(entry)
        return {"categories": categories, "items": items}

    def place(self, key, index, message):
        if key in ("categories", "items") and index is None:
            self.list_part(key).errors.append(message)
            return True
        if key == "items" and (key, index) in self._rows and "category" in message:
            self._rows[(key, index)][0].add_error("group", message)
            return True
        return super().place(key, index, message)


class MatchEditor(SpecEditor):
    """Pairs (left and right) and distractors: extra items on the right with no partner."""

    kind = Kind.MATCH
    intro = gettext_lazy(
        "Each pair is an item on the left and its partner on the right; learners see the right "
        "side shuffled. Distractors are extra items on the right that match nothing."
    )

    def setup(self):
        spec = self.spec_in
        right = {e.get("id"): e for e in spec.get("right") or [] if isinstance(e, dict)}
        pairs = spec.get("pairs") if isinstance(spec.get("pairs"), dict) else {}
        rows, used = [], set()
        for left in spec.get("left") or []:
            if not isinstance(left, dict):
                continue
            row = _item_initial(left, "left_")
            partner = right.get(pairs.get(left.get("id")))
            if partner is not None:
                row.update(_item_initial(partner, "right_"))
                used.add(partner.get("id"))
            rows.append(row)
        distractors = [_item_initial(e) for i, e in right.items() if i not in used]
        self.lists = [
            ListPart(
                "pairs",
                self.formset(PairFormSet, "pairs", rows),
                _("Pairs"),
                _("Add a pair"),
                _("Pair %(number)s"),
            ),
            ListPart(
                "distractors",
                self.formset(DistractorFormSet, "distractors", distractors),
                _("Distractors: extra items on the right that match nothing (optional)"),
                _("Add a distractor"),
                _("Distractor %(number)s"),
            ),
        ]

    def build(self) -> dict:
        left_ids: set[str] = set()
        right_ids: set[str] = set()
        left, right, pairs = [], [], {}
        for form in self.kept_rows("pairs"):
            left_entry = self.item(form, "left_", "left", len(left), left_ids, "left")
            right_entry = self.item(form, "right_", "right", len(right), right_ids, "right")
            left.append(left_entry)
            right.append(right_entry)
            pairs[left_entry["id"]] = right_entry["id"]
        for form in self.kept_rows("distractors"):
            right.append(self.item(form, "", "right", len(right), right_ids, "right"))
        return {"left": left, "right": right, "pairs": pairs}

    def place(self, key, index, message):
        if key in ("pairs", "left", "right") and index is None:
            self.list_part("pairs").errors.append(message)
            return True
        return super().place(key, index, message)


EDITORS: dict[str, type[SpecEditor]] = {
    Kind.SINGLE_CHOICE: SingleChoiceEditor,
    Kind.MULTIPLE_CHOICE: MultipleChoiceEditor,
    Kind.TRUE_FALSE: TrueFalseEditor,
    Kind.NUMERIC: NumericEditor,
    Kind.SHORT_TEXT: ShortTextEditor,
    Kind.ORDERING: OrderingEditor,
    Kind.CATEGORISE: CategoriseEditor,
    Kind.MATCH: MatchEditor,
}


def editor_for(kind: str, **kwargs) -> SpecEditor:
    return EDITORS[kind](**kwargs)
