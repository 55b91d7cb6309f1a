"""Render the app icons (PNG) for the web app manifest from static/img/logo.svg, once.

    .venv/bin/python -m portal.make_icons

Uses the test suite's Chromium (Playwright) to rasterise the SVG, so no image library with SVG
support is needed. The PNGs are committed under static/img/icons/; run this again only when the
logo changes. "any" icons are the round logo on a transparent background; "maskable" icons fill
the square with the logo's teal and keep the rings inside the central 80 % safe zone, so a
launcher may crop them to any shape.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGO = ROOT / "static" / "img" / "logo.svg"
OUT = ROOT / "static" / "img" / "icons"
ANY_SIZES = (48, 72, 96, 144, 192, 512)
MASKABLE_SIZES = (192, 512)
APPLE_TOUCH = 180  # iOS ignores the manifest's icons; full-bleed like the maskable ones
MASKABLE_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<rect width="32" height="32" fill="#0f766e"/>'
    '<g transform="translate(16 16) scale(0.95) translate(-16 -16)">'
    '<circle cx="16" cy="16" r="9" fill="none" stroke="#ccfbf1" stroke-width="2.5"/>'
    '<circle cx="19" cy="13" r="3" fill="#99f6e4"/></g></svg>'
)


def _render(page: object, svg: str, size: int, path: Path) -> None:
    sized = svg.replace("<svg ", f'<svg width="{size}" height="{size}" ', 1)
    html = f"<!DOCTYPE html><html><body style='margin:0;background:transparent'>{sized}</body></html>"
    page.set_viewport_size({"width": size, "height": size})  # type: ignore[attr-defined]
    page.set_content(html)  # type: ignore[attr-defined]
    page.screenshot(path=str(path), omit_background=True)  # type: ignore[attr-defined]


def main() -> None:
    from playwright.sync_api import sync_playwright

    logo = LOGO.read_text()
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(device_scale_factor=1)
        for size in ANY_SIZES:
            _render(page, logo, size, OUT / f"icon-{size}.png")
        for size in MASKABLE_SIZES:
            _render(page, MASKABLE_SVG, size, OUT / f"maskable-{size}.png")
        _render(page, MASKABLE_SVG, APPLE_TOUCH, OUT / f"apple-touch-icon-{APPLE_TOUCH}.png")
        browser.close()
    for path in sorted(OUT.glob("*.png")):
        print(path.relative_to(ROOT), path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
