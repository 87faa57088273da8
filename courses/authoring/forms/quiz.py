"""Teacher-friendly editors for every quiz kind: forms in, a quiz definition (spec) out.

Each editor draws the kind's definition as ordinary form fields (options with a "right answer"
box, items in their right order, groups and the items that go in them, pairs and distractors)
and builds the spec that courses.quiz validates; courses.quiz.validate_spec stays the one judge
of what is valid (quiz_base.py puts its problems next to their fields). Rows of the lists are in
rows.py.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.authoring.forms.quiz_base import ListPart, SpecEditor
from courses.authoring.forms.rows import (
    DistractorFormSet,
    GroupedItemFormSet,
    ItemFormSet,
    OptionFormSet,
    OrderedItemFormSet,
    PairFormSet,
    item_initial,
)
from courses.models import Exercise
from courses.quiz.base import MAX_TEXT_LENGTH

Kind = Exercise.Kind


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
            row = item_initial(option)
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
                initial.append({**item_initial(entry), "ORDER": place})
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
                self.formset(ItemFormSet, "categories", [item_initial(c) for c in categories]),
                _("Groups"),
                _("Add a group"),
                _("Group %(number)s"),
                script_words={
                    "group-label": _("Group %(number)s"),
                    "group-named": _("Group %(number)s: %(name)s"),
                },
            )
        ]
        groups = self._group_choices()
        items = []
        for entry in spec.get("items") or []:
            if isinstance(entry, dict):
                row = item_initial(entry)
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
                _("Group %(number)s: %(name)s") % {"number": number, "name": text[:60]}
                if text
                else _("Group %(number)s") % {"number": number}
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
            row = item_initial(left, "left_")
            partner = right.get(pairs.get(left.get("id")))
            if partner is not None:
                row.update(item_initial(partner, "right_"))
                used.add(partner.get("id"))
            rows.append(row)
        distractors = [item_initial(e) for i, e in right.items() if i not in used]
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
