"""Signing in (with a class code, or the ordinary way), signing up, and joining a class.

A form refused because of too many failures answers 429, any other invalid form 400.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render, resolve_url
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import (
    ClassSignInForm,
    JoinForm,
    SignUpForm,
    ThrottledAuthenticationForm,
    is_throttled,
)


def _status(form) -> int:
    return 429 if is_throttled(form) else 400


def _next_url(request, default: str) -> str:
    """`next` from the form or query when it points into this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def class_sign_in(request):
    """Young learners: class code, name and password, in large type."""
    if request.method == "POST":
        form = ClassSignInForm(request, data=request.POST)
        if form.is_valid():
            login(request, form.user)
            return redirect(_next_url(request, "learn:catalogue"))
        status = _status(form)
    else:
        form = ClassSignInForm(request, initial={"code": request.GET.get("code", "")[:20]})
        status = 200
    return render(
        request,
        "accounts/class_sign_in.html",
        {"form": form, "next": _next_url(request, "learn:catalogue")},
        status=status,
    )


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class ThrottledLoginView(LoginView):
    """Django's sign-in page with failure limits (ThrottledAuthenticationForm)."""

    form_class = ThrottledAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = _status(form)
        return response


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request):
    """Learners aged 13 and over make their own account (always a student)."""
    if request.user.is_authenticated:
        messages.info(request, _("You are already signed in."))
        return redirect("learn:catalogue")
    if request.method == "POST":
        form = SignUpForm(request, data=request.POST)
        if form.is_valid():
            data = form.cleaned_data
            user = services.learner_sign_up(
                username=data["username"],
                name=data["first_name"],
                email=data["email"],
                password=data["password1"],
                classroom=form.classroom,
            )
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            if form.classroom is not None:
                messages.success(
                    request,
                    _("Welcome to Qiming! You joined the class “%(name)s”.")
                    % {"name": form.classroom.name},
                )
            else:
                messages.success(request, _("Welcome to Qiming!"))
            return redirect("learn:catalogue")
        status = _status(form)
    else:
        form = SignUpForm(request, initial={"join_code": request.GET.get("code", "")[:20]})
        status = 200
    return render(request, "accounts/signup.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def join(request):
    """A signed-in learner joins a class with its code."""
    context = {"classrooms": request.user.classrooms.select_related("teacher").order_by("name")}
    if not request.user.is_student:
        return render(request, "accounts/join.html", {**context, "form": None}, status=403)
    status = 200
    if request.method == "POST":
        form = JoinForm(request, data=request.POST)
        if form.is_valid():
            classroom = form.classroom
            if services.classroom_join(learner=request.user, classroom=classroom):
                messages.success(
                    request, _("You joined the class “%(name)s”.") % {"name": classroom.name}
                )
                return redirect("learn:catalogue")
            messages.info(
                request, _("You are already in the class “%(name)s”.") % {"name": classroom.name}
            )
            return redirect("accounts:join")
        status = _status(form)
    else:
        form = JoinForm(request, initial={"code": request.GET.get("code", "")[:20]})
    return render(request, "accounts/join.html", {**context, "form": form}, status=status)
