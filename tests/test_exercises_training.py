"""Notebook 04's and 08's exercise checkers accept the right answer, reject typical wrong ones with a hint
that points at the concept, and never give the answer away.

The right answers are re-derived here from the definitions alone (ceil for batches, the warm-up
and cosine formulas, the geometric series, -ln(1/10), bytes = count x itemsize), with the
questions' figures written out, so a bug in the course's loader or scheduler cannot hide behind itself.
"""
import math

import pytest
import torch

from exercise_asserts import (
    TRAINING_EXERCISES,
    assert_accepts,
    assert_other_wrong_answers_get_the_concept,
    assert_rejects,
    assert_rejects_each_known_mistake,
)
from nin_helpers.exercises import EXERCISES, check, judge, question
from nin_helpers.profiles import PROFILES
from nin_helpers.recipes import RECIPES

TRAINING = {ex.id: ex for ex in TRAINING_EXERCISES}  # notebook 04's and 08's exercises


def lr(step: int, peak: float = 0.03, per_epoch: int = 24, epochs: int = 30, warmup_epochs: int = 5) -> float:
    """Recipe 'ours' on the quick profile (3,072 images, batch 128, 30 epochs, peak 0.03, 5 warm-up epochs):
    linear warm-up over 5 epochs, then a cosine to 0 over the rest."""
    warmup = warmup_epochs * per_epoch
    if step < warmup:
        return peak * (step + 1) / warmup
    t = (step - warmup) / (per_epoch * epochs - warmup)
    return peak * 0.5 * (1 + math.cos(math.pi * t))


RIGHT = {
    "04.steps_per_epoch": math.ceil(60_000 / 128),
    "04.warmup_lr": lr(5),
    "04.cosine_lr": lr(270),  # a quarter of the way down: 120 + 600 / 4
    "04.momentum_gain": 1 / (1 - 0.9),
    "04.uniform_loss": -math.log(1 / 10),
    "08.dataset_bytes": 60_000 * 28 * 28 * 1,
    "08.batch_bytes": 128 * 1 * 224 * 224 * 4,
    "08.cpu_hours": 10 * 60_000 / 25 / 3600,
}


def test_every_exercise_has_an_independent_answer_and_is_registered():
    assert set(RIGHT) == set(TRAINING)
    assert all(EXERCISES[ex.id] is ex for ex in TRAINING_EXERCISES)


def test_the_questions_match_the_recipe_they_ask_about():
    # The formulas above assume recipe 'ours' as the notebook describes it; fail loudly if it changes.
    ours, quick = RECIPES["ours"], PROFILES["quick"]
    assert (ours.momentum, ours.schedule) == (0.9, "cosine") and quick.recipe().warmup_epochs == 5
    assert (quick.lr, quick.n_train, quick.batch_size, quick.epochs) == (0.03, 3072, 128, 30)


@pytest.mark.parametrize("ex_id", sorted(TRAINING))
def test_accepts_the_right_answer(ex_id):
    assert_accepts(ex_id, RIGHT[ex_id])


@pytest.mark.parametrize("ex_id", sorted(TRAINING))
def test_rejects_each_known_mistake_with_its_hint(ex_id):
    assert_rejects_each_known_mistake(ex_id, RIGHT[ex_id])


# Typical wrong answers written out by hand, as a student would get them.
TYPICAL_WRONG = [
    ("04.steps_per_epoch", 468, "smaller batch"),                     # 60,000 // 128: dropped the rest
    ("04.steps_per_epoch", 60_000, "whole batch"),
    ("04.warmup_lr", 0.03 * 5 / 120, "Off by one"),
    ("04.warmup_lr", 0.03, "still in the warm-up"),
    ("04.warmup_lr", 0.03 * 6 / 24, "not one"),                       # a one-epoch warm-up, as in the study
    ("04.cosine_lr", 0.03 * 0.75, "not a straight line"),             # linear decay, a quarter of the way
    ("04.cosine_lr", lr(270, warmup_epochs=1), "not one"),
    ("04.cosine_lr", 0.03, "past its peak"),
    ("04.momentum_gain", 0.9, "coefficient itself"),
    ("04.momentum_gain", 9.0, "current gradient too"),
    ("04.momentum_gain", 1.9, "last two"),
    ("04.uniform_loss", 0.1, "minus its logarithm"),
    ("04.uniform_loss", 1.0, "base 10"),
    ("04.uniform_loss", 3.3219, "base 2"),
    ("04.uniform_loss", 0, "not a perfect prediction"),
    ("08.dataset_bytes", 60_000 * 28 * 28 * 4, "uint8"),
    ("08.dataset_bytes", 60_000 * 224 * 224, "own size"),
    ("08.dataset_bytes", 70_000 * 28 * 28, "test"),
    ("08.batch_bytes", 128 * 224 * 224, "float32"),
    ("08.batch_bytes", 128 * 3 * 224 * 224 * 4, "grey"),
    ("08.batch_bytes", 128 * 28 * 28 * 4, "resized"),
    ("08.cpu_hours", 400, "minutes"),
    ("08.cpu_hours", 0.667, "one epoch"),
]


@pytest.mark.parametrize("ex_id, wrong, hint_part", TYPICAL_WRONG)
def test_rejects_typical_wrong_answers(ex_id, wrong, hint_part):
    assert_rejects(ex_id, wrong, RIGHT[ex_id], hint_part)


@pytest.mark.parametrize("ex_id", sorted(TRAINING))
def test_any_other_wrong_answer_gets_the_concept_without_the_answer(ex_id):
    assert_other_wrong_answers_get_the_concept(ex_id, RIGHT[ex_id])


def test_float_answers_get_a_tolerance():
    assert judge("04.uniform_loss", 2.303)[0] and judge("04.uniform_loss", torch.tensor(2.3026))[0]
    assert not judge("04.uniform_loss", 2.35)[0]
    assert judge("08.cpu_hours", 6.67)[0] and not judge("08.cpu_hours", 7.0)[0]


def test_bad_input_gets_clear_errors():
    with pytest.raises(TypeError, match="remove the quotes"):
        judge("04.uniform_loss", "2.3")
    with pytest.raises(TypeError, match="whole number"):
        judge("04.steps_per_epoch", 468.75)
    with pytest.raises(ValueError, match="did you mean 04.cosine_lr"):
        judge("04.cosine", 0.1)


def test_check_and_question_print(capsys):
    check("04.momentum_gain", None)
    question("04.cosine_lr")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "04.momentum_gain: no answer yet. Replace None with a number, e.g. 12.5."
    assert out[1].startswith("04.cosine_lr: Same run as 04.warmup_lr")
