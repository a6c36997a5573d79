"""Is 224 px necessary? The paper-shaped NiN at Fashion-MNIST's own 28×28 against d2l's NiN on
resized images, same images, same epoch budget, several seeds (notebook 07, section 2).

    NIN_DATA_DIR=../shared/data/fashion-mnist-subset .venv/bin/python benchmarks/bench_context.py
    .venv/bin/python benchmarks/bench_context.py --variants paper28 d2l96 --seeds 0 1 2 3 4
    .venv/bin/python benchmarks/bench_context.py --speed-rounds 3     # speed only, 224 px included
    .venv/bin/python benchmarks/bench_context.py --summarise benchmarks/context_results.csv

Every run is notebook 04's quick profile as it was until 2026-11-24 (96 px for d2l's NiN, 10 epochs, peak
learning rate 0.01 after one warm-up epoch; today's is 72 px, 30 epochs, 0.03 after five): the same 3,072
training images (``fashion_mnist_loaders`` with ``n_train=3072, seed=0``), batch 128, 10 epochs, recipe "ours",
test accuracy on the 1,000 test images after the last epoch; only the network and the image side change. The
training seed (initialisation, dropout) is the ``--seeds`` value. Seeds run in rounds, each round training
every variant once, so that other jobs on a shared machine slow every variant alike.

Multiply-adds per image: ``FlopCounterMode`` FLOPs of one forward pass / 2 (convolutions only).
Examples/s: ``History.examples_per_sec`` (training steps and the per-batch resize; evaluation not).
Writes one CSV row per run (``--csv``), then the summary table (mean and min-max over seeds).

``--speed-rounds N`` measures speed only, for every variant (224 px too, whose 10-epoch runs take
over half an hour on a 2-core CPU): ``train`` for 2 epochs of 256 images, the second epoch's examples/s (the
first includes one-time warm-up), variants interleaved in N rounds; rows go to ``--speed-csv``.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import statistics
import sys
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from nin_helpers import count_params, fashion_mnist_loaders, nin, train  # noqa: E402
from nin_helpers.models import nin_paper  # noqa: E402

# name: (label, builder, image side). d2l's NiN cannot take 28×28 (its smallest input is 67×67).
VARIANTS = {
    "paper28": ("paper NiN (CIFAR-10 shape, 1 channel), 28 px", lambda: nin_paper(in_channels=1), 28),
    "d2l96": ("d2l NiN, 96 px (notebook 04 quick profile)", nin, 96),
    "d2l224": ("d2l NiN, 224 px (d2l's resize)", nin, 224),
}
QUICK = dict(n_train=3072, epochs=10, batch_size=128, recipe="ours")  # notebook 04's quick profile until 2026-11-24
FIELDS = ["variant", "label", "px", "seed", "test_acc", "examples_per_sec", "train_seconds", "macs",
          "params", "load_before", "date"]
CSV = Path(__file__).resolve().parent / "context_results.csv"
SPEED_CSV = Path(__file__).resolve().parent / "context_speed.csv"
SPEED_FIELDS = ["variant", "label", "px", "round", "examples_per_sec", "macs", "load_before", "date"]


def macs_per_image(net: torch.nn.Module, side: int) -> int:
    """Multiply-adds of one forward pass for one image: torch's FLOP count / 2."""
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        net.eval()(torch.zeros(1, net.in_channels, side, side))
    return counter.get_total_flops() // 2


def run(name: str, seed: int, device: str = "cpu", checkpoint_dir: Path | None = None) -> dict:
    """One 10-epoch training run; with ``checkpoint_dir`` it resumes an interrupted run (``train``'s
    checkpoints), and the epochs' times add up as if it had not stopped."""
    label, build, side = VARIANTS[name]
    checkpoint = checkpoint_dir / f"context-{name}-seed{seed}.pt" if checkpoint_dir else None
    train_iter, test_iter = fashion_mnist_loaders(QUICK["batch_size"], side, device,
                                                  n_train=QUICK["n_train"], seed=0)
    torch.manual_seed(seed)
    net = build()
    macs, params = macs_per_image(net, side), count_params(net)
    load = os.getloadavg()[0]
    with contextlib.redirect_stdout(io.StringIO()):  # train() prints its device line and a summary
        history = train(net, train_iter, test_iter, QUICK["epochs"], recipe=QUICK["recipe"],
                        device=device, checkpoint=checkpoint, seed=seed, plot=False, progress=False)
    if checkpoint is not None:
        checkpoint.unlink()  # finished: a later run with the same seed starts afresh
    return {"variant": name, "label": label, "px": side, "seed": seed,
            "test_acc": round(history.epochs[-1]["test_acc"], 4),
            "examples_per_sec": round(history.examples_per_sec, 1),
            "train_seconds": round(sum(r["seconds"] for r in history.epochs), 1),
            "macs": macs, "params": params, "load_before": round(load, 2),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def speed(name: str, round_: int, device: str = "cpu") -> dict:
    """Examples/s of the second of two short training epochs (256 images, batch 128)."""
    label, build, side = VARIANTS[name]
    train_iter, test_iter = fashion_mnist_loaders(QUICK["batch_size"], side, device, n_train=256,
                                                  n_test=128, seed=0)
    net = build()
    macs = macs_per_image(net, side)
    load = os.getloadavg()[0]
    with contextlib.redirect_stdout(io.StringIO()):
        history = train(net, train_iter, test_iter, 2, recipe=QUICK["recipe"], device=device, seed=0,
                        plot=False, progress=False)
    return {"variant": name, "label": label, "px": side, "round": round_,
            "examples_per_sec": round(history.epochs[1]["examples_per_sec"], 1), "macs": macs,
            "load_before": round(load, 2), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def append_rows(path: Path, fields: list[str], rows) -> list[dict]:
    """Write each row of the iterable ``rows`` to the CSV at ``path`` as soon as it exists."""
    new, done = not path.exists(), []
    with open(path, "a", newline="") as f:
        writer = csv.DictWriter(f, fields)
        if new:
            writer.writeheader()
        for row in rows:
            writer.writerow(row)
            f.flush()
            done.append(row)
            print("  " + ", ".join(f"{k} {row[k]}" for k in fields if k not in ("label", "date")), flush=True)
    return done


def summarise(rows: list[dict]) -> str:
    """Markdown table: one line per variant, mean and min-max over its seeds."""
    lines = ["| variant | seeds | test acc, mean (min-max) | multiply-adds per image | parameters "
             "| examples/s, median (min-max) |", "|---|---|---|---|---|---|"]
    for name in dict.fromkeys(r["variant"] for r in rows):
        rs = [r for r in rows if r["variant"] == name]
        acc = [float(r["test_acc"]) for r in rs]
        rates = [float(r["examples_per_sec"]) for r in rs]
        lines.append(f"| {rs[0]['label']} | {len(rs)} | {statistics.mean(acc):.3f} ({min(acc):.3f}-"
                     f"{max(acc):.3f}) | {int(rs[0]['macs']) / 1e6:,.0f} M | {int(rs[0]['params']):,} | "
                     f"{statistics.median(rates):,.0f} ({min(rates):,.0f}-{max(rates):,.0f}) |")
    return "\n".join(lines)


def summarise_speed(rows: list[dict]) -> str:
    """Markdown table of a ``--speed-rounds`` CSV: median and min-max examples/s per variant."""
    lines = ["| variant | rounds | multiply-adds per image | examples/s, median (min-max) |", "|---|---|---|---|"]
    for name in dict.fromkeys(r["variant"] for r in rows):
        rs = [r for r in rows if r["variant"] == name]
        rates = [float(r["examples_per_sec"]) for r in rs]
        lines.append(f"| {rs[0]['label']} | {len(rs)} | {int(rs[0]['macs']) / 1e6:,.0f} M | "
                     f"{statistics.median(rates):,.0f} ({min(rates):,.0f}-{max(rates):,.0f}) |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variants", nargs="+", choices=sorted(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--device", default="cpu", help="cpu (the recorded runs), or cuda on a GPU")
    parser.add_argument("--csv", type=Path, default=CSV, help="rows are appended; the header once")
    parser.add_argument("--checkpoint-dir", type=Path, help="save every epoch; a rerun resumes there")
    parser.add_argument("--speed-rounds", type=int, default=0, help="speed only, in this many rounds")
    parser.add_argument("--speed-csv", type=Path, default=SPEED_CSV)
    parser.add_argument("--summarise", type=Path, help="only print the table of this CSV")
    args = parser.parse_args()
    if args.summarise:
        with open(args.summarise, newline="") as f:
            rows = list(csv.DictReader(f))
        print(summarise(rows) if "test_acc" in rows[0] else summarise_speed(rows))
        return
    print(f"{time.strftime('%Y-%m-%d %H:%M')}: torch {torch.__version__}, {torch.get_num_threads()} "
          f"threads, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {QUICK}", flush=True)
    if args.speed_rounds:
        rows = append_rows(args.speed_csv, SPEED_FIELDS, (speed(name, r, args.device)
                                                          for r in range(args.speed_rounds)
                                                          for name in args.variants))
        print(f"\nload average after: {os.getloadavg()[0]:.1f}\n")
        print(summarise_speed(rows))
        return
    # Rounds: every variant once per seed, so load from other jobs hits them alike.
    rows = append_rows(args.csv, FIELDS, (run(name, seed, args.device, args.checkpoint_dir)
                                          for seed in args.seeds for name in args.variants))
    print(f"\nload average after: {os.getloadavg()[0]:.1f}\n")
    print(summarise(rows))


if __name__ == "__main__":
    main()
