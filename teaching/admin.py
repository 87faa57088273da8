"""Teaching in the Django admin: for looking, mostly. Marks and regrades are made on the teaching
pages (their services audit and count); the audit trail can be read here, never changed."""

from django.contrib import admin

from teaching.models import (
    ClassroomExercise,
    Extension,
    Mark,
    MarkChange,
    RegradeBatch,
    RegradeItem,
)


@admin.register(ClassroomExercise)
class ClassroomExerciseAdmin(admin.ModelAdmin):
    list_display = (
        "classroom",
        "exercise",
        "due_at",
        "late_policy",
        "late_percent",
        "max_attempts",
    )
    list_filter = ("late_policy",)
    raw_id_fields = ("classroom", "exercise")


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ("classroom", "exercise", "learner", "due_at", "granted_by", "granted_at")
    raw_id_fields = ("classroom", "exercise", "learner", "granted_by")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Mark)
class MarkAdmin(ReadOnlyAdmin):
    list_display = ("submission", "grade_id", "score", "marked_by", "marked_at")


@admin.register(MarkChange)
class MarkChangeAdmin(ReadOnlyAdmin):
    list_display = ("submission", "grade_id", "old_score", "new_score", "changed_by", "changed_at")


class RegradeItemInline(admin.TabularInline):
    model = RegradeItem
    fields = ("submission", "state", "old_status", "old_score", "new_status", "new_score")
    readonly_fields = fields
    can_delete = False
    extra = 0


@admin.register(RegradeBatch)
class RegradeBatchAdmin(ReadOnlyAdmin):
    list_display = ("exercise", "classroom", "status", "total", "done", "changed", "failed")
    list_filter = ("status",)
    inlines = [RegradeItemInline]
