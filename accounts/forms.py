"""Forms for the account pages. They check input; the services in accounts/services.py write."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import throttle
from accounts.models import User
from accounts.names import MAX_NAME_LENGTH
from accounts.services import MAX_CLASS_ACCOUNTS, class_account_names_clean
from accounts.sign_in import (
    Throttled,
    class_sign_in_authenticate,
    join_code_classroom,
    username_sign_in_keys,
)


def _code_field(**extra) -> forms.CharField:
    return forms.CharField(
        label=_("Class code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "code-input",
            }
        ),
        **extra,
    )


def is_throttled(form: forms.Form) -> bool:
    """Whether the form was refused for too many failures (the page then answers 429)."""
    return form.has_error(NON_FIELD_ERRORS, "throttled") or any(
        form.has_error(field, "throttled") for field in form.fields
    )


class ClassroomForm(forms.Form):
    name = forms.CharField(label=_("Class name"), max_length=120)


class ClassAccountsForm(forms.Form):
    names = forms.CharField(
        label=_("Learners' names, one per line"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Here rather than on the field: formatting a lazy string would fix its language at import.
        self.fields["names"].help_text = _(
            "Up to %(limit)d names, each up to %(length)d characters. A name already in the class "
            "gets a number, like “Li Wei (2)”."
        ) % {"limit": MAX_CLASS_ACCOUNTS, "length": MAX_NAME_LENGTH}

    def clean_names(self) -> list[str]:
        return class_account_names_clean(self.cleaned_data["names"].splitlines())


class CourseAssignmentForm(forms.Form):
    courses = forms.ModelMultipleChoiceField(
        label=_("Courses for this class"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, offered, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["courses"].queryset = offered
        self.fields["courses"].label_from_instance = lambda course: course.localized("title")


class ClassSignInForm(forms.Form):
    """Class code, name and password; authenticates in clean() like Django's AuthenticationForm."""

    code = _code_field()
    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        self.user = class_sign_in_authenticate(
            request=self.request, code=data["code"], name=data["name"], password=data["password"]
        )
        return data


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, with the failure limits of accounts/throttle.py per username and
    address: without them, a class account's simple password could be guessed here instead of on
    the class sign-in page (its username is printed on the sheet)."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if not username or not self.cleaned_data.get("password"):
            return super().clean()
        keys = username_sign_in_keys(self.request, username)
        wait = throttle.retry_after(keys)
        if wait is not None:
            raise Throttled(wait)
        try:
            data = super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                throttle.failure_record(keys)
            raise
        throttle.failures_clear(keys[1:])
        return data


class SignUpForm(UserCreationForm):
    """Self sign-up for learners aged 13 and over: always a student account."""

    old_enough = forms.BooleanField(
        label=_("I am 13 or older."),
        error_messages={
            "required": _(
                "You must be 13 or older to sign up yourself. Younger learners get an account "
                "from their teacher."
            )
        },
    )
    join_code = _code_field(
        required=False,
        help_text=_("If your teacher gave you a class code, enter it to join the class."),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "email")
        labels = {"first_name": _("Your name"), "email": _("E-mail (optional)")}
        help_texts = {"first_name": _("Your teachers and classmates will see this name.")}

    field_order = ["username", "first_name", "email", "password1", "password2", "old_enough"]

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.classroom = None
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["first_name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].required = False
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_join_code(self) -> str:
        code = self.cleaned_data.get("join_code", "")
        if code:
            self.classroom = join_code_classroom(request=self.request, code=code)
        return code


class JoinForm(forms.Form):
    code = _code_field()

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.classroom = None
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        self.classroom = join_code_classroom(request=self.request, code=code)
        return code
