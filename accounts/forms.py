"""Forms for signing up, logging in and closing an account."""

import functools
import zoneinfo

from axes.utils import reset as axes_reset
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    UserCreationForm,
)
from django.core.validators import MaxLengthValidator
from django.template import loader

from accounts.models import Profile, validate_time_zone
from accounts.tasks import send_email

User = get_user_model()


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        required=True,
        help_text="Used only to reset your password.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    # Filled in by the browser (static/js/site.js); UTC when it cannot tell.
    time_zone = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"]
        try:
            validate_time_zone(value)
        except forms.ValidationError:
            return "UTC"
        return value

    def save(self, commit: bool = True):
        user = super().save(commit=commit)
        if commit:
            Profile.objects.update_or_create(
                user=user, defaults={"time_zone": self.cleaned_data["time_zone"]}
            )
        return user

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email address already exists. "
                "Log in, or reset your password if you have forgotten it."
            )
        return email


def _enforce_username_length(form: AuthenticationForm) -> None:
    # AuthenticationForm sets the username field's max_length after the field is built, so no
    # validator checks it: a longer username went on to django-axes, whose record of the
    # failure holds 255 characters (on PostgreSQL, a 500 instead of a form error).
    username = form.fields["username"]
    username.validators.append(MaxLengthValidator(username.max_length))


class LogInForm(AuthenticationForm):
    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        _enforce_username_length(self)


class AdminLogInForm(AdminAuthenticationForm):
    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        _enforce_username_length(self)


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's password-reset request, its email rendered here and sent by a task worker:
    the page answers at once whatever the mail server does."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else ""
        )
        send_email.enqueue(subject, body, [to_email], html=html)


class ChangePasswordForm(PasswordChangeForm):
    """Django's password change, with the old password checked by authenticate() like every
    other password: counted against the client address, and under django-axes' lockout."""

    def __init__(self, user, *args, request, **kwargs) -> None:
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        checked = authenticate(
            self.request, username=self.user.get_username(), password=old_password
        )
        if checked is None:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class ResetPasswordForm(SetPasswordForm):
    """The last step of a password reset. Whoever holds the emailed link owns the account, so
    the reset also lifts a log-in pause that failed attempts put on it."""

    def save(self, commit: bool = True):
        user = super().save(commit=commit)
        if commit:
            axes_reset(username=user.get_username())
        return user


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Type your password to confirm. This cannot be undone.",
    )

    def __init__(self, *args, request, **kwargs) -> None:
        self.request = request
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        user = self.request.user
        if authenticate(self.request, username=user.get_username(), password=password) is None:
            raise forms.ValidationError("That password is not right. Your account was not deleted.")
        return password


@functools.cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in sorted(zoneinfo.available_timezones())]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        help_text="Days, streaks and the activity calendar follow this time zone.",
        error_messages={
            "invalid_choice": "“%(value)s” is not a time zone we know, such as Europe/London."
        },
    )

    class Meta:
        model = Profile
        fields = [
            "time_zone",
            "rest_days",
            "show_streaks",
            "interview_date",
            "transcribe_speech",
            "read_questions_aloud",
            "remind_due",
            "remind_at_hour",
            "remind_interview_day",
        ]
        widgets = {"interview_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The hour matters only with reminders on: a form sent without it keeps the one chosen.
        self.fields["remind_at_hour"].required = False

    def clean_remind_at_hour(self) -> int:
        hour = self.cleaned_data["remind_at_hour"]
        return self.instance.remind_at_hour if hour in (None, "") else hour
