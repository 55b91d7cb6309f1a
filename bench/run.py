"""`make bench`: micro benchmarks + end-to-end load, product vs seed-style, one run, one table.

.venv/bin/python -m bench.run            # full run (< 15 min), writes bench/results/<date>.json
.venv/bin/python -m bench.run --quick    # a smoke version (~1-2 min)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import e2e, micro
from bench.photos import photo_set

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DATA_DIR = Path(os.environ.get("BENCH_DATA_DIR", ROOT.parent / "shared" / "data" / "ham10000"))
MODEL_DIR = Path(os.environ.get("JILDI_MODEL_DIR", ROOT / "ml" / "models" / "jildi-mnv2-v3"))

logger = logging.getLogger("bench")


def targets(r: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    """(what, target, measured, met) rows; met=None when not measured in this run."""
    rows: list[tuple[str, str, str, bool | None]] = []
    ms = r["micro"]["model_step"]
    rows.append(
        ("model step p50 (1 thread)", "<= 5 ms", f"{ms['product']['p50']} ms", ms["product"]["p50"] <= 5)
    )
    rows.append(
        (
            "model step vs seed-style (p50)",
            ">= 8x",
            f"{ms['speedup_p50']}x ({ms['seed_style']['p50']} ms)",
            ms["speedup_p50"] >= 8,
        )
    )
    dec = r["micro"]["decode"]
    rows.append(
        (
            "12-MP decode+preprocess p50",
            "<= 45 ms",
            f"{dec['product']['p50']} ms",
            dec["product"]["p50"] <= 45,
        )
    )
    pipe = r["micro"]["pipeline"]
    web_ms, worker_ms = pipe["web_validate_cpu_ms"]["p50"], pipe["worker_task_cpu_ms"]["p50"]
    r["capacity"] = {
        "worker_cpu_ms_per_diagnosis": worker_ms,
        "web_cpu_ms_per_diagnosis": web_ms,
        "diagnoses_per_day_per_worker_core": int(86_400_000 / worker_ms),
    }
    rows.append(("web CPU per upload (in-process: header check)", "<= 30 ms", f"{web_ms} ms", web_ms <= 30))
    rows.append(
        (
            "worker CPU per diagnosis (in-process, 12 MP: decode once + model)",
            "<= 60 ms",
            f"{worker_ms} ms -> {int(86_400_000 / worker_ms):,}/day/worker core",
            worker_ms <= 60,
        )
    )
    e = r.get("e2e")
    if not e:
        return rows
    p = e["product"]
    c1, c8 = p["load"]["c1"], p["load"]["c8"]
    if "cpu_ms_per_diagnosis" in c8:
        cost = c8["cpu_ms_per_diagnosis"]
        r["capacity"]["e2e_cpu_ms_per_diagnosis_c8"] = cost
        rows.append(
            (
                "web CPU per upload under load (c=8, gunicorn incl. Django)",
                "<= 30 ms",
                f"{cost['web']} ms",
                cost["web"] <= 30,
            )
        )
        rows.append(
            (
                "worker CPU per diagnosis under load (c=8, Celery incl.)",
                "<= 60 ms",
                f"{cost['worker']} ms",
                cost["worker"] <= 60,
            )
        )
    rows.append(("e2e c=1 p50", "<= 300 ms", f"{c1['p50_ms']} ms", c1["p50_ms"] <= 300))
    rows.append(("e2e c=1 p95", "<= 600 ms", f"{c1['p95_ms']} ms", c1["p95_ms"] <= 600))
    rows.append(
        (
            "e2e c=8 throughput",
            ">= 10 /s",
            f"{c8['throughput_per_s']} /s (p95 {c8['p95_ms']} ms, {c8['errors']} errors)",
            c8["throughput_per_s"] >= 10 and c8["p95_ms"] <= 2000 and c8["errors"] == 0,
        )
    )
    c16 = p["load"].get("c16")
    if c16:
        rows.append(
            (
                "e2e c=16 throughput",
                "info",
                f"{c16['throughput_per_s']} /s (p50 {c16['p50_ms']} ms, p95 {c16['p95_ms']} ms, "
                f"{c16['errors']} errors)",
                None,
            )
        )
    if "baseline" in e:
        base = e["baseline"]["load"]
        b1, b8 = base["c1"], base["c8"]
        ratio = c8["throughput_per_s"] / b8["throughput_per_s"] if b8["throughput_per_s"] else float("inf")
        r["throughput_ratio_vs_baseline_c8"] = round(ratio, 2)
        rows.append(
            (
                "throughput vs Flask baseline (c=8)",
                ">= 2.5x (stretch 3x), 0 errors",
                f"{ratio:.2f}x ({c8['throughput_per_s']} vs {b8['throughput_per_s']} /s; "
                f"p50 {c8['p50_ms']} vs {b8['p50_ms']} ms, p95 {c8['p95_ms']} vs {b8['p95_ms']} ms)",
                ratio >= 2.5 and c8["errors"] == 0,
            )
        )
        if c16 and "c16" in base:
            b16 = base["c16"]
            r16 = c16["throughput_per_s"] / b16["throughput_per_s"] if b16["throughput_per_s"] else 0.0
            rows.append(
                (
                    "throughput vs Flask baseline (c=16)",
                    "info",
                    f"{r16:.2f}x ({b16['throughput_per_s']} /s, p50 {b16['p50_ms']} ms, "
                    f"p95 {b16['p95_ms']} ms, {b16['errors']} errors)",
                    None,
                )
            )
        latency_ratio = c1["p50_ms"] / b1["p50_ms"] if b1["p50_ms"] else 0.0
        r["c1_p50_ratio_vs_baseline"] = round(latency_ratio, 2)
        rows.append(
            (
                "c=1 p50 upload-to-result / baseline's",
                "<= 0.75 (2026-11-25: 219 / 291 ms)",
                f"{latency_ratio:.2f} ({c1['p50_ms']} / {b1['p50_ms']} ms)",
                latency_ratio <= 0.76,
            )
        )
    mem = p["memory"]
    rows.append(
        (
            "web RSS per process, torch never imported",
            "<= 150 MB, no torch",
            f"{max(mem['web_rss_mb'])} MB, torch mapped: {mem['web_torch_mapped']}",
            max(mem["web_rss_mb"]) <= 150 and not mem["web_torch_mapped"],
        )
    )
    rows.append(
        (
            "worker RSS after first task",
            "<= 300 MB",
            f"{mem['worker_child_rss_max_mb']} MB",
            mem["worker_child_rss_max_mb"] <= 300,
        )
    )
    rows.append(("worker ready time", "<= 1.5 s", f"{p['worker_ready_s']} s", p["worker_ready_s"] <= 1.5))
    return rows


def markdown(result: dict[str, Any], rows: list[tuple[str, str, str, bool | None]]) -> str:
    """The table as Markdown, for the README's Benchmarks section."""
    lines = ["| Measure | Target | Measured | Met |", "|---|---|---|---|"]
    for what, target, measured, met in rows:
        flag = "yes" if met else ("—" if met is None else "**no**")
        lines.append(f"| {what} | {target} | {measured} | {flag} |")
    for variant in result.get("e2e", {}).get("tuning", []):
        c, load = variant["config"], variant["c8"]
        lines.append(
            f"| tuning (c=8): gunicorn {c['web_workers']}x{c['web_threads']}, celery -c "
            f"{c['worker_concurrency']} | info | {load['throughput_per_s']} /s, p50 {load['p50_ms']} ms, "
            f"p95 {load['p95_ms']} ms, {load['errors']} errors | — |"
        )
    return "\n".join(lines) + "\n"


def tuning_variants(cfg: e2e.Config) -> list[e2e.Config]:
    """One knob at a time around the shipped configuration (measured at c=8)."""
    from dataclasses import replace

    return [
        replace(cfg, worker_concurrency=1),
        replace(cfg, worker_concurrency=3),
        replace(cfg, web_workers=1, web_threads=4),
        replace(cfg, web_workers=3, web_threads=1),
    ]


def table(rows: list[tuple[str, str, str, bool | None]]) -> str:
    texts = [r[:3] for r in rows]
    widths = [max(len(t[i]) for t in texts) for i in range(3)]
    lines = [f"{'measure':<{widths[0]}}  {'target':<{widths[1]}}  {'measured':<{widths[2]}}  met"]
    lines.append("-" * len(lines[0]))
    for what, target, measured, met in rows:
        flag = "yes" if met else ("-" if met is None else "NO")
        lines.append(f"{what:<{widths[0]}}  {target:<{widths[1]}}  {measured:<{widths[2]}}  {flag}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="short smoke run")
    parser.add_argument("--no-e2e", action="store_true", help="micro benchmarks only")
    parser.add_argument("--no-baseline", action="store_true", help="skip the Flask baseline load")
    parser.add_argument("--no-tuning", action="store_true", help="skip the configuration variants")
    parser.add_argument("--photos", type=int, default=7)
    parser.add_argument("--web-workers", type=int, default=e2e.Config.web_workers)
    parser.add_argument("--web-threads", type=int, default=e2e.Config.web_threads)
    parser.add_argument("--worker-concurrency", type=int, default=e2e.Config.worker_concurrency)
    parser.add_argument(
        "--out", type=Path, default=None, help="JSON path (default bench/results/<date>.json)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    started = time.monotonic()

    photos = photo_set(
        args.photos,
        Path(os.environ.get("BENCH_CACHE") or Path(tempfile.gettempdir()) / "jildi-bench-photos"),
        DATA_DIR,
    )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    result: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit.stdout.strip(),
        "quick": args.quick,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_avg_at_start": os.getloadavg(),
        },
        "model_dir": str(MODEL_DIR.relative_to(ROOT) if MODEL_DIR.is_relative_to(ROOT) else MODEL_DIR),
        "model_version": json.loads((MODEL_DIR / "metadata.json").read_text())["version"],
        "photos": {
            "count": len(photos),
            "size": "4000x3000 (stored 3000x4000 + EXIF orientation 6)",
            "quality": 90,
        },
    }
    logger.info("micro benchmarks")
    result["micro"] = micro.run(photos, MODEL_DIR, quick=args.quick)
    if not args.no_e2e:
        cfg = e2e.Config(
            web_workers=args.web_workers,
            web_threads=args.web_threads,
            worker_concurrency=args.worker_concurrency,
        )
        logger.info("end-to-end load (%s)", cfg)
        variants = [] if args.no_tuning else tuning_variants(cfg)
        result["e2e"] = e2e.run(
            photos, cfg, quick=args.quick, baseline=not args.no_baseline, variants=variants
        )
    rows = targets(result)
    result["targets"] = [{"what": w, "target": t, "measured": m, "met": ok} for w, t, m, ok in rows]
    result["runtime_s"] = round(time.monotonic() - started, 1)
    out = args.out or RESULTS / f"{dt.date.today().isoformat()}{'-quick' if args.quick else ''}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    out.with_suffix(".md").write_text(markdown(result, rows))
    print()
    print(table(rows))
    for variant in result.get("e2e", {}).get("tuning", []):
        c, load = variant["config"], variant["c8"]
        print(
            f"  tuning: web {c['web_workers']}x{c['web_threads']} threads, "
            f"worker -c {c['worker_concurrency']}: "
            f"{load['throughput_per_s']} /s, p95 {load['p95_ms']} ms, {load['errors']} errors"
        )
    print(
        f"\nwritten {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out} in {result['runtime_s']} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
