"""What makes one NiN training step fast on this machine: memory layout x precision.

    .venv/bin/python benchmarks/bench_speed_settings.py              # 96x96 and 224x224, on the CPU
    .venv/bin/python benchmarks/bench_speed_settings.py --device cuda --sizes 224 --batches 20

Times forward + backward + AdamW step on a random batch for each of: contiguous float32 (d2l),
bf16 autocast, channels-last, channels-last + bf16 autocast. The first step of each is a warm-up and
is not timed. These are the numbers behind ``speed_settings`` in ``nin_helpers/devices.py``.
"""
from __future__ import annotations

import argparse
import os
import time

import torch
from torch.nn import functional as F

from nin_helpers.devices import choose_device  # noqa: E402
from nin_helpers.models import nin  # noqa: E402


def examples_per_sec(device, size, batch_size, channels_last, bf16, batches) -> float:
    torch.manual_seed(0)
    layout = torch.channels_last if channels_last else torch.contiguous_format
    net = nin().to(device, memory_format=layout)
    opt = torch.optim.AdamW(net.parameters(), 1e-3)
    X = torch.rand(batch_size, 1, size, size, device=device).contiguous(memory_format=layout)
    y = torch.randint(0, 10, (batch_size,), device=device)
    for step in range(batches + 1):
        if step == 1:  # step 0 warms up (allocations, kernel selection)
            if device.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
        with torch.autocast(device.type, torch.bfloat16, enabled=bf16):
            loss = F.cross_entropy(net(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return batch_size * batches / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default=None, help="default: CUDA, then MPS, then CPU")
    parser.add_argument("--sizes", nargs="+", type=int, default=[96, 224])
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--batches", type=int, default=3, help="timed steps per setting")
    args = parser.parse_args()
    device = choose_device(args.device)
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}, {device}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, load average {os.getloadavg()[0]:.1f}")
    print("| size | float32 (d2l) | bf16 autocast | channels-last | channels-last + bf16 |")
    print("|---|---|---|---|---|")
    for size in args.sizes:
        speeds = [examples_per_sec(device, size, args.batch_size, cl, bf16, args.batches)
                  for cl, bf16 in [(False, False), (False, True), (True, False), (True, True)]]
        print(f"| {size}x{size} | " + " | ".join(
            f"{s:.0f} ex/s ({s / speeds[0]:.1f}x)" for s in speeds) + " |", flush=True)


if __name__ == "__main__":
    main()
