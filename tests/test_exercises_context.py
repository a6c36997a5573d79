"""Notebook 07's exercise checkers accept the right answer, reject typical wrong ones with a hint
that points at the concept, and never give the answer away.

The right answers are re-derived here from the textbook formulas alone (``tests/formulas.py``:
``k*k*c_in*c_out + c_out`` per convolution, ``n_in*n_out + n_out`` per Linear layer,
``floor((n + 2p - k) / s) + 1`` per side), over the architectures written out as plain lists from
the papers' tables. Nothing here builds a network or calls the course's helpers.
"""
import pytest

from exercise_asserts import (
    assert_accepts,
    assert_other_wrong_answers_get_the_concept,
    assert_rejects,
    assert_rejects_each_known_mistake,
)
from formulas import conv, fc, side
from nin_helpers.exercises import EXERCISES, check, judge, list_exercises
from nin_helpers.exercises.ex07 import BY_ID as CONTEXT
from nin_helpers.exercises.ex07 import EXERCISES as CONTEXT_EXERCISES

# The paper's CIFAR-10 NiN (Caffe train_val.prototxt): (k, c_in, c_out) of conv1, cccp1, ..., cccp6.
PAPER = [(5, 3, 192), (1, 192, 160), (1, 160, 96), (5, 96, 192), (1, 192, 192), (1, 192, 192),
         (3, 192, 192), (1, 192, 192), (1, 192, "classes")]


def paper_params(classes: int) -> int:
    return sum(conv(k, a, classes if b == "classes" else b) for k, a, b in PAPER)


def seed_params(classes: int) -> int:
    """DeepLearning-500-questions: 3x3 then 1x1 per block; channels 16, 64, then the classes."""
    return (conv(3, 3, 16) + conv(1, 16, 16) + conv(3, 16, 64) + conv(1, 64, 64)
            + conv(3, 64, classes) + conv(1, classes, classes))


def inception_3b(biases: bool = True) -> int:
    """GoogLeNet Table 1, (3b) on 256 channels: 1x1 128; 1x1 128 -> 3x3 192; 1x1 32 -> 5x5 96; pool -> 1x1 64."""
    layers = [(1, 256, 128), (1, 256, 128), (3, 128, 192), (1, 256, 32), (5, 32, 96), (1, 256, 64)]
    return sum(conv(*layer) - (0 if biases else layer[2]) for layer in layers)


S, D_S, C, D_C = (224 // 16) ** 2, 256, 512, 2048  # Mixer-S/16 (Tolstikhin et al., Table 1)

RIGHT = {
    "07.paper_params_cifar100": paper_params(100),
    "07.floor_mode_side": side(side(28, 3, 2), 3, 2),      # the convolutions keep the side
    "07.seed_params_cifar10": seed_params(10),
    "07.seed_side_stride2": side(side(side(32, 3, 2), 3, 2), 3, 2),
    "07.inception_3b_params": inception_3b(),
    "07.inception_5x5_macs": 28 * 28 * (1 * 1 * 192 * 16 + 5 * 5 * 16 * 32),
    "07.mixer_token_params": fc(S, D_S) + fc(D_S, S),
    "07.gap_head_resnet50": fc(2048, 1000),
}


def test_every_exercise_has_an_independent_answer_and_is_registered():
    assert set(RIGHT) == set(CONTEXT)
    assert all(EXERCISES[ex.id] is ex for ex in CONTEXT_EXERCISES)
    assert 6 <= len(CONTEXT_EXERCISES) <= 8


def test_the_formulas_here_match_the_figures_the_notebook_asserts():
    # The notebook asserts these counts; the lists above are sound if they reproduce them.
    assert paper_params(10) == 966_986
    assert seed_params(100) == 81_960
    assert inception_3b() == 388_736


@pytest.mark.parametrize("ex_id", sorted(CONTEXT))
def test_accepts_the_right_answer(ex_id):
    assert_accepts(ex_id, RIGHT[ex_id])


@pytest.mark.parametrize("ex_id", sorted(CONTEXT))
def test_rejects_each_known_mistake_with_its_hint(ex_id):
    assert_rejects_each_known_mistake(ex_id, RIGHT[ex_id])


# Typical wrong answers written out by hand, as a student would get them.
TYPICAL_WRONG = [
    ("07.paper_params_cifar100", paper_params(10), "changes"),
    ("07.paper_params_cifar100", paper_params(10) + 90 * 192, "bias"),
    ("07.paper_params_cifar100", conv(5, 3, 192) + conv(1, 192, 160) + conv(1, 160, 96) + conv(5, 96, 192)
     + 2 * conv(1, 192, 192) + conv(3, 192, 100) + 2 * conv(1, 100, 100), "d2l's scheme"),
    ("07.floor_mode_side", 7, "rounds up"),
    ("07.floor_mode_side", 1, "after the global average pooling"),
    ("07.seed_params_cifar10", 81_960, "CIFAR-100"),
    ("07.seed_params_cifar10", seed_params(100) - conv(3, 64, 100) + conv(3, 64, 10), "1 x 1 convolution"),
    ("07.seed_params_cifar10", 27 * 16 + 16 * 16 + 9 * 16 * 64 + 64 * 64 + 9 * 64 * 10 + 10 * 10, "bias"),
    ("07.seed_side_stride2", 26, "stride 1 only"),                 # n - k + 1 three times
    ("07.seed_side_stride2", 4, "Round down"),                     # rounded up
    ("07.seed_side_stride2", 2, "different number"),               # (n - k + 1) / s
    ("07.inception_3b_params", inception_3b(biases=False), "bias"),
    ("07.inception_3b_params", conv(1, 256, 128) + conv(3, 256, 192) + conv(5, 256, 96), "naive module"),
    ("07.inception_3b_params", inception_3b() - conv(1, 256, 64), "projection"),
    ("07.inception_3b_params", inception_3b() - conv(1, 256, 128) - conv(1, 256, 32), "reductions"),
    ("07.inception_5x5_macs", 2 * RIGHT["07.inception_5x5_macs"], "FLOPs"),
    ("07.inception_5x5_macs", 28 * 28 * 25 * 192 * 32, "naive module"),
    ("07.inception_5x5_macs", 28 * 28 * 25 * 16 * 32, "reduction in front"),
    ("07.inception_5x5_macs", 192 * 16 + 25 * 16 * 32, "every one of the 28 x 28 positions"),
    ("07.mixer_token_params", 2 * S * D_S, "bias"),
    ("07.mixer_token_params", fc(C, D_C) + fc(D_C, C), "channel-mixing"),
    ("07.mixer_token_params", fc(14, D_S) + fc(D_S, 14), "squared"),
    ("07.mixer_token_params", fc(S, D_S), "two Linear layers"),
    ("07.gap_head_resnet50", fc(2048 * 7 * 7, 1000), "one value per channel"),
    ("07.gap_head_resnet50", 2048 * 1000, "bias"),
    ("07.gap_head_resnet50", 513_000, "resnet18"),
]


@pytest.mark.parametrize("ex_id, wrong, hint_part", TYPICAL_WRONG)
def test_rejects_typical_wrong_answers(ex_id, wrong, hint_part):
    assert_rejects(ex_id, wrong, RIGHT[ex_id], hint_part)


@pytest.mark.parametrize("ex_id", sorted(CONTEXT))
def test_any_other_wrong_answer_gets_the_concept_without_the_answer(ex_id):
    assert_other_wrong_answers_get_the_concept(ex_id, RIGHT[ex_id])


def test_bad_input_and_listing(capsys):
    with pytest.raises(TypeError, match="remove the quotes"):
        judge("07.floor_mode_side", "6")
    with pytest.raises(TypeError, match="whole number"):
        judge("07.inception_5x5_macs", 12.4e6 + 0.5)
    with pytest.raises(ValueError, match="did you mean 07.floor_mode_side"):
        judge("07.floor_side", 6)
    check("07.gap_head_resnet50", None)
    list_exercises("07.")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "07.gap_head_resnet50: no answer yet. Replace None with a whole number, e.g. 1234."
    assert [line.split(":")[0] for line in out[1:]] == [ex.id for ex in CONTEXT_EXERCISES]
