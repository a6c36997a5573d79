"""Speed, side by side: d2l's ``train_ch6`` + d2l's DataLoader pipeline against our ``train`` +
``DeviceLoader``, on the same NiN, the same images, batch size and number of epochs.

    .venv/bin/python benchmarks/bench_train.py          # 96x96, all images, 5 epochs: ~4 min on 2 cores
    .venv/bin/python benchmarks/bench_train.py --size 224 --epochs 10   # d2l's setting, on a GPU

Each side runs in turn, alternating, ``--rounds`` times, so that other jobs on a shared machine slow
both equally. Examples/s is training examples divided by the wall-clock time of the whole training
call (data pipeline, training and the per-epoch test evaluation): what a student waits for.
Each side's own report is printed too (d2l's timer leaves out waiting for data; ours leaves out
evaluation). Test accuracy is each side's own, on the same test images.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import platform
import statistics
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")  # d2l's Animator draws a figure; no window here
import warnings  # noqa: E402

# d2l asks for 4 DataLoader workers whatever the machine; torch warns on a 2-core one. That is d2l's setup.
warnings.filterwarnings("ignore", message="This DataLoader will create")
import torch  # noqa: E402
from torchvision import transforms  # noqa: E402

from nin_helpers.data import fashion_mnist_loaders, load_fashion_mnist  # noqa: E402
from nin_helpers.devices import choose_device  # noqa: E402
from nin_helpers.models import nin  # noqa: E402
from nin_helpers.training import train  # noqa: E402


def d2l_loaders(args):
    """d2l's ``load_data_fashion_mnist(batch_size, resize)``, with our data folder and subset:
    PIL ``Resize`` + ``ToTensor`` per image in ``d2l.get_dataloader_workers()`` worker processes."""
    import d2l.torch as d2l

    train_set, test_set = load_fashion_mnist()
    train_set.transform = test_set.transform = transforms.Compose([transforms.Resize(args.size),
                                                                   transforms.ToTensor()])
    if args.n_train is not None:  # the same images fashion_mnist_loaders keeps
        keep = torch.randperm(len(train_set), generator=torch.Generator().manual_seed(args.seed))
        train_set = torch.utils.data.Subset(train_set, keep[:args.n_train].sort().values.tolist())
    workers = d2l.get_dataloader_workers()
    return (torch.utils.data.DataLoader(train_set, args.batch_size, shuffle=True, num_workers=workers),
            torch.utils.data.DataLoader(test_set, args.batch_size, shuffle=False, num_workers=workers))


def run_d2l(args, device) -> dict:
    import d2l.torch as d2l

    train_iter, test_iter = d2l_loaders(args)
    torch.manual_seed(args.seed)
    net, out = nin(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out):  # d2l prints its figure's repr in a script
        d2l.train_ch6(net, train_iter, test_iter, args.epochs, args.lr_d2l, device)
    seconds = time.perf_counter() - start
    lines = out.getvalue().splitlines()
    acc_line = [s for s in lines if s.startswith("loss ")][-1]
    own = [s for s in lines if "examples/sec" in s][-1]
    return {"seconds": seconds, "examples": len(train_iter.dataset) * args.epochs,
            "test_acc": float(acc_line.split("test acc ")[-1]), "own report": own.strip()}


def run_ours(args, device) -> dict:
    train_iter, test_iter = fashion_mnist_loaders(args.batch_size, args.size, device=device,
                                                  n_train=args.n_train, seed=args.seed)
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        history = train(nin(), train_iter, test_iter, args.epochs, recipe="ours", device=device,
                        seed=args.seed, plot=False, progress=False)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "examples": sum(r["examples"] for r in history.epochs),
            "test_acc": history.epochs[-1]["test_acc"],
            "own report": f"{history.examples_per_sec:.1f} examples/sec on {history.device}"}


def device_name(device: torch.device) -> str:
    """The GPU's name, or the CPU's model name and core count."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    cpuinfo = Path("/proc/cpuinfo")
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
              if line.startswith("model name")] if cpuinfo.exists() else []
    return f"{models[0] if models else platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=96)
    parser.add_argument("--n-train", type=int, default=0, help="training images; 0 = all")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=2, help="alternating runs of each side")
    parser.add_argument("--lr-d2l", type=float, default=0.1, help="d2l's NiN chapter uses 0.1")
    parser.add_argument("--device", default=None, help="default: CUDA, then MPS, then CPU")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    args.n_train = args.n_train or None
    device = choose_device(args.device)
    print(f"{time.strftime('%Y-%m-%d %H:%M')}  device: {device} ({device_name(device)}), torch "
          f"{torch.__version__}, {torch.get_num_threads()} CPU threads")
    print(f"NiN, {args.size}x{args.size}, {args.n_train or 'all'} training images, {args.epochs} epochs, "
          f"batch {args.batch_size}, {args.rounds} alternating rounds; load average before: "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    results: dict[str, list[dict]] = {"d2l": [], "ours": []}
    for r in range(args.rounds):
        for side in (["d2l", "ours"] if r % 2 == 0 else ["ours", "d2l"]):
            res = (run_d2l if side == "d2l" else run_ours)(args, device)
            results[side].append(res)
            print(f"  round {r + 1} {side:4s}: {res['examples'] / res['seconds']:7.1f} examples/s "
                  f"wall-clock, test acc {res['test_acc']:.3f}   (own report: {res['own report']})",
                  flush=True)
    speed = {side: statistics.median(x["examples"] / x["seconds"] for x in rs)
             for side, rs in results.items()}
    acc = {side: statistics.mean(x["test_acc"] for x in rs) for side, rs in results.items()}
    print("\n| side | examples/s (median, wall-clock) | test acc (mean) |\n|---|---|---|")
    for side, label in [("d2l", "d2l.train_ch6 + DataLoader (PIL Resize, workers)"),
                        ("ours", "nin_helpers.train + DeviceLoader")]:
        print(f"| {label} | {speed[side]:.1f} | {acc[side]:.3f} |")
    paired = [o["examples"] / o["seconds"] / (d["examples"] / d["seconds"])
              for d, o in zip(results["d2l"], results["ours"])]  # each round's two runs were back to back
    print(f"\nspeed-up: {speed['ours'] / speed['d2l']:.2f}x (per round: "
          f"{', '.join(f'{r:.2f}x' for r in paired)}); load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
