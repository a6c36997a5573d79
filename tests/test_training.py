"""The training loop of notebook 04: device choice, recipes, reproducibility, checkpoints, evaluation."""
from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from nin_helpers import checkpoints, devices
from nin_helpers.checkpoints import save_checkpoint
from nin_helpers.devices import Speed, choose_device, speed_settings
from nin_helpers.evaluation import confusion_matrix, evaluate, predict
from nin_helpers.initialization import center_biases, equal_class_scores, init_weights
from nin_helpers.recipes import RECIPES, Recipe, get_recipe, make_optimizer
from tiny_runs import Interrupting, quiet_train, tiny_data, tiny_net

# --- device choice ------------------------------------------------------------------------------

@pytest.mark.parametrize("cuda, mps, expected", [(True, True, "cuda"), (False, True, "mps"),
                                                 (False, False, "cpu")])
def test_device_preference_is_cuda_then_mps_then_cpu(monkeypatch, cuda, mps, expected):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    assert choose_device() == torch.device(expected)


def test_device_can_be_forced(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert choose_device("cpu") == torch.device("cpu")
    with pytest.raises(TypeError, match="device must be a string"):
        choose_device(0.5)


def test_train_prints_the_device_it_chose(capsys):
    train_iter, test_iter = tiny_data()
    quiet_train(tiny_net(), train_iter, test_iter, 1, device="cpu")
    assert "training on cpu" in capsys.readouterr().out


def test_cpu_speed_settings():
    speed = speed_settings(torch.device("cpu"))
    assert speed.channels_last is True  # 2x faster convolutions on this course's CPU
    assert speed.amp_dtype == (torch.bfloat16 if devices.cpu_has_bf16() else None)
    assert speed.memory_format == torch.channels_last


def test_speed_settings_change_no_global_switch(monkeypatch):
    """Describing the fast settings must not flip cuDNN/TF32; only enable_fast_kernels does, on CUDA."""
    before = (torch.backends.cudnn.benchmark, torch.backends.cuda.matmul.allow_tf32)
    speed_settings(torch.device("cpu"))
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda including_emulation=False: True)
    assert speed_settings(torch.device("cuda")) == Speed(channels_last=True, amp_dtype=torch.bfloat16)
    devices.enable_fast_kernels(torch.device("cpu"))
    assert (torch.backends.cudnn.benchmark, torch.backends.cuda.matmul.allow_tf32) == before
    monkeypatch.setattr(torch.backends.cudnn, "benchmark", False)
    devices.enable_fast_kernels(torch.device("cuda"))
    assert torch.backends.cudnn.benchmark is True


# --- recipes --------------------------------------------------------------------------------------

def test_recipes_are_complete_and_checked():
    for name in RECIPES:
        assert get_recipe(name) == RECIPES[name] and isinstance(RECIPES[name], Recipe)
    assert get_recipe(RECIPES["ours"].but(lr=0.02)).lr == 0.02
    with pytest.raises(ValueError, match="unknown recipe"):
        get_recipe("adam")
    with pytest.raises(TypeError, match="Recipe"):
        get_recipe({"lr": 0.1})
    with pytest.raises(TypeError):
        get_recipe(0.1)


@pytest.mark.parametrize("changes, message", [
    ({"schedule": "cosin"}, "schedule must be one of"), ({"optimizer": "adam"}, "optimizer must be one of"),
    ({"lr": float("nan")}, "lr must be a finite number"), ({"lr": -0.1}, "lr > 0"),
    ({"warmup_epochs": 1.5}, "warmup_epochs must be a whole number"), ({"lrate": 0.1}, "has no field")])
def test_a_wrong_recipe_field_is_refused_by_name(changes, message):
    with pytest.raises(ValueError, match=message):
        RECIPES["ours"].but(**changes)


def test_kaiming_init_keeps_relu_variance():
    conv = nn.Conv2d(256, 384, 3)
    init_weights(conv, "kaiming")
    fan_in = 256 * 9
    assert conv.weight.std().item() == pytest.approx(math.sqrt(2 / fan_in), rel=0.02)
    assert conv.bias.abs().max() == 0
    with pytest.raises(ValueError, match="init must be"):
        init_weights(conv, "zeros")


def test_centring_leaves_no_relu_dead_on_the_batch():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.Conv2d(16, 16, 1), nn.ReLU(),
                        nn.Conv2d(16, 10, 1), nn.ReLU())
    X = torch.rand(32, 1, 8, 8)  # positive inputs: after a ReLU every layer's inputs are too
    init_weights(net, "kaiming")
    center_biases(net, X)
    outputs = []
    hooks = [m.register_forward_hook(lambda m, i, o: outputs.append(o))
             for m in net if isinstance(m, nn.Conv2d)]
    net(X)
    for h in hooks:
        h.remove()
    for out in outputs:
        assert out.mean(dim=(0, 2, 3)).abs().max() < 1e-5  # every channel centred ...
        assert (out > 0).flatten(1).any(0).view(out.shape[1:]).flatten(1).any(1).all()  # ... none dead


def test_equal_class_scores_start_every_class_alive_and_equal():
    net = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Conv2d(8, 10, 1), nn.ReLU(),
                        nn.AdaptiveAvgPool2d(1), nn.Flatten())
    equal_class_scores(net)
    scores = net(torch.randn(5, 1, 8, 8))
    assert torch.equal(scores, torch.ones(5, 10))


def test_schedule_warms_up_then_decays_to_zero():
    net = nn.Linear(2, 2)
    opt, sched = make_optimizer(net, RECIPES["ours"], steps_per_epoch=10, num_epochs=5)
    lrs = []
    for _ in range(50):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    peak = RECIPES["ours"].lr
    assert lrs[0] == pytest.approx(peak / 10) and lrs[9] == pytest.approx(peak)  # linear warm-up
    assert all(a >= b for a, b in zip(lrs[9:], lrs[10:]))  # then only down
    assert lrs[-1] < peak / 50
    opt, sched = make_optimizer(net, RECIPES["d2l"], steps_per_epoch=10, num_epochs=5)
    assert opt.param_groups[0]["lr"] == 0.1 and isinstance(opt, torch.optim.SGD)


# --- the loop ------------------------------------------------------------------------------------

def test_training_learns_and_reports():
    train_iter, test_iter = tiny_data()
    history = quiet_train(tiny_net(), train_iter, test_iter, 4, recipe="ours")
    frame = history.to_frame()
    assert list(frame.index) == [1, 2, 3, 4]
    assert frame["train_loss"].iloc[-1] < frame["train_loss"].iloc[0]
    assert (frame["examples"] == 96).all() and (frame["examples_per_sec"] > 0).all()
    assert history.examples_per_sec > 0
    assert "examples/sec on cpu" in history.summary()


def test_cpu_run_is_reproducible():
    runs = []
    for _ in range(2):
        train_iter, test_iter = tiny_data()
        net = tiny_net()
        history = quiet_train(net, train_iter, test_iter, 2, seed=7)
        runs.append(([r["train_loss"] for r in history.epochs], net.state_dict()))
    assert runs[0][0] == runs[1][0]
    assert all(torch.equal(runs[0][1][k], runs[1][1][k]) for k in runs[0][1])


def test_num_epochs_is_checked():
    train_iter, test_iter = tiny_data()
    with pytest.raises(ValueError, match="num_epochs"):
        quiet_train(tiny_net(), train_iter, test_iter, 0)


# --- checkpoints ----------------------------------------------------------------------------------

def test_resume_after_an_interrupt_finishes_the_same_run(tmp_path):
    ckpt = tmp_path / "run.pt"
    train_iter, test_iter = tiny_data()
    straight_net = tiny_net()
    straight = quiet_train(straight_net, train_iter, test_iter, 3, checkpoint=tmp_path / "straight.pt")

    net = tiny_net()
    with pytest.raises(KeyboardInterrupt):  # stopped halfway through epoch 2
        quiet_train(net, Interrupting(train_iter, epoch=1, after_batches=3), test_iter, 3, checkpoint=ckpt)
    saved = torch.load(ckpt, weights_only=True)
    assert len(saved["history"]["epochs"]) == 1  # epoch 1 was saved, the half epoch lost

    resumed_net = tiny_net()  # as after a kernel restart: a fresh network
    resumed = quiet_train(resumed_net, train_iter, test_iter, 3, checkpoint=ckpt)
    assert [r["epoch"] for r in resumed.epochs] == [1, 2, 3]
    assert [r["train_loss"] for r in resumed.epochs] == [r["train_loss"] for r in straight.epochs]
    for key, value in straight_net.state_dict().items():
        assert torch.equal(value, resumed_net.state_dict()[key]), key


def test_finished_checkpoint_does_not_train_again(tmp_path, capsys):
    ckpt = tmp_path / "run.pt"
    train_iter, test_iter = tiny_data()
    quiet_train(tiny_net(), train_iter, test_iter, 2, checkpoint=ckpt)
    net = tiny_net()
    history = quiet_train(net, train_iter, test_iter, 2, checkpoint=ckpt)
    assert len(history.epochs) == 2 and "2 of 2 epochs done" in capsys.readouterr().out


def test_checkpoint_of_another_run_is_refused(tmp_path):
    ckpt = tmp_path / "run.pt"
    train_iter, test_iter = tiny_data()
    quiet_train(tiny_net(), train_iter, test_iter, 1, checkpoint=ckpt)
    with pytest.raises(ValueError, match="belongs to another run"):
        quiet_train(tiny_net(), train_iter, test_iter, 1, recipe="d2l", checkpoint=ckpt)


def test_checkpoint_write_is_atomic(tmp_path, monkeypatch):
    ckpt = tmp_path / "run.pt"
    save_checkpoint(ckpt, {"epoch": 1})

    def crash(state, f):  # the kernel dies halfway through writing
        f.write(b"half a checkpoint")
        raise KeyboardInterrupt
    monkeypatch.setattr(checkpoints.torch, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(ckpt, {"epoch": 2})
    monkeypatch.undo()
    assert torch.load(ckpt, weights_only=True) == {"epoch": 1}


# --- evaluation ----------------------------------------------------------------------------------

def test_confusion_matrix_counts_pairs():
    labels = torch.tensor([0, 0, 1, 2, 2, 2])
    predicted = torch.tensor([0, 1, 1, 2, 0, 2])
    m = confusion_matrix(predicted, labels, 3)
    assert m.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert m.sum() == 6 and m.trace() == 4
    with pytest.raises(ValueError):
        confusion_matrix(predicted[:2], labels, 3)


def test_evaluate_and_predict_agree_and_refuse_empty_data():
    train_iter, test_iter = tiny_data()
    net = tiny_net()
    quiet_train(net, train_iter, test_iter, 2)
    probs, labels = predict(net, test_iter)
    assert probs.shape == (32, 10) and torch.allclose(probs.sum(1), torch.ones(32))
    assert evaluate(net, test_iter) == (probs.argmax(1) == labels).float().mean().item()
    for fn in (evaluate, predict):
        with pytest.raises(ValueError, match="no batches"):
            fn(net, [])


def test_confusion_matrix_refuses_out_of_range_classes():
    with pytest.raises(ValueError, match="class indices 0..2"):
        confusion_matrix(torch.tensor([0, 3]), torch.tensor([0, 1]), 3)
    with pytest.raises(ValueError, match="labels must be class indices"):
        confusion_matrix(torch.tensor([0, 1]), torch.tensor([-1, 1]), 3)


def test_train_refuses_equal_scores_for_a_fully_connected_head_before_touching_it():
    net = nn.Sequential(nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 10 * 10, 10))
    before = [p.clone() for p in net.parameters()]
    train_iter, test_iter = tiny_data()
    with pytest.raises(ValueError, match="equal_scores=False"):
        quiet_train(net, train_iter, test_iter, 1)
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))  # not re-initialised


def test_equal_class_scores_refuses_a_fully_connected_head_with_a_way_out():
    from nin_helpers.classic_models import nin_variant
    net = nin_variant(2, "fc", image_size=96)
    before = [p.clone() for p in net.parameters()]
    with pytest.raises(ValueError, match=r"ends in Linear.*equal_scores=False"):
        equal_class_scores(net)
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))  # nothing was changed
    with pytest.raises(ValueError, match="score must be > 0"):
        equal_class_scores(nn.Sequential(nn.Conv2d(1, 10, 1)), score=0.0)
