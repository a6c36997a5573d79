"""What the training studies of ``benchmarks/`` share: their command-line options, a seed-major loop that
prints and appends one JSON line per run, and reading those lines back for ``--summarise``.

    rows = run_all(["a", "b"], seeds=[0, 1], run=lambda key, seed: {"key": key, "seed": seed}, jsonl=None)
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Callable

import torch

from nin_helpers.profiles import Profile


def add_run_options(parser: argparse.ArgumentParser, profile: Profile, seeds: list[int],
                    warmup_epochs: int | None = None) -> None:
    """The options every study takes, defaulting to ``profile`` (notebook 04's quick one); ``warmup_epochs``
    overrides the profile's warm-up as the default (a study recorded with another one)."""
    parser.add_argument("--seeds", nargs="+", type=int, default=seeds)
    parser.add_argument("--size", type=int, default=profile.size)
    parser.add_argument("--epochs", type=int, default=profile.epochs)
    parser.add_argument("--lr", type=float, default=profile.lr, help="peak lr of recipe 'ours'")
    parser.add_argument("--warmup-epochs", type=int,
                        default=profile.warmup_epochs if warmup_epochs is None else warmup_epochs,
                        help="warm-up epochs of recipe 'ours'")
    parser.add_argument("--batch-size", type=int, default=profile.batch_size)
    parser.add_argument("--n-train", type=int, default=profile.n_train)
    parser.add_argument("--jsonl", type=Path, help="append one JSON line per run to this file")
    parser.add_argument("--summarise", type=Path, metavar="JSONL", help="only print the table of a --jsonl file")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def run_all(keys: list[str], seeds: list[int], run: Callable[[str, int], dict], jsonl: Path | None) -> list[dict]:
    """``run(key, seed)`` for every seed and key, seed-major (an interrupted study still compares the keys
    fairly); each row is printed, and appended to ``jsonl`` if given, as soon as it is measured."""
    rows = []
    for seed in seeds:
        for key in keys:
            rows.append(run(key, seed))
            print(json.dumps(rows[-1]), flush=True)
            if jsonl:
                with open(jsonl, "a") as f:
                    f.write(json.dumps(rows[-1]) + "\n")
    return rows


def run_study(args: argparse.Namespace, keys: list[str], run: Callable[[str, int], dict],
              summarise: Callable[[list[dict]], str]) -> None:
    """A study's ``main`` after parsing: only the table of ``--summarise FILE``, or a header line, every run
    (``run_all``) and the table."""
    if args.summarise:
        print(summarise(read_jsonl(args.summarise)))
        return
    print(f"# {keys}: {args.size}x{args.size}, {args.epochs} epochs, batch {args.batch_size}, lr {args.lr}, "
          f"{args.warmup_epochs} warm-up epochs, "
          f"{args.n_train} images, seeds {args.seeds}, torch {torch.__version__}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    print(summarise(run_all(keys, args.seeds, run, args.jsonl)))
