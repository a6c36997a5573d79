"""d2l's NiN exercises 1 and 3, measured: how many 1×1 convolutions per block, and GAP against a fully
connected head, each trained over several seeds on notebook 04's quick-profile images (RESULTS.md used 15
epochs, ``--epochs 15``, half the profile's 30).

Variants (``classic_models.nin_variant``): one, two (``nin()``) or three 1×1 convolutions per block with
NiN's global-average-pooling head, and NiN's first three blocks under AlexNet's fully connected head
(two 4096-wide layers with dropout). All train with recipe "ours" at the profile's peak learning rate and the
recipe's own one warm-up epoch (RESULTS.md's runs predate the profile's five; ``--warmup-epochs`` sets it); the
fully connected head without "equal class scores" (its class scores come from a Linear layer with no ReLU,
so there is nothing to keep alive, and ``equal_class_scores`` refuses it).

    NIN_DATA_DIR=../shared/data/fashion-mnist-subset .venv/bin/python benchmarks/ablations.py --jsonl abl.jsonl
    .venv/bin/python benchmarks/ablations.py --summarise abl.jsonl        # the table in RESULTS.md
"""
from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import time

import torch
from runlog import add_run_options, run_study  # benchmarks/runlog.py, beside this script

from nin_helpers.classic_models import nin_variant
from nin_helpers.data import fashion_mnist_loaders
from nin_helpers.inspection import count_params
from nin_helpers.profiles import PROFILES
from nin_helpers.recipes import RECIPES
from nin_helpers.training import train

VARIANTS = {  # name: (num_1x1, head)
    "one 1x1": (1, "gap"), "two 1x1 (nin)": (2, "gap"), "three 1x1": (3, "gap"), "fc head": (2, "fc")}
SEEDS = [0, 1, 2]


def run(variant: str, seed: int, args) -> dict:
    num_1x1, head = VARIANTS[variant]
    recipe = RECIPES["ours"].but(lr=args.lr, warmup_epochs=args.warmup_epochs, equal_scores=head == "gap")
    train_iter, test_iter = fashion_mnist_loaders(args.batch_size, args.size, "cpu", n_train=args.n_train,
                                                  seed=seed)
    torch.manual_seed(seed)  # train re-seeds before it initialises; this only fixes the build's own draw
    net = nin_variant(num_1x1, head, image_size=args.size)
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        history = train(net, train_iter, test_iter, args.epochs, recipe=recipe, seed=seed, device="cpu",
                        plot=False, progress=False)
    frame = history.to_frame()
    return {"variant": variant, "seed": seed, "size": args.size, "epochs": args.epochs, "lr": args.lr,
            "warmup": recipe.warmup_epochs,
            "parameters": count_params(net), "test_acc": float(frame["test_acc"].iloc[-1]),
            "train_acc": float(frame["train_acc"].iloc[-1]), "train_loss": float(frame["train_loss"].iloc[-1]),
            "train_s": round(time.perf_counter() - start, 1), "examples_per_s": round(history.examples_per_sec)}


def summarise(rows: list[dict]) -> str:
    """One markdown line per (variant, epochs): test accuracy by seed, mean ± standard deviation, range, train
    accuracy. (Examples/s are left out: the studies ran several at once on two cores.)"""
    lines = ["| variant | epochs | parameters | test acc by seed | mean ± sd | min–max | train acc (mean) |",
             "|---|---|---|---|---|---|---|"]
    keys = sorted({(r["variant"], r["epochs"]) for r in rows}, key=lambda k: (k[1], list(VARIANTS).index(k[0])))
    for variant, epochs in keys:
        rs = sorted((r for r in rows if (r["variant"], r["epochs"]) == (variant, epochs)), key=lambda r: r["seed"])
        accs = [r["test_acc"] for r in rs]
        sd = statistics.stdev(accs) if len(accs) > 1 else 0.0
        by_seed = ", ".join(f"{r['seed']}: {r['test_acc']:.3f}" for r in rs)
        lines.append(f"| {variant} | {epochs} | {rs[0]['parameters']:,} | {by_seed} | "
                     f"{statistics.mean(accs):.3f} ± {sd:.3f} | {min(accs):.3f}–{max(accs):.3f} | "
                     f"{statistics.mean(r['train_acc'] for r in rs):.3f} |")
    return "\n".join(lines)


def main() -> None:
    quick = PROFILES["quick"]
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    # RESULTS.md's ablations ran with recipe "ours"'s own warm-up, not the profile's: keep that the default
    add_run_options(parser, quick, SEEDS, warmup_epochs=RECIPES["ours"].warmup_epochs)
    args = parser.parse_args()
    run_study(args, args.variants, lambda key, seed: run(key, seed, args), summarise)


if __name__ == "__main__":
    main()
