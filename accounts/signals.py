"""Apply a user's saved language as soon as they log in; revoke API tokens on a new password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import translation

from accounts.models import User
from accounts.tokens import revoke_tokens_on_password_change

post_save.connect(
    revoke_tokens_on_password_change, sender=get_user_model(), dispatch_uid="accounts-revoke-api-tokens"
)


@receiver(user_logged_in)
def apply_preferred_language(sender: type[User], request: Any, user: User, **kwargs: Any) -> None:
    language = getattr(user, "preferred_language", "")
    if request is None or not language:
        return
    translation.activate(language)
    request.LANGUAGE_CODE = language
    # PreferredLanguageMiddleware writes the cookie on the way out.
    request._jildi_set_language = language
