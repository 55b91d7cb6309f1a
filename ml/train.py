"""Fine-tune MobileNetV2 on dermatoscope images and phone photos, checkpointing every epoch.

    python -m ml.train --data ../shared/data/ham10000 --phone-data ../shared/data/pad_ufes_20 \
        --init ../shared/weights/mobilenet_v2_imagenet.pth --out runs/v4

Each batch is drawn by domain first (``--phone-share`` of the samples are phone photos, the small
PAD-UFES-20 set would otherwise be ~7% of what the network sees), then by class within the domain
(probability ~ count ** ``--sampling-power``). Validation runs on each domain's val split and the
checkpoint with the best mean of the per-domain balanced accuracies is kept.

Writes ``<out>/checkpoint.pt`` (resume state), ``<out>/best.pt`` (best val score),
``<out>/log.jsonl`` (one line per epoch) and ``<out>/recipe.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from ml.batches import balanced_sampler, eval_transform, predict_logits, seed_everything, train_transform
from ml.data import InMemoryImages
from ml.metrics import classification_metrics
from ml.model import build_model, load_imagenet_backbone
from ml.preprocess import Preprocessing

log = logging.getLogger("ml.train")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, type=Path, help="dermatoscope ImageFolder (train/, val/)")
    parser.add_argument("--phone-data", type=Path, help="phone-photo ImageFolder (train/, val/), optional")
    parser.add_argument("--phone-share", type=float, default=0.35, help="share of phone photos per epoch")
    parser.add_argument("--epoch-size", type=int, default=6000, help="samples per epoch (0 = train set size)")
    parser.add_argument("--init", required=True, type=Path, help="ImageNet MobileNetV2 state dict")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--weight-decay", type=float, default=0.02)
    parser.add_argument("--label-smoothing", type=float, default=0.1)
    parser.add_argument("--sampling-power", type=float, default=0.5)
    parser.add_argument("--width", type=int, default=176)
    parser.add_argument("--height", type=int, default=176)
    parser.add_argument("--resize", default="centre-crop", help="see ml.preprocess.Preprocessing")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--bf16",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="bfloat16 autocast (weights stay float32); faster on CPUs with AMX/AVX-512 BF16",
    )
    parser.add_argument(
        "--ema",
        type=float,
        default=0.998,
        help="keep an exponential moving average of the weights "
        "(0 = off) and validate/select that instead of the raw weights",
    )
    parser.add_argument("--max-steps", type=int, default=0, help="stop each epoch early (smoke tests)")
    parser.add_argument(
        "--stop-after-epoch", type=int, default=-1, help="exit after this epoch (simulates an interruption)"
    )
    return parser.parse_args(argv)


@dataclass
class Run:
    """Everything one training run works with (built by :func:`prepare`)."""

    args: argparse.Namespace
    sampler: Any
    train_loader: Any
    val_loaders: list[Any]
    model: nn.Module
    ema: Any
    optimizer: torch.optim.Optimizer
    scheduler: Any
    criterion: nn.Module
    steps_per_epoch: int

    @property
    def checkpoint_path(self) -> Path:
        out: Path = self.args.out
        return out / "checkpoint.pt"

    @property
    def selected(self) -> nn.Module:
        """The weights validated and kept: the moving average if there is one."""
        return self.ema.module if self.ema is not None else self.model


def prepare(args: argparse.Namespace) -> Run:
    """Seed, record the recipe, load the data and build model, optimiser and schedule."""
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    pre = Preprocessing(width=args.width, height=args.height, resize=args.resize)
    recipe = {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()}
    recipe["preprocessing"] = pre.to_dict()
    (args.out / "recipe.json").write_text(json.dumps(recipe, indent=2))

    roots = [args.data] + ([args.phone_data] if args.phone_data else [])
    shares = (1.0 - args.phone_share, args.phone_share) if args.phone_data else (1.0,)
    max_side = round(max(pre.width, pre.height) * 1.6)
    train_set = InMemoryImages([r / "train" for r in roots], train_transform(pre), max_side=max_side)
    sampler = balanced_sampler(
        train_set.targets,
        args.sampling_power,
        args.epoch_size or len(train_set),
        args.seed,
        train_set.domains,
        shares,
    )
    train_loader = torch.utils.data.DataLoader(
        train_set, batch_size=args.batch_size, sampler=sampler, drop_last=True
    )
    val_loaders = [
        torch.utils.data.DataLoader(
            InMemoryImages(r / "val", eval_transform(pre), max_side=max_side), batch_size=128
        )
        for r in roots
    ]

    model = build_model().to(memory_format=torch.channels_last)
    load_imagenet_backbone(model, args.init)
    ema = (
        torch.optim.swa_utils.AveragedModel(
            model, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(args.ema), use_buffers=True
        )
        if args.ema
        else None
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    steps_per_epoch = len(train_loader) if not args.max_steps else min(args.max_steps, len(train_loader))
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, total_steps=args.epochs * steps_per_epoch, pct_start=0.15
    )
    criterion = nn.CrossEntropyLoss(label_smoothing=args.label_smoothing)
    return Run(
        args, sampler, train_loader, val_loaders, model, ema, optimizer, scheduler, criterion, steps_per_epoch
    )


def resume(run: Run) -> tuple[int, dict[str, Any]]:
    """Continue from the checkpoint, if any: (first epoch to run, best so far)."""
    args = run.args
    if not run.checkpoint_path.exists():
        return 0, {"balanced_accuracy": -1.0}
    state = torch.load(run.checkpoint_path, map_location="cpu", weights_only=False)
    run.model.load_state_dict(state["model"])
    if run.ema is not None:
        run.ema.load_state_dict(state["ema"])
    run.optimizer.load_state_dict(state["optimizer"])
    run.scheduler.load_state_dict(state["scheduler"])
    if run.scheduler.total_steps != args.epochs * run.steps_per_epoch:
        # Resumed with another --epochs: the one-cycle schedule is re-planned over the new
        # total and continues from the step reached (its warm-up is not repeated).
        done = run.scheduler.last_epoch
        run.scheduler = torch.optim.lr_scheduler.OneCycleLR(
            run.optimizer, max_lr=args.lr, total_steps=args.epochs * run.steps_per_epoch, pct_start=0.15
        )
        run.scheduler.last_epoch = done
        log.info("schedule re-planned over %d epochs at step %d", args.epochs, done)
    torch.set_rng_state(state["torch_rng"])
    run.sampler.generator.set_state(state["sampler_rng"])
    random.setstate(state["py_rng"])
    np.random.set_state(state["np_rng"])
    log.info("resumed after epoch %d (best %.4f)", state["epoch"], state["best"]["balanced_accuracy"])
    return state["epoch"] + 1, state["best"]


def train_epoch(run: Run) -> float:
    """One epoch of optimisation; the mean training loss."""
    run.model.train()
    total_loss, seen = 0.0, 0
    for step, (x, y) in enumerate(run.train_loader):
        if step >= run.steps_per_epoch:
            break
        run.optimizer.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=run.args.bf16):
            loss = run.criterion(run.model(x.contiguous(memory_format=torch.channels_last)), y)
        loss.backward()
        run.optimizer.step()
        run.scheduler.step()
        if run.ema is not None:
            run.ema.update_parameters(run.model)
        total_loss += loss.item() * len(y)
        seen += len(y)
    return total_loss / max(seen, 1)


def validate(
    run: Run, epoch: int, train_loss: float, seconds: float
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Validate the kept weights on each kind of photo; append the epoch's row to log.jsonl."""
    per_domain = [classification_metrics(*predict_logits(run.selected, vl)[::-1]) for vl in run.val_loaders]
    metrics = {
        k: float(np.mean([m[k] for m in per_domain])) for k in ("accuracy", "balanced_accuracy", "macro_f1")
    }
    row = {
        "epoch": epoch,
        "train_loss": train_loss,
        "val_accuracy": metrics["accuracy"],
        "val_balanced_accuracy": metrics["balanced_accuracy"],
        "val_macro_f1": metrics["macro_f1"],
        "val_balanced_accuracy_by_domain": [m["balanced_accuracy"] for m in per_domain],
        "lr": run.scheduler.get_last_lr()[0],
        "seconds": round(seconds, 1),
    }
    with open(run.args.out / "log.jsonl", "a") as fh:
        fh.write(json.dumps(row) + "\n")
    log.info("epoch %s", json.dumps(row))
    return metrics, per_domain


def save_checkpoint(run: Run, epoch: int, best: dict[str, Any]) -> None:
    """The resume point, written atomically (an interrupted save never corrupts it)."""
    tmp = run.args.out / "checkpoint.pt.tmp"
    torch.save(
        {
            "epoch": epoch,
            "model": run.model.state_dict(),
            "ema": run.ema.state_dict() if run.ema is not None else None,
            "optimizer": run.optimizer.state_dict(),
            "scheduler": run.scheduler.state_dict(),
            "best": best,
            "torch_rng": torch.get_rng_state(),
            "sampler_rng": run.sampler.generator.get_state(),
            "py_rng": random.getstate(),
            "np_rng": np.random.get_state(),
        },
        tmp,
    )
    tmp.replace(run.checkpoint_path)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """parse -> prepare -> resume -> per epoch: train, validate, keep the best, checkpoint."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    run = prepare(args)
    start_epoch, best = resume(run)
    for epoch in range(start_epoch, args.epochs):
        started = time.time()
        loss = train_epoch(run)
        metrics, _ = validate(run, epoch, loss, time.time() - started)
        if metrics["balanced_accuracy"] > best["balanced_accuracy"]:
            best = {"epoch": epoch, **{k: metrics[k] for k in ("accuracy", "balanced_accuracy", "macro_f1")}}
            torch.save(run.selected.state_dict(), args.out / "best.pt")
        save_checkpoint(run, epoch, best)
        if epoch == args.stop_after_epoch:
            log.info("stopping after epoch %d as asked", epoch)
            return best
    (args.out / "best.json").write_text(json.dumps(best, indent=2))
    log.info("best %s", best)
    return best


if __name__ == "__main__":
    main()
