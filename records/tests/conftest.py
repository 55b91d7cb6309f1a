from __future__ import annotations

from diagnosis.tests.conftest import media_root  # noqa: F401  (every test gets its own MEDIA_ROOT)
