"""Arabic date/time formats Django's own Arabic locale lacks.

Django ships DATE_FORMAT for "ar" but no DATETIME_FORMAT, so date-times fell back to the
English "N j, Y, P" ("نوفمبر 25, 2026"). Day-month-year with the Arabic comma reads naturally.
"""

DATETIME_FORMAT = "j F Y، g:i A"
SHORT_DATETIME_FORMAT = "d‏/m‏/Y g:i A"
