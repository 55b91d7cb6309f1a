"""Wording we prefer over third-party catalogues.

Listing a library's msgid here puts it into our own catalogue (LOCALE_PATHS wins
over app catalogues), so its Arabic can be made clearer without forking the
library.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

OVERRIDDEN_MSGIDS = (
    gettext_noop("Incorrect code."),
    gettext_noop("A user is already registered with this email address."),
    gettext_noop("Enter Email Verification Code"),
    gettext_noop("Enter Password Reset Code"),
    gettext_noop("Code"),
    gettext_noop("Sign In"),
    gettext_noop("Sign Up"),
    gettext_noop("Sign Out"),
    gettext_noop("Confirm"),
    gettext_noop("Cancel"),
    gettext_noop("Request new code"),
    gettext_noop("Email"),
    gettext_noop("Email address"),
    gettext_noop("Password (again)"),
    gettext_noop("The email address and/or password you specified are not correct."),
    # allauth.mfa and re-authentication (two-factor sign-in)
    gettext_noop("Confirm Access"),
    gettext_noop("Please reauthenticate to safeguard your account."),
    gettext_noop("Enter your password:"),
    gettext_noop("Enter an authenticator code:"),
    gettext_noop("Use your password"),
    gettext_noop("Use authenticator app or code"),
    gettext_noop("Alternative options"),
    gettext_noop("Authenticator app activated."),
    gettext_noop("Authenticator app deactivated."),
    gettext_noop("A new set of recovery codes has been generated."),
    gettext_noop("You cannot activate two-factor authentication until you have verified your email address."),
)
