"""How often does a training recipe leave NiN stuck at chance (10% accuracy, loss ln 10 = 2.303)?

Trains NiN on the Fashion-MNIST subset once per (recipe, seed) and reports, per run, the final
train loss, test accuracy and how many of the 10 class outputs are *dead*: exactly 0 for every
test image. NiN's last block ends in a ReLU, so its logits are >= 0; a class whose ReLU is off
for every input gets no gradient and never comes back, and when all 10 are off every logit is 0,
the loss is exactly ln 10 and training has stopped for good.

    .venv/bin/python benchmarks/recipe_study.py       # the table in RESULTS.md (~30 min, 2 cores)
    .venv/bin/python benchmarks/recipe_study.py --recipes d2l ours --seeds 0 1 --epochs 3
    .venv/bin/python benchmarks/recipe_study.py --d2l-code --seeds 0 1 2   # d2l.train_ch6 itself

All recipes see the same standardised images through ``DeviceLoader``; ``--d2l-code`` instead
runs d2l's own ``train_ch6`` on d2l's own [0, 1] ``ToTensor`` pipeline, as a cross-check.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import time
import warnings
from pathlib import Path

import torch

from nin_helpers.data import fashion_mnist_loaders, load_fashion_mnist  # noqa: E402
from nin_helpers.models import nin  # noqa: E402
from nin_helpers.recipes import RECIPES  # noqa: E402
from nin_helpers.training import train  # noqa: E402


def dead_classes(net: torch.nn.Module, test_iter) -> int:
    """Class outputs that are exactly 0 for every test image."""
    net.eval()
    device = next(net.parameters()).device
    alive = None
    with torch.inference_mode():
        for X, _ in test_iter:
            nonzero = (net(X.to(device)) != 0).any(0)
            alive = nonzero if alive is None else alive | nonzero
    return int((~alive).sum())


def run_ours(recipe: str, seed: int, args) -> dict:
    train_iter, test_iter = fashion_mnist_loaders(args.batch_size, args.size, n_train=args.n_train,
                                                  seed=seed)
    net = nin()
    with contextlib.redirect_stdout(io.StringIO()):
        history = train(net, train_iter, test_iter, args.epochs, recipe=recipe, seed=seed,
                        device="cpu" if args.cpu else None, plot=False, progress=False)
    last = history.epochs[-1]
    return {"recipe": recipe, "seed": seed, "train_loss": last["train_loss"],
            "test_acc": last["test_acc"], "dead": dead_classes(net, test_iter)}


def run_d2l_code(seed: int, args) -> dict:
    """d2l.train_ch6 with d2l's DataLoader pipeline (Resize + ToTensor in worker processes)."""
    import d2l.torch as d2l
    from torchvision import transforms

    # d2l asks for 4 DataLoader workers whatever the machine; torch warns on 2 cores. That is d2l's setup.
    warnings.filterwarnings("ignore", message="This DataLoader will create")
    torch.manual_seed(seed)
    train_set, test_set = load_fashion_mnist()
    tf = transforms.Compose([transforms.Resize(args.size), transforms.ToTensor()])
    train_set.transform = test_set.transform = tf
    if args.n_train is not None:
        keep = torch.randperm(len(train_set), generator=torch.Generator().manual_seed(seed))[:args.n_train]
        train_set = torch.utils.data.Subset(train_set, keep.sort().values.tolist())
    loader = lambda data, shuffle: torch.utils.data.DataLoader(  # noqa: E731
        data, args.batch_size, shuffle=shuffle, num_workers=d2l.get_dataloader_workers())
    net = nin()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        d2l.train_ch6(net, loader(train_set, True), loader(test_set, False), args.epochs, 0.1,
                      d2l.try_gpu())
    line = [s for s in out.getvalue().splitlines() if s.startswith("loss ")][-1]
    loss, _, test = (float(part.split()[-1]) for part in line.split(", "))
    return {"recipe": "d2l.train_ch6", "seed": seed, "train_loss": loss, "test_acc": test,
            "dead": dead_classes(net, loader(test_set, False))}


def summarise(rows: list[dict]) -> str:
    """One line per recipe: test accuracy of every seed, how many runs stayed near chance, and how
    many class scores were dead at the end (mean over seeds)."""
    seeds = sorted({r["seed"] for r in rows})
    lines = [f"| recipe | test acc, seeds {', '.join(map(str, seeds))} | mean | stuck (test acc < 0.2) "
             f"| dead class scores at the end (mean) | final train loss (mean) |",
             "|---|---|---|---|---|---|"]
    order = list(RECIPES) + ["d2l.train_ch6"]  # the table's order; recipes not in RECIPES last
    for recipe in sorted(dict.fromkeys(r["recipe"] for r in rows),
                         key=lambda name: order.index(name) if name in order else len(order)):
        rs = sorted((r for r in rows if r["recipe"] == recipe), key=lambda r: r["seed"])
        accs = [r["test_acc"] for r in rs]
        lines.append(f"| {recipe} | {' '.join(f'{a:.3f}' for a in accs)} | {statistics.mean(accs):.3f} | "
                     f"{sum(a < 0.2 for a in accs)} of {len(rs)} | "
                     f"{statistics.mean(r['dead'] for r in rs):.1f} | "
                     f"{statistics.mean(r['train_loss'] for r in rs):.3f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipes", nargs="+", choices=sorted(RECIPES),
                        default=list(RECIPES))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--size", type=int, default=96)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--n-train", type=int, default=None, help="training images (default: all)")
    parser.add_argument("--d2l-code", action="store_true", help="run d2l.train_ch6 instead")
    parser.add_argument("--cpu", action="store_true", help="train on the CPU even if there is a GPU")
    parser.add_argument("--jsonl", type=Path, help="append one JSON line per run to this file")
    parser.add_argument("--summarise", type=Path, metavar="JSONL",
                        help="only print the table of a --jsonl file")
    args = parser.parse_args()
    if args.summarise:
        print(summarise([json.loads(line) for line in args.summarise.read_text().splitlines() if line]))
        return
    print(f"# {'d2l.train_ch6' if args.d2l_code else 'recipes ' + ', '.join(args.recipes)}: "
          f"{args.size}x{args.size}, {args.epochs} epochs, batch {args.batch_size}, seeds {args.seeds}, "
          f"torch {torch.__version__}, {time.strftime('%Y-%m-%d')}", flush=True)
    rows = []
    for seed in args.seeds:  # seed-major: an interrupted study still compares recipes fairly
        for recipe in ["d2l.train_ch6"] if args.d2l_code else args.recipes:
            start = time.perf_counter()
            row = run_d2l_code(seed, args) if args.d2l_code else run_ours(recipe, seed, args)
            row["seconds"] = round(time.perf_counter() - start, 1)
            rows.append(row)
            print(json.dumps(row), flush=True)
            if args.jsonl:
                with open(args.jsonl, "a") as f:
                    f.write(json.dumps({**row, "size": args.size, "epochs": args.epochs}) + "\n")
    print(summarise(rows))


if __name__ == "__main__":
    main()
