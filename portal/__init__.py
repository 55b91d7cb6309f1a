from __future__ import annotations

import django_stubs_ext

from portal.celery import app as celery_app

# Django classes that django-stubs types as generics (ModelAdmin[User], ModelForm[User] ...)
# become subscriptable at run time too. django-stubs suggests the settings module; this runs
# first, because every settings module (portal.settings.*) imports this package.
django_stubs_ext.monkeypatch()

__all__ = ("celery_app",)
