"""Speed, side by side: d2l's ``train_ch6`` + d2l's DataLoader pipeline against our ``train`` +
``DeviceLoader``, on the same NiN, the same images, batch size and number of epochs.

    .venv/bin/python benchmarks/bench_train.py          # 96x96, all images, 5 epochs: ~4 min on 2 cores
    .venv/bin/python benchmarks/bench_train.py --size 224 --epochs 10   # d2l's setting, on a GPU

Each side runs in turn, alternating, ``--rounds`` times, so that other jobs on a shared machine slow
both equally. Examples/s is training examples divided by the wall-clock time of the whole training
call (data pipeline, training and the per-epoch test evaluation): what a student waits for.
Each side's own report is printed too (d2l's timer leaves out waiting for data; ours leaves out
evaluation). Test accuracy is each side's own, on the same test images. The two sides live in
``compare.py``, which ``gpu_report.py`` shares.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time

import torch
from compare import (
    alternate,
    choose_device,
    data_root,
    device_name,
    image_counts,
    prepare_data,
    run_d2l,
    run_ours,
    summarise,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=96)
    parser.add_argument("--n-train", type=int, default=0, help="training images; 0 = all")
    parser.add_argument("--tile", type=int, default=1, help="repeat the training images this many times")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs of each side")
    parser.add_argument("--lr-d2l", type=float, default=0.1, help="d2l's NiN chapter uses 0.1")
    parser.add_argument("--device", default=None, help="default: CUDA, then MPS, then CPU")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    device = choose_device(args.device)
    print(f"{time.strftime('%Y-%m-%d %H:%M')}  device: {device} ({device_name(device)}), torch "
          f"{torch.__version__}, {torch.get_num_threads()} CPU threads")
    with tempfile.TemporaryDirectory(prefix="nin-bench-") as tmp:
        root = prepare_data(data_root(), tmp, n_train=args.n_train or None, tile=args.tile, seed=args.seed)
        n_train, n_test = image_counts(root)
        print(f"NiN, {args.size}x{args.size}, {n_train} training and {n_test} test images, {args.epochs} epochs, batch "
              f"{args.batch_size}, {args.rounds} alternating rounds; load average before: "
              f"{os.getloadavg()[0]:.1f}", flush=True)
        sides = {"d2l": lambda: run_d2l(root, args.batch_size, args.size, args.epochs, device, args.lr_d2l,
                                        args.seed),
                 "ours": lambda: run_ours(root, args.batch_size, args.size, args.epochs, device, args.seed)}
        results, _ = alternate(args.rounds, sides, report=lambda r, run: print(
            f"  round {r} {run.side:4s}: {run.examples_per_sec:7.1f} examples/s wall-clock, test acc "
            f"{run.test_acc:.3f}   (own report: {run.own_report})", flush=True))
    c = summarise(results)
    print("\n| side | examples/s (median, wall-clock) | test acc (mean) |\n|---|---|---|")
    for side, label in [("d2l", "d2l.train_ch6 + DataLoader (PIL Resize, workers)"),
                        ("ours", "nin_helpers.train + DeviceLoader")]:
        print(f"| {label} | {c.speed[side]:.1f} | {c.acc[side]:.3f} |")
    print(f"\nspeed-up: {c.ratio:.2f}x (per round: {', '.join(f'{r:.2f}x' for r in c.paired)}); "
          f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
