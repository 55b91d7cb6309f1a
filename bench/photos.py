"""The benchmarks' photo set: 12-MP phone-style JPEGs from ``ml.synthetic``, built on real
HAM10000 validation lesions when the data is here, generated once and cached on disk."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from ml.synthetic import HEIGHT, QUALITY, WIDTH, lesion_sources, phone_photo, phone_photo_from_lesion

logger = logging.getLogger(__name__)


def photo_set(count: int, cache_dir: Path, data_dir: Path | None = None) -> list[bytes]:
    """``count`` photos, generated once and cached on disk (generation costs ~1 s each).

    Built on real lesions when ``data_dir`` (HAM10000 layout) is available, else pure
    synthetic blobs.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    sources = lesion_sources(data_dir)
    photos = []
    for seed in range(count):
        if sources:
            source = sources[seed % len(sources)]
            path = cache_dir / f"lesion-{source.stem}-{seed}-{WIDTH}x{HEIGHT}-q{QUALITY}.jpg"
        else:
            source = None
            path = cache_dir / f"photo-{seed}-{WIDTH}x{HEIGHT}-q{QUALITY}.jpg"
        if not path.exists():
            data = phone_photo_from_lesion(source, seed) if source else phone_photo(seed)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        photos.append(path.read_bytes())
    digest = hashlib.sha256(b"".join(photos)).hexdigest()[:12]
    logger.info("%d photos (%s), %.1f MB each", count, digest, len(photos[0]) / 1e6)
    return photos
