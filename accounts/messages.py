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
)
