from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from accounts.models import Classroom, School, SignInFailure, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "email", "role", "is_class_account", "is_active")
    list_filter = ("role", "school", "is_class_account", "is_active", "is_staff")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Qiming"), {"fields": ("role", "school", "is_class_account")}),
    )


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ("name", "class_count", "created_at")
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(class_count=Count("classrooms"))

    @admin.display(description=_("classes"), ordering="class_count")
    def class_count(self, school):
        return school.class_count


@admin.register(Classroom)
class ClassroomAdmin(admin.ModelAdmin):
    list_display = ("name", "school", "teacher", "join_code", "learner_count", "created_at")
    list_filter = ("school",)
    search_fields = ("name", "join_code", "teacher__username")
    readonly_fields = ("join_code", "created_at")
    autocomplete_fields = ("teacher",)
    filter_horizontal = ("learners", "courses")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(learner_count=Count("learners"))

    @admin.display(description=_("learners"), ordering="learner_count")
    def learner_count(self, classroom):
        return classroom.learner_count


@admin.register(SignInFailure)
class SignInFailureAdmin(admin.ModelAdmin):
    """Read-only: how many failed sign-ins there were lately, per kind of limit."""

    list_display = ("scope", "created_at")
    list_filter = ("scope",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
