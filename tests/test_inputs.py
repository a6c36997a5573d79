"""Inputs get clear errors, in one style (what was wrong, the valid range, how to fix it), from the package's
own checks: never a traceback from deep inside torch, numpy or matplotlib, never a silently wrong answer."""
from __future__ import annotations

import traceback

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

import nin_helpers as H
from nin_helpers import training
from tiny_runs import quiet_train, tiny_data, tiny_net

WRONG_OBJECTS = {"str": "abc", "list": [1, 2], "ndarray": np.zeros((2, 1, 96, 96), dtype=np.float32),
                 "function": len, "None": None, "float": 2.5}
PAIR = [(torch.zeros(2, 1, 96, 96), torch.zeros(2, dtype=torch.long))]

# Each helper with one argument replaced by the wrong object.
HELPERS = {
    "nin()(x)": lambda o: H.nin()(o),
    "predict(net, ...)": lambda o: H.predict(o, PAIR),
    "predict(..., data_iter)": lambda o: H.predict(H.nin(), o),
    "evaluate(..., data_iter)": lambda o: H.evaluate(H.nin(), o),
    "resize_batch(images)": lambda o: H.resize_batch(o, 32),
    "count_params": lambda o: H.count_params(o),
    "layer_table(model)": lambda o: H.layer_table(o, (1, 1, 96, 96)),
    "flops_by_layer(model)": lambda o: H.flops_by_layer(o, (1, 1, 96, 96)),
    "flops_by_layer(input_shape)": lambda o: H.flops_by_layer(H.nin(), o),
    "params_by_kind": lambda o: H.params_by_kind(o),
    "totals": lambda o: H.totals(o),
    "training_step_memory": lambda o: H.training_step_memory(o, 2, 96),
    "smallest_input_size": lambda o: H.smallest_input_size(o),
    "init_weights(net)": lambda o: H.init_weights(o, "kaiming"),
    "init_weights(init)": lambda o: H.init_weights(H.nin(), o),
    "center_biases(X)": lambda o: H.center_biases(H.nin(), o),
    "make_optimizer(net)": lambda o: H.make_optimizer(o, "ours", 2, 2),
    "show_images": lambda o: H.show_images(o, ["a", "b"]),
    "plot_confusion_matrix": lambda o: H.plot_confusion_matrix(o, ["a", "b"]),
    "plot_total_params": lambda o: H.plot_total_params(o),
    "speed_settings": lambda o: H.speed_settings(o),
    "DeviceLoader(images)": lambda o: H.DeviceLoader(o, torch.zeros(2, dtype=torch.long), 1, 28),
    "confusion_matrix(predicted)": lambda o: H.confusion_matrix(o, torch.zeros(2, dtype=torch.long), 3),
    "train(net)": lambda o: H.train(o, *tiny_data(), 1, plot=False, progress=False),
    "train(train_iter)": lambda o: H.train(tiny_net(), o, tiny_data()[1], 1, plot=False, progress=False),
}
ALLOWED = {("speed_settings", "None")}  # speed_settings(None) describes choose_device()'s device, like the rest


def raised_by_the_package(error: BaseException) -> bool:
    """The error comes from a raise statement in nin_helpers, not from inside torch, numpy or pandas."""
    frame = traceback.extract_tb(error.__traceback__)[-1]
    return "nin_helpers" in frame.filename and frame.line.startswith("raise")


@pytest.mark.parametrize("obj", sorted(WRONG_OBJECTS))
@pytest.mark.parametrize("helper", sorted(HELPERS))
def test_a_wrong_object_gets_a_clear_error(helper, obj):
    if (helper, obj) in ALLOWED:
        return
    with pytest.raises((TypeError, ValueError)) as error:
        HELPERS[helper](WRONG_OBJECTS[obj])
    assert raised_by_the_package(error.value), "".join(traceback.format_exception(error.value))
    assert "got" in str(error.value)  # says what it got


@pytest.mark.parametrize("call, error, match", [
    (lambda: H.choose_device("gpu"), ValueError, r"unknown device: device must be 'cpu', 'cuda' .* got 'gpu'"),
    (lambda: H.totals({}), TypeError, "non-empty dict"),
    (lambda: H.show_images(torch.zeros(0, 28, 28), []), ValueError, "N >= 1"),
    (lambda: H.plot_confusion_matrix(torch.zeros(0, 0), []), ValueError, "must be square"),
    (lambda: H.plot_params_by_kind(pd.DataFrame(columns=["conv params", "fc params"])), ValueError, "no rows"),
    (lambda: H.plot_total_params(pd.DataFrame(columns=["params"])), ValueError, "no rows"),
    (lambda: H.training_step_memory(nn.Sequential(nn.ReLU()), 2, 8), ValueError, "no parameters"),
    (lambda: H.confusion_matrix(torch.tensor([0.0, 1.0]), torch.tensor([0, 1]), 2), ValueError, "argmax"),
    (lambda: H.confusion_matrix(torch.tensor([0]), torch.tensor([0]), 0), ValueError, "num_classes"),
    (lambda: H.make_optimizer(nn.Linear(1, 1), "ours", 0, 2), ValueError, "steps_per_epoch"),
    (lambda: H.predict(H.nin(), [1, 2]), TypeError, r"batches \(X, y\) of two tensors"),
    (lambda: H.evaluate(H.nin(), [(torch.zeros(2, 1, 96, 96, dtype=torch.uint8), torch.zeros(2))]), ValueError,
     "uint8 images: use resize_batch"),
], ids=["unknown device", "empty totals", "no images", "empty matrix", "empty table", "empty totals table",
        "no parameters", "float predictions", "no classes", "no steps", "not pairs", "uint8 to predict"])
def test_empty_and_malformed_inputs_get_a_message(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_asking_for_a_device_this_machine_lacks_says_so(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="this machine has no CUDA device; use 'cpu'"):
        H.choose_device("cuda")


# --- train checks its inputs before the first step ------------------------------------------------------------

@pytest.fixture
def no_training(monkeypatch):
    def must_not_run(*args, **kwargs):
        raise AssertionError("an epoch was trained before the problem was reported")
    monkeypatch.setattr(training, "train_epoch", must_not_run)


def one_class_net() -> nn.Module:
    return nn.Sequential(nn.Conv2d(1, 1, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())


BATCH = (torch.zeros(4, 1, 12, 12), torch.zeros(4, dtype=torch.long))
BAD_RUNS = {
    "label 200": (lambda: (tiny_net(), *tiny_data(labels=torch.full((96,), 200))), {},
                  r"labels of train_iter must be class indices 0..9 \(the network has 10 outputs\), got values "
                  r"from 200 to 200; build the network with num_classes=201"),
    "label 10 of 10 classes": (lambda: (tiny_net(), *tiny_data(labels=torch.arange(96) % 11)), {},
                               r"class indices 0..9 .* from 0 to 10"),
    "test label out of range": (lambda: (tiny_net(), tiny_data()[0],
                                         H.DeviceLoader(torch.zeros(4, 12, 12, dtype=torch.uint8),
                                                        torch.tensor([0, 1, 2, 12]), 2, 12)), {},
                                r"labels of test_iter must be class indices 0..9"),
    "float labels": (lambda: (tiny_net(), [(BATCH[0], BATCH[1].float())], [BATCH]), {},
                     r"integer class indices 0..9, got torch.float32; convert them with labels.long\(\)"),
    "uint8 batches": (lambda: (tiny_net(), [(BATCH[0].to(torch.uint8), BATCH[1])], [BATCH]), {},
                      "uint8 images: use resize_batch"),
    "no training batches": (lambda: (tiny_net(), [], [BATCH]), {}, "train_iter gave no batches"),
    "no test batches": (lambda: (tiny_net(), [BATCH], []), {}, "test_iter gives no batches"),
    "one class": (lambda: (one_class_net(), [BATCH], [BATCH]), {"recipe": "d2l"}, "at least 2 classes"),
    "warm-up longer than the run": (lambda: (tiny_net(), *tiny_data()),
                                    {"recipe": H.RECIPES["ours"].but(warmup_epochs=3)},
                                    r"warm-up \(3 epochs\) is longer than the run \(num_epochs=2\)"),
    "a generator": (lambda: (tiny_net(), (b for b in [BATCH]), [BATCH]), {}, r"len\(train_iter\)"),
    "a negative seed": (lambda: (tiny_net(), *tiny_data()), {"seed": -1}, "seed must be a whole number >= 0"),
}


@pytest.mark.parametrize("case", sorted(BAD_RUNS))
def test_train_refuses_bad_data_before_the_first_step(case, no_training):
    build, kwargs, match = BAD_RUNS[case]
    net, train_iter, test_iter = build()
    with pytest.raises((ValueError, TypeError), match=match):
        quiet_train(net, train_iter, test_iter, 2, **kwargs)


def test_numpy_whole_numbers_are_accepted_where_ints_are_expected():
    # Sizes computed with numpy (e.g. np.prod, a value read from an array) are whole numbers too.
    assert H.nin(in_channels=np.int64(1), num_classes=np.int32(10))(torch.zeros(1, 1, 67, 67)).shape == (1, 10)
    assert H.nin_block(np.int64(1), np.int64(8), np.int64(3))(torch.zeros(1, 1, 8, 8)).shape == (1, 8, 6, 6)
    assert H.resize_batch(torch.zeros(2, 28, 28, dtype=torch.uint8), np.int64(32)).shape == (2, 1, 32, 32)
    loader = H.DeviceLoader(torch.zeros(5, 28, 28, dtype=torch.uint8), torch.arange(5), np.int64(2), np.int64(28))
    assert len(loader) == 3
    assert H.conv2d_output_size(np.int64(224), np.int64(11), np.int64(4)) == 54
