"""Work is never lost and a checkpoint knows its run: faults during training (a full disk, an unwritable
folder, a loss that is no longer a number, a second train on a trained network) and resumes that differ
from the run that wrote the checkpoint, or files that are not checkpoints at all."""
from __future__ import annotations

import errno
import re
import shutil
from pathlib import Path

import pytest
import torch

from nin_helpers import checkpoints, training
from nin_helpers.checkpoints import FORMAT
from nin_helpers.data import DeviceLoader
from nin_helpers.recipes import RECIPES
from tiny_runs import Interrupting, Wrapped, quiet_train, same_weights, tiny_data, tiny_net, weights

DISK_FULL = OSError(errno.ENOSPC, "No space left on device")


def saved_epochs(path: Path) -> int:
    return len(torch.load(path, weights_only=True)["history"]["epochs"])


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp") or "write-test" in p.name)


@pytest.fixture
def no_training(monkeypatch):
    """Fail the test if an epoch starts: the fault must be found before any work is done."""
    def must_not_run(*args, **kwargs):
        raise AssertionError("an epoch was trained before the problem was reported")
    monkeypatch.setattr(training, "train_epoch", must_not_run)


# --- a checkpoint folder that cannot hold the checkpoints: refused before the first epoch -----------------

def test_a_path_under_a_regular_file_is_refused_before_training(tmp_path, no_training):
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    net = tiny_net()
    with pytest.raises(OSError, match=r"notes.txt is a file, not a folder; training has not started"):
        quiet_train(net, *tiny_data(), 2, checkpoint=tmp_path / "notes.txt" / "run.pt")


def test_an_unwritable_folder_is_refused_before_training(tmp_path, monkeypatch, no_training):
    # We run as root, so chmod would not stop the write: refuse it where checkpoints tries it.
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")
    monkeypatch.setattr(checkpoints.tempfile, "NamedTemporaryFile", denied)
    with pytest.raises(OSError, match=r"cannot write checkpoints to .*Permission denied.*training has not started"):
        quiet_train(tiny_net(), *tiny_data(), 2, checkpoint=tmp_path / "ck" / "run.pt")


def test_a_disk_without_room_for_one_checkpoint_is_refused_before_training(tmp_path, monkeypatch, no_training):
    net = tiny_net()
    size = checkpoints.checkpoint_bytes(net, optimizer_slots=1)
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(checkpoints.shutil, "disk_usage", lambda folder: usage._replace(free=size // 2))
    with pytest.raises(OSError, match=r"not enough free space .* training has not started"):
        quiet_train(net, *tiny_data(), 2, checkpoint=tmp_path / "run.pt")


def test_the_size_estimate_covers_a_real_checkpoint(tmp_path):
    net = tiny_net()
    quiet_train(net, *tiny_data(), 1, checkpoint=tmp_path / "run.pt")  # recipe "ours": SGD with momentum
    assert (tmp_path / "run.pt").stat().st_size <= checkpoints.checkpoint_bytes(net, optimizer_slots=1)


# --- a save that fails mid-run: warn, clean up, keep the last good checkpoint, return the work ---------------

@pytest.mark.parametrize("fault", [DISK_FULL, RuntimeError("[enforce fail at inline_container.cc:672] unexpected pos")])
def test_a_failed_save_warns_and_returns_the_trained_network(tmp_path, monkeypatch, fault):
    ckpt = tmp_path / "run.pt"
    real_save, calls = torch.save, []

    def fills_the_disk(state, f):  # epoch 1 saves; from epoch 2 on the disk is full halfway through
        calls.append(1)
        if len(calls) == 1:
            return real_save(state, f)
        f.write(b"x" * 1000)
        raise fault
    monkeypatch.setattr(checkpoints.torch, "save", fills_the_disk)
    net = tiny_net()
    with pytest.warns(RuntimeWarning, match=r"could not save the checkpoint .* after epoch 2 .*training goes on"):
        history = quiet_train(net, *tiny_data(), 3, checkpoint=ckpt)
    monkeypatch.undo()
    assert [r["epoch"] for r in history.epochs] == [1, 2, 3]  # every epoch trained and returned
    assert len(calls) == 2  # no retry every epoch after a failure
    assert saved_epochs(ckpt) == 1 and leftovers(tmp_path) == []  # the last good one, no .tmp left

    straight = tiny_net()
    quiet_train(straight, *tiny_data(), 3)
    assert same_weights(net, straight)  # the network that came back is the fully trained one


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    def full(state, f):
        f.write(b"x" * 1000)
        raise DISK_FULL
    monkeypatch.setattr(checkpoints.torch, "save", full)
    with pytest.raises(OSError):
        checkpoints.save_checkpoint(tmp_path / "run.pt", {"epoch": 1})
    assert list(tmp_path.iterdir()) == []


# --- a loss that is no longer a number ----------------------------------------------------------------------

class NaNFrom(Wrapped):
    """From epoch ``at`` on, the wrapped loader's images are NaN, as after a blow-up."""

    def __iter__(self):
        for X, y in self.loader:
            yield (X * float("nan") if self.epoch >= self.at else X), y


def test_a_nan_loss_stops_the_run_and_keeps_the_last_good_checkpoint(tmp_path):
    ckpt = tmp_path / "run.pt"
    train_iter, test_iter = tiny_data()
    with pytest.raises(FloatingPointError, match=r"stopped in epoch 2: the training loss became nan.*learning rate "
                                                 r"lr=0.01 is too high.*still holds epoch 1") as error:
        quiet_train(tiny_net(), NaNFrom(train_iter, epoch=1), test_iter, 3, checkpoint=ckpt)
    assert [r["epoch"] for r in error.value.history.epochs] == [1]
    state = torch.load(ckpt, weights_only=True)
    assert len(state["history"]["epochs"]) == 1
    assert all(torch.isfinite(t).all() for t in state["model"].values())  # not overwritten with NaN


def test_a_diverging_loss_stops_before_its_checkpoint_is_written(tmp_path):
    ckpt = tmp_path / "run.pt"
    with pytest.raises(FloatingPointError, match=r"stopped in epoch 1: .*diverged.*lr=1e\+06 is too high"):
        quiet_train(tiny_net(), *tiny_data(), 2, recipe=RECIPES["d2l"].but(lr=1e6), checkpoint=ckpt)
    assert not ckpt.exists()


# --- train on a network it trained before ------------------------------------------------------------------

def test_training_a_trained_network_again_needs_restart(tmp_path):
    train_iter, test_iter = tiny_data()
    net = tiny_net()
    quiet_train(net, train_iter, test_iter, 1)
    trained = weights(net)
    with pytest.raises(ValueError, match=r"trained already.*restart=True.*nin\(\)"):
        quiet_train(net, train_iter, test_iter, 1)
    assert all(torch.equal(trained[k], v) for k, v in net.state_dict().items())  # untouched
    quiet_train(net, train_iter, test_iter, 1, restart=True)
    # Re-initialised, so the same run again gives the same weights; training on from them would not.
    assert all(torch.equal(trained[k], v) for k, v in net.state_dict().items())


def test_a_network_may_resume_its_own_checkpoint(tmp_path):
    ckpt = tmp_path / "run.pt"
    train_iter, test_iter = tiny_data()
    net = tiny_net()
    with pytest.raises(KeyboardInterrupt):
        quiet_train(net, Interrupting(train_iter, epoch=1, after_batches=2), test_iter, 3, checkpoint=ckpt)
    history = quiet_train(net, train_iter, test_iter, 3, checkpoint=ckpt)  # the same network object
    assert [r["epoch"] for r in history.epochs] == [1, 2, 3]
    with pytest.raises(ValueError, match="trained already"):  # but not another run's
        quiet_train(net, train_iter, test_iter, 3, checkpoint=tmp_path / "other.pt")


def test_a_first_epoch_interrupted_leaves_the_network_free_to_train():
    train_iter, test_iter = tiny_data()
    net = tiny_net()
    with pytest.raises(KeyboardInterrupt):
        quiet_train(net, Interrupting(train_iter, epoch=0, after_batches=2), test_iter, 2)
    assert len(quiet_train(net, train_iter, test_iter, 2).epochs) == 2  # nothing finished, nothing to lose


# --- a checkpoint knows its run ------------------------------------------------------------------------------

def other_loader(**changes) -> DeviceLoader:
    base, _ = tiny_data()
    args = dict(images=base.images, labels=base.labels, batch_size=base.batch_size, size=base.size, shuffle=True,
                mean=base.mean, std=base.std, seed=base.seed)
    return DeviceLoader(**{**args, **changes})


CHANGES = {  # name: (what the resume changes, the field the refusal must name, its value then, now)
    "batch size": (dict(train_iter=lambda: other_loader(batch_size=8)), "batch size", "16", "8"),
    "images": (dict(train_iter=lambda: tiny_data(n=80)[0]), "number of training images", "96", "80"),
    "image size": (dict(train_iter=lambda: other_loader(size=14)), "image size", "12", "14"),
    "normalisation": (dict(train_iter=lambda: other_loader(mean=0.5, std=0.25)), "normalisation", "[0.0, 1.0]",
                      "[0.5, 0.25]"),
    "data": (dict(train_iter=lambda: other_loader(labels=(tiny_data()[0].labels + 1) % 10)), "data fingerprint",
             "'", "'"),
    "dropout": (dict(net=lambda: tiny_net(dropout=0.5)), "dropout", "[0.3]", "[0.5]"),
    "model": (dict(net=lambda: tiny_net(width=16)), "shape of 0.weight", "[8, 1, 3, 3]", "[16, 1, 3, 3]"),
    "recipe": (dict(recipe=RECIPES["ours"].but(lr=0.02)), "recipe lr", "0.01", "0.02"),
    "epochs": (dict(num_epochs=3), "num_epochs", "2", "3"),
    "seed": (dict(seed=1), "seed", "0", "1"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
@pytest.mark.parametrize("finished", [True, False], ids=["finished", "interrupted"])
def test_a_resume_that_differs_is_refused_by_name_before_the_network_is_touched(tmp_path, change, finished):
    ckpt = tmp_path / "run.pt"
    train_iter, test_iter = tiny_data()
    loader = train_iter if finished else Interrupting(train_iter, epoch=1, after_batches=2)
    try:
        quiet_train(tiny_net(), loader, test_iter, 2, checkpoint=ckpt)
    except KeyboardInterrupt:
        pass
    assert saved_epochs(ckpt) == (2 if finished else 1)
    changes, field, then, now = CHANGES[change]
    args = dict(net=tiny_net, train_iter=lambda: train_iter, num_epochs=2, recipe="ours", seed=0)
    args.update(changes)
    net = args["net"]()
    before = weights(net)
    refusal = rf"belongs to another run: its {re.escape(field)} is {re.escape(then)}.*this run's is {re.escape(now)}"
    with pytest.raises(ValueError, match=refusal):
        quiet_train(net, args["train_iter"](), test_iter, args["num_epochs"], recipe=args["recipe"],
                    seed=args["seed"], checkpoint=ckpt)
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())  # nothing re-initialised
    assert saved_epochs(ckpt) == (2 if finished else 1)  # and the checkpoint kept


def test_the_same_run_still_resumes_bit_identically(tmp_path):
    train_iter, test_iter = tiny_data()
    straight = tiny_net()
    quiet_train(straight, train_iter, test_iter, 3)
    with pytest.raises(KeyboardInterrupt):
        quiet_train(tiny_net(), Interrupting(train_iter, epoch=2, after_batches=1), test_iter, 3,
                    checkpoint=tmp_path / "run.pt")
    resumed = tiny_net()
    quiet_train(resumed, train_iter, test_iter, 3, checkpoint=tmp_path / "run.pt")
    assert same_weights(straight, resumed)


# --- files that are not checkpoints of this course -----------------------------------------------------------

def write_truncated(path: Path) -> None:
    quiet_train(tiny_net(), *tiny_data(), 1, checkpoint=path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def write_old_format(path: Path) -> None:  # what the course's checkpoints held before they knew their run
    torch.save({"run": {"recipe": {}, "num_epochs": 1, "seed": 0}, "history": {}, "model": {}, "optimizer": {},
                "scheduler": {}, "rng": torch.get_rng_state(), "cuda_rng": []}, path)


BAD_FILES = {
    "empty": lambda p: p.write_bytes(b""),
    "garbage": lambda p: p.write_bytes(b"hello world, not a checkpoint" * 10),
    "truncated": write_truncated,
    "a foreign dict": lambda p: torch.save({"weights": torch.zeros(3)}, p),
    "a tensor": lambda p: torch.save(torch.zeros(3), p),
    "an older format": write_old_format,
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_a_file_that_is_not_a_checkpoint_gets_one_clear_message(tmp_path, kind):
    ckpt = tmp_path / "run.pt"
    BAD_FILES[kind](ckpt)
    net = tiny_net()
    before = weights(net)
    with pytest.raises(ValueError, match=rf"checkpoint {ckpt} is corrupt or from another run \(.*\): delete it or "
                                         r"choose another path"):
        quiet_train(net, *tiny_data(), 1, checkpoint=ckpt)
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())


def test_checkpoint_paths_are_checked_expanded_and_printed_absolute(tmp_path, monkeypatch, capsys):
    with pytest.raises(ValueError, match=r"checkpoint must be a file path, but .* is a folder"):
        quiet_train(tiny_net(), *tiny_data(), 1, checkpoint=tmp_path)
    with pytest.raises(TypeError, match=r"checkpoint must be a file path \(str or pathlib.Path\)"):
        quiet_train(tiny_net(), *tiny_data(), 1, checkpoint=3)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    quiet_train(tiny_net(), *tiny_data(), 1, checkpoint="~/ck/run.pt")
    assert (tmp_path / "home" / "ck" / "run.pt").is_file()
    assert f"saving a checkpoint after every epoch to {tmp_path}/home/ck/run.pt" in capsys.readouterr().out
    monkeypatch.chdir(tmp_path)
    quiet_train(tiny_net(), *tiny_data(), 1, checkpoint="relative/run.pt")
    quiet_train(tiny_net(), *tiny_data(), 1, checkpoint="relative/run.pt")
    assert f"resumed from {tmp_path}/relative/run.pt: 1 of 1 epochs done" in capsys.readouterr().out


def test_a_checkpoint_records_its_format_and_run(tmp_path):
    quiet_train(tiny_net(), *tiny_data(), 1, checkpoint=tmp_path / "run.pt")
    state = torch.load(tmp_path / "run.pt", weights_only=True)
    assert state["format"] == FORMAT
    run = state["run"]
    assert run["model"] == "Sequential" and run["dropout"] == [0.3] and run["batch size"] == 16
    assert run["number of training images"] == 96 and run["image size"] == 12 and run["steps per epoch"] == 6
