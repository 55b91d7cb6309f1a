"""Custom user: email is the login; no username field exists at all."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def validate_birth_year(value: int) -> None:
    """A plausible year of birth: not in the future, not more than 120 years ago."""
    this_year = timezone.now().year
    if not this_year - 120 <= value <= this_year:
        raise ValidationError(
            _("Please enter a year of birth between %(first)s and %(last)s.")
            % {"first": this_year - 120, "last": this_year},
            code="birth_year",
        )


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    class Language(models.TextChoices):
        ARABIC = "ar", "العربية"
        ENGLISH = "en", "English"

    class Theme(models.TextChoices):
        AUTO = "auto", _("Automatic (system)")
        LIGHT = "light", _("Light")
        DARK = "dark", _("Dark")

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")

    class SkinType(models.IntegerChoices):
        """Fitzpatrick skin types, described in plain words (how the skin reacts to the sun)."""

        TYPE_1 = 1, _("Type I: very fair skin, often with freckles; always burns, never tans")
        TYPE_2 = 2, _("Type II: fair skin; burns easily, tans a little")
        TYPE_3 = 3, _("Type III: light to medium skin; sometimes burns, tans gradually")
        TYPE_4 = 4, _("Type IV: olive or light brown skin; rarely burns, tans easily")
        TYPE_5 = 5, _("Type V: brown skin; very rarely burns, tans very easily")
        TYPE_6 = 6, _("Type VI: dark brown or black skin; almost never burns")

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    preferred_theme = models.CharField(
        _("preferred theme"), max_length=5, choices=Theme.choices, default=Theme.AUTO
    )
    # Optional, for the skin check: copied into each diagnosis as the patient's answers at the time.
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"), null=True, blank=True, validators=[validate_birth_year]
    )
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, blank=True)
    fitzpatrick = models.PositiveSmallIntegerField(
        _("skin type"), choices=SkinType.choices, null=True, blank=True
    )
    # Consent (issue 16): off by default; recorded at sign-up and changeable in the profile.
    training_consent = models.BooleanField(
        _("my photos may be used to improve the model"),
        default=False,
        help_text=_(
            "If you tick this, photos that a clinician has reviewed may be used to train future versions "
            "of the model. You can change your mind at any time."
        ),
    )
    training_consent_at = models.DateTimeField(_("consent changed at"), null=True, blank=True)
    notify_result_ready = models.BooleanField(
        _("email me when a slow result is ready"),
        default=False,
        help_text=_("An email with a link only, when an analysis takes longer than usual."),
    )
    is_clinician = models.BooleanField(
        _("clinician"),
        default=False,
        help_text=_("Clinicians can review submitted photos. Only an administrator can grant this."),
    )
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Designates whether the user can log into the admin site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email.split("@")[0]

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
