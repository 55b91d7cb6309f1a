"""django-axes' AppConfig with a translatable name, so the Arabic admin has no English heading."""

from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):  # type: ignore[misc]  # django-axes: no py.typed
    verbose_name = _("Sign-in protection")
