"""Admin for curricula. Quiz definitions are checked with the same rules as course files."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from courses import quiz
from courses.models import BigIdea, Course, CourseAsset, Exercise, Lesson, QuizAttempt, Unit


class CourseForm(forms.ModelForm):
    # The admin supplies the model and fields (ModelAdmin.get_form).
    # Tick boxes instead of raw JSON: the list may only hold the fixed big ideas.
    big_ideas = forms.MultipleChoiceField(
        label=_("big ideas"),
        choices=BigIdea.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    ordering = ["position"]


class LessonInline(admin.StackedInline):
    model = Lesson
    extra = 0
    ordering = ["position"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    form = CourseForm
    list_display = ("title_en", "title_zh", "age_band", "is_published", "owner")
    list_filter = ("age_band", "is_published")
    search_fields = ("slug", "title_en", "title_zh")
    prepopulated_fields = {"slug": ("title_en",)}
    inlines = [UnitInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("title_en", "course", "position")
    list_filter = ("course",)
    inlines = [LessonInline]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ("title_en", "unit", "position")
    list_filter = ("unit__course",)
    search_fields = ("title_en", "title_zh")


class ExerciseForm(forms.ModelForm):
    # The admin supplies the model and fields (ModelAdmin.get_form).
    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind and kind != Exercise.Kind.NOTEBOOK:
            problems = quiz.validate_spec(kind, cleaned.get("spec"))
            if problems:
                self.add_error("spec", problems)
        return cleaned


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    form = ExerciseForm
    list_display = ("title", "kind", "lesson", "position", "max_score", "is_published")
    list_filter = ("kind", "is_published")
    search_fields = ("title", "title_zh")
    # Notebooks are made by exercise_create_notebook (release strips solutions and hidden tests);
    # editing them here would bypass that, and the score follows from the notebook or spec.
    readonly_fields = ("source_notebook", "released_notebook", "max_score")

    def save_model(self, request, obj, form, change):
        if not obj.is_notebook:
            obj.max_score = quiz.max_score(obj.spec)
        super().save_model(request, obj, form, change)


@admin.register(QuizAttempt)
class QuizAttemptAdmin(admin.ModelAdmin):
    list_display = ("learner", "exercise", "attempt", "correct", "score", "created_at")
    list_filter = ("correct",)
    search_fields = ("learner__username", "exercise__title")

    # A record of what happened: marks are made by the service, never typed in.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CourseAsset)
class CourseAssetAdmin(admin.ModelAdmin):
    list_display = ("name", "course", "content_type", "size", "updated_at")
    list_filter = ("content_type",)
    search_fields = ("name", "course__slug")
    # Assets arrive with course folders (courses.asset_services checks their content); the
    # admin may look and delete, never type bytes in.
    fields = ("course", "name", "content_type", "size", "sha256", "created_at", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
