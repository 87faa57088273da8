"""Teachers' class pages. Teachers manage their own classes, platform admins every class;
another teacher's class is a 404, and learners get a 403 on every page here."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors, services
from accounts.forms import ClassAccountsForm, ClassroomForm, CourseAssignmentForm

# Passwords of a new sheet wait here between the POST and the page that shows them, once.
SHEET_SESSION_KEY = "accounts.sheet"


def class_manager_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.can_manage_classes(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@require_http_methods(["GET", "POST"])
@class_manager_required
def class_list(request):
    form = ClassroomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            classroom = services.classroom_create(
                teacher=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            form.add_error("name", error)
        else:
            messages.success(request, _("Class “%(name)s” created.") % {"name": classroom.name})
            return redirect("accounts:class_detail", pk=classroom.pk)
    return render(
        request,
        "accounts/class_list.html",
        {"classrooms": selectors.classrooms_managed_by(request.user), "form": form},
        status=400 if form.errors else 200,
    )


def _render_detail(request, classroom, *, status=200, **forms):
    offered = selectors.assignable_courses(request.user)
    context = {
        "classroom": classroom,
        "learners": selectors.learners_of(classroom),
        "rename_form": forms.get("rename_form") or ClassroomForm(initial={"name": classroom.name}),
        "accounts_form": forms.get("accounts_form") or ClassAccountsForm(),
        "courses_form": forms.get("courses_form")
        or CourseAssignmentForm(offered=offered, initial={"courses": classroom.courses.all()}),
        "sign_in_url": _sign_in_url(request, classroom),
    }
    return render(request, "accounts/class_detail.html", context, status=status)


def _sign_in_url(request, classroom) -> str:
    url = reverse("accounts:class_sign_in")
    return request.build_absolute_uri(f"{url}?{urlencode({'code': classroom.join_code})}")


@require_GET
@class_manager_required
def class_detail(request, pk):
    return _render_detail(request, selectors.classroom_managed_by(request.user, pk))


@require_POST
@class_manager_required
def class_rename(request, pk):
    classroom = selectors.classroom_managed_by(request.user, pk)
    form = ClassroomForm(request.POST)
    if form.is_valid():
        try:
            services.classroom_rename(classroom=classroom, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error)
    if form.errors:
        return _render_detail(request, classroom, rename_form=form, status=400)
    messages.success(request, _("The class is now called “%(name)s”.") % {"name": classroom.name})
    return redirect("accounts:class_detail", pk=classroom.pk)


@require_POST
@class_manager_required
def class_code_new(request, pk):
    classroom = selectors.classroom_managed_by(request.user, pk)
    try:
        code = services.classroom_code_regenerate(classroom=classroom)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "The new class code is %(code)s. The old code no longer works, not even on "
                "printed cards."
            )
            % {"code": code},
        )
    return redirect("accounts:class_detail", pk=classroom.pk)


@require_POST
@class_manager_required
def class_courses(request, pk):
    classroom = selectors.classroom_managed_by(request.user, pk)
    offered = selectors.assignable_courses(request.user)
    form = CourseAssignmentForm(request.POST, offered=offered)
    if not form.is_valid():
        return _render_detail(request, classroom, courses_form=form, status=400)
    services.classroom_courses_set(
        classroom=classroom, offered=offered, chosen=form.cleaned_data["courses"]
    )
    messages.success(request, _("The class's courses are saved."))
    return redirect("accounts:class_detail", pk=classroom.pk)


@require_POST
@class_manager_required
def class_accounts_create(request, pk):
    classroom = selectors.classroom_managed_by(request.user, pk)
    form = ClassAccountsForm(request.POST)
    if form.is_valid():
        try:
            accounts = services.class_accounts_create(
                classroom=classroom, names=form.cleaned_data["names"]
            )
        except ValidationError as error:
            form.add_error("names", error)
    if form.errors:
        return _render_detail(request, classroom, accounts_form=form, status=400)
    _sheet_keep(request, classroom, accounts)
    return redirect("accounts:class_cards", pk=classroom.pk)


@require_POST
@class_manager_required
def class_learner_remove(request, pk, learner_pk):
    classroom = selectors.classroom_managed_by(request.user, pk)
    learner = selectors.learner_in(classroom, learner_pk)
    services.classroom_learner_remove(classroom=classroom, learner=learner)
    messages.success(
        request,
        _("%(name)s is no longer in this class. Their account and work are kept.")
        % {"name": learner.get_full_name() or learner.username},
    )
    return redirect("accounts:class_detail", pk=classroom.pk)


@require_POST
@class_manager_required
def class_learner_password(request, pk, learner_pk):
    classroom = selectors.classroom_managed_by(request.user, pk)
    learner = selectors.learner_in(classroom, learner_pk)
    try:
        account = services.learner_password_reset(classroom=classroom, learner=learner)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:class_detail", pk=classroom.pk)
    _sheet_keep(request, classroom, [account])
    return redirect("accounts:class_cards", pk=classroom.pk)


def _sheet_keep(request, classroom, accounts) -> None:
    """Hold the new passwords for the one page that shows them (the redirect's target)."""
    request.session[SHEET_SESSION_KEY] = {
        "classroom": classroom.pk,
        "cards": [[account.name, account.username, account.password] for account in accounts],
    }


@require_GET
@never_cache  # the sheet holds passwords: no copy in the browser's or a proxy's cache
@class_manager_required
def class_cards(request, pk):
    """The printable sheet, once: the passwords leave the session as the page is made."""
    classroom = selectors.classroom_managed_by(request.user, pk)
    sheet = request.session.pop(SHEET_SESSION_KEY, None)
    if not sheet or sheet.get("classroom") != classroom.pk:
        messages.info(
            request,
            _(
                "Passwords are shown only once, right after they are made. To print a card "
                "again, give the learner a new password."
            ),
        )
        return redirect("accounts:class_detail", pk=classroom.pk)
    cards = [
        {"name": name, "username": username, "password": password}
        for name, username, password in sheet["cards"]
    ]
    return render(
        request,
        "accounts/class_cards.html",
        {
            "classroom": classroom,
            "cards": cards,
            "sign_in_url": _sign_in_url(request, classroom),
        },
    )
