"""Spots: one skin lesion followed over time (its checks, a re-check reminder).

``models`` is imported by ``diagnosis.models`` (so the app owns the tables); ``selectors``
are the permission-scoped reads, ``services`` the writes, ``reminders`` the beat task's work,
``views``/``forms``/``urls`` the patient pages, ``api``/``serializers`` the REST endpoints.
"""
