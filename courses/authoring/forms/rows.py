"""The rows of a quiz editor's lists: one option, item, group, pair or distractor each, with text
in both languages or a picture (picked from the course's assets or uploaded) with a description
for screen readers.

Lists are Django formsets with two blank rows to fill in; with JavaScript, "Add" buttons add more
(static/authoring/authoring.js), without it a teacher saves and gets two new blank rows. Blank
rows are ignored, rows marked "Remove" are dropped. Ids (what learners' answers refer to) are
kept in hidden fields, so editing a text never changes what an answer means.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from courses import asset_services
from courses.models import Course
from courses.quiz.base import MAX_ITEMS, MAX_TEXT_LENGTH

IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}
ITEM_KEYS = ("text_en", "text_zh", "image", "alt_en", "alt_zh")


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
    sides = (
        ("left_", pgettext_lazy("side of a matching pair", "Left")),
        ("right_", pgettext_lazy("side of a matching pair", "Right")),
    )


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


def item_initial(entry: dict, prefix: str = "") -> dict:
    initial = {f"{prefix}id": entry.get("id", "")}
    for key in ITEM_KEYS:
        if isinstance(entry.get(key), str):
            initial[f"{prefix}{key}"] = entry[key]
    return initial


def new_id(stem: str, taken: set[str]) -> str:
    number = 1
    while f"{stem}{number}" in taken:
        number += 1
    return f"{stem}{number}"
