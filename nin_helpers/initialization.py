"""How training starts (notebook 04, section 4): the weights' initialisation and the two fixes that
keep NiN's class scores alive: centred biases and equal class scores.

NiN's class scores come out of a ReLU, so a class whose channel is negative everywhere is *dead*:
score 0, and no gradient reaches its own weights. It can come back only if the layers below it change
its input; when all ten are dead no gradient reaches any layer, and that is final. These functions
make every unit start alive.

>>> net = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Conv2d(4, 10, 1), nn.ReLU(),
...                     nn.AdaptiveAvgPool2d(1), nn.Flatten())
>>> init_weights(net, "kaiming"); equal_class_scores(net)
>>> net(torch.randn(2, 1, 8, 8))[0].tolist()
[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
"""
from __future__ import annotations

import torch
from torch import nn

from nin_helpers.validation import check_float_images, check_module


def init_weights(net: nn.Module, init: str) -> None:
    """Re-initialise every conv/linear layer: ``"xavier"`` as d2l does (weights only),
    ``"kaiming"``: He-normal weights, which keep the signal's variance through ReLUs, and zero biases,
    or ``"default"``: PyTorch's own initialisation, drawn again."""
    check_module("net", net)
    if not isinstance(init, str) or init not in ("xavier", "kaiming", "default"):
        raise ValueError(f"init must be 'xavier', 'kaiming' or 'default', got {init!r}")
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            if init == "default":  # PyTorch's own: uniform, std 1/sqrt(3 fan_in), random biases
                m.reset_parameters()
            elif init == "xavier":
                nn.init.xavier_uniform_(m.weight)
            else:
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)


def center_biases(net: nn.Module, X: torch.Tensor) -> None:
    """Data-dependent start: shift each conv's bias so that, on the batch ``X``, every output
    channel has mean 0, so its ReLU is on for about half the inputs and none is dead from the start.
    One forward pass: each hook centres its layer before the next layer sees the output."""
    check_module("net", net)
    if not isinstance(X, torch.Tensor):
        raise TypeError(f"X must be a batch of images (a torch.Tensor), e.g. next(iter(train_iter))[0], "
                        f"got {type(X).__name__}")
    check_float_images(X, "center_biases")
    def center(conv: nn.Conv2d, inputs, out: torch.Tensor) -> torch.Tensor:
        mean = out.mean(dim=(0, 2, 3))
        conv.bias -= mean
        return out - mean.view(1, -1, 1, 1)
    hooks = [m.register_forward_hook(center) for m in net.modules()
             if isinstance(m, nn.Conv2d) and m.bias is not None]
    net.eval()  # no dropout: centre on the network as it will be evaluated
    try:
        with torch.no_grad():
            net(X)
    finally:
        for hook in hooks:
            hook.remove()


def equal_class_scores(net: nn.Module, score: float = 1.0, check_only: bool = False) -> None:
    """Zero the weights of the last convolution (the one whose channels are the class scores) and set
    its biases to ``score`` > 0. Every class then starts with the same score on every image, with its
    ReLU on, and the first gradient steps grow each class's weights *towards* its own images' features
    instead of possibly switching the class off everywhere. ``check_only``: refuse an unsuitable
    network without changing anything (``train`` checks before it initialises)."""
    check_module("net", net)
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not score > 0 or score == float("inf"):
        raise ValueError(f"score must be > 0 (a finite number) so that every class's ReLU starts on, got {score!r}")
    weighted = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    if not weighted or not isinstance(weighted[-1], nn.Conv2d):  # e.g. a fully connected head
        raise ValueError("equal_class_scores is for NiN-style networks whose last layer with weights is the "
                         "convolution giving the class scores; this one ends in "
                         f"{type(weighted[-1]).__name__ if weighted else 'no conv or linear layer'}. "
                         "Train it with equal_scores=False, e.g. recipe=RECIPES['ours'].but(equal_scores=False)")
    if check_only:
        return
    last = weighted[-1]
    with torch.no_grad():
        last.weight.zero_()
        last.bias.fill_(score)
