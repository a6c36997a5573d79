"""Notebook 05's exercise checkers accept the right answer, reject typical wrong ones with a hint
that points at the concept, and never give the answer away.

The right answers are re-derived here from the textbook formulas alone: ``k*k*c_in*c_out + c_out``
per convolution, ``n_in*n_out + n_out`` per fully connected layer, and
``floor((n + 2p - k) / s) + 1`` for sizes, over architectures written out as plain lists. Nothing
here builds a network or calls the course's helpers, so a bug there cannot hide behind itself.
"""
import pytest
import torch

from exercise_asserts import (
    COST_EXERCISES,
    assert_accepts,
    assert_other_wrong_answers_get_the_concept,
    assert_rejects,
    assert_rejects_each_known_mistake,
)
from formulas import conv, fc, side
from nin_helpers.exercises import EXERCISES, check, ex05, judge, list_exercises, question

COST = {ex.id: ex for ex in COST_EXERCISES}  # notebook 05's exercises and d2l's on NiN's variants


def head(n_flat: int, widths=(4096, 4096, 10)) -> int:
    sizes = (n_flat, *widths)
    return sum(fc(a, b) for a, b in zip(sizes, sizes[1:]))


# d2l's NiN: (k, stride, padding, out_channels) per block; 1 x 1 convolutions keep out_channels.
NIN = [(11, 4, 0, 96), (5, 1, 2, 256), (3, 1, 1, 384), (3, 1, 1, 10)]


def nin_params(num_1x1: int = 2, blocks=NIN) -> int:
    total, c_in = 0, 1
    for k, _, _, c in blocks:
        total += conv(k, c_in, c) + num_1x1 * conv(1, c, c)
        c_in = c
    return total


def nin_fc_head(image: int) -> int:
    """NiN's first three blocks, each with its 3/2 max-pool, then flatten -> 4096 -> 4096 -> 10."""
    n = image
    for k, s, p, _ in NIN[:3]:
        n = side(side(n, k, s, p), 3, 2)
    return nin_params(2, NIN[:3]) + head(384 * n * n)


# d2l's VGG-11 for grey images: 3x3 convolutions (padding 1), a 2x2 max-pool after each block.
VGG11 = [[64], [128], [256, 256], [512, 512], [512, 512]]
# torchvision's VGG-16 ("D"), colour images; its adaptive pooling always leaves 7x7.
VGG16 = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]


def vgg_params(blocks, in_channels: int, image: int, num_classes: int) -> int:
    total, c_in, n = 0, in_channels, image
    for block in blocks:
        for c in block:
            total += conv(3, c_in, c)
            c_in = c
        n //= 2
    return total + head(c_in * n * n, (4096, 4096, num_classes))


VGG11_PARAMS = vgg_params(VGG11, 1, 224, 10)
VGG16_PARAMS = vgg_params(VGG16, 3, 224, 1000)


def alexnet_flat(image: int = 224) -> int:
    n = side(image, 11, 4, 1)
    n = side(n, 3, 2)                 # pool
    n = side(side(n, 5, 1, 2), 3, 2)  # conv 5x5, pool
    n = side(n, 3, 1, 1)              # three 3x3 convs keep the size...
    n = side(n, 3, 2)                 # ...then pool
    return 256 * n * n


def lenet_flat(image: int = 28) -> int:
    n = side(image, 5, 1, 2) // 2     # conv 5x5 padding 2, 2x2 average pool
    return 16 * (side(n, 5) // 2) ** 2


RIGHT = {
    "05.lenet_fc_params": head(lenet_flat(), (120, 84, 10)),
    "05.alexnet_fc1_params": fc(alexnet_flat(), 4096),
    "05.vgg_fc1_params": fc(512 * 7 * 7, 4096),
    "05.vgg16_weight_mb": VGG16_PARAMS * 4 / 1e6,
    "05.adam_step_bytes_vgg11": 4 * 4 * VGG11_PARAMS,
    "05.fc_head_params_at_96": nin_fc_head(96),
    "d2l.three_1x1_params": nin_params(3),
    "d2l.fc_head_params": nin_fc_head(224) - nin_params(2),
}


def test_every_exercise_has_an_independent_answer_and_is_registered():
    assert set(RIGHT) == set(COST)
    assert all(EXERCISES[ex.id] is ex for ex in COST_EXERCISES)
    assert 5 <= len(COST_EXERCISES) <= 8


def test_the_formulas_here_match_the_figures_the_notebook_quotes():
    # The notebook's own printed totals (torchvision VGG-16, d2l's NiN): the derivations above are sound.
    assert (VGG16_PARAMS, nin_params()) == (138_357_544, 1_992_166)


@pytest.mark.parametrize("ex_id", sorted(COST))
def test_accepts_the_right_answer(ex_id):
    assert_accepts(ex_id, RIGHT[ex_id])


@pytest.mark.parametrize("ex_id", sorted(COST))
def test_rejects_each_known_mistake_with_its_hint(ex_id):
    assert_rejects_each_known_mistake(ex_id, RIGHT[ex_id])


# Typical wrong answers written out by hand, as a student would get them.
N = 1_992_166  # nin()
TYPICAL_WRONG = [
    ("05.lenet_fc_params", 400 * 120 + 120 * 84 + 84 * 10, "bias"),
    ("05.lenet_fc_params", 400 * 120 + 120, "three fully connected layers"),
    ("05.lenet_fc_params", fc(400, 120) + fc(120, 84), "classifier"),
    ("05.lenet_fc_params", head(16 * 4 * 4, (120, 84, 10)), "pads its first convolution"),
    ("05.alexnet_fc1_params", 256 * 5 * 5 * 4096, "bias"),
    ("05.alexnet_fc1_params", fc(256 * 6 * 6, 4096), "torchvision's ImageNet AlexNet"),
    ("05.alexnet_fc1_params", fc(256, 4096), "channels x height x width"),
    ("05.vgg_fc1_params", 512 * 7 * 7 * 4096, "bias"),
    ("05.vgg_fc1_params", fc(7 * 7, 4096), "channels x height x width"),  # "used 7x7 instead of 512x7x7"
    ("05.vgg_fc1_params", 512 * 7 * 7 * 4096 + 512 * 7 * 7, "per output, not per input"),
    ("05.vgg_fc1_params", fc(512 * 14 * 14, 4096), "five times"),
    ("05.vgg16_weight_mb", 138_357_544 * 4 / 1024 ** 2, "MiB"),                  # MB vs MiB
    ("05.vgg16_weight_mb", 138_357_544 * 32 / 1e6, "megabits"),                  # bits vs bytes
    ("05.vgg16_weight_mb", 138.36, "4 bytes"),
    ("05.vgg16_weight_mb", 0.553, "GB"),
    ("05.vgg16_weight_mb", 515.2, "VGG-11"),
    ("05.adam_step_bytes_vgg11", 4 * VGG11_PARAMS, "gradient"),
    ("05.adam_step_bytes_vgg11", 12 * VGG11_PARAMS, "two moments"),
    ("05.adam_step_bytes_vgg11", 32 * VGG11_PARAMS, "float32"),
    ("05.adam_step_bytes_vgg11", 128 * VGG11_PARAMS, "bits"),
    ("05.fc_head_params_at_96", nin_fc_head(224), "224 x 224"),
    ("05.fc_head_params_at_96", N, "global average pooling"),
    ("05.fc_head_params_at_96", nin_params(2, NIN[:3]) + head(384 * 4 * 4), "max-pool too"),
    ("d2l.three_1x1_params", N, "two 1 x 1"),
    ("d2l.three_1x1_params", N + 96 ** 2 + 256 ** 2 + 384 ** 2 + 10 ** 2, "bias"),
    ("d2l.three_1x1_params", nin_params(1), "removes one"),
    ("d2l.fc_head_params", nin_fc_head(224), "total"),
    ("d2l.fc_head_params", head(384 * 5 * 5), "drops NiN's last block"),
]


@pytest.mark.parametrize("ex_id, wrong, hint_part", TYPICAL_WRONG)
def test_rejects_typical_wrong_answers(ex_id, wrong, hint_part):
    assert_rejects(ex_id, wrong, RIGHT[ex_id], hint_part)


@pytest.mark.parametrize("ex_id", sorted(COST))
def test_any_other_wrong_answer_gets_the_concept_without_the_answer(ex_id):
    assert_other_wrong_answers_get_the_concept(ex_id, RIGHT[ex_id])


def test_float_answers_get_a_tolerance_and_int_answers_none():
    mb = RIGHT["05.vgg16_weight_mb"]
    assert judge("05.vgg16_weight_mb", round(mb, 1))[0] and judge("05.vgg16_weight_mb", torch.tensor(mb))[0]
    assert not judge("05.vgg16_weight_mb", mb * 1.01)[0]
    assert not judge("05.vgg_fc1_params", RIGHT["05.vgg_fc1_params"] + 1)[0]


def test_bad_input_gets_clear_errors():
    with pytest.raises(TypeError, match="remove the quotes"):
        judge("05.vgg16_weight_mb", "553.4")
    with pytest.raises(TypeError, match="whole number"):
        judge("05.adam_step_bytes_vgg11", 2060.9)  # megabytes where bytes are asked
    with pytest.raises(ValueError, match="did you mean 05.vgg_fc1_params"):
        judge("05.vgg_fc_params", 1)
    with pytest.raises(ValueError, match="04., 05."):
        list_exercises("09.")


def test_check_question_and_list_print(capsys):
    check("05.vgg_fc1_params", None)
    question("d2l.fc_head_params")
    list_exercises("05.")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "05.vgg_fc1_params: no answer yet. Replace None with a whole number, e.g. 1234."
    assert out[1].startswith("d2l.fc_head_params: d2l 8.3 ex. 3:")
    assert [line.split(":")[0] for line in out[2:]] == [ex.id for ex in ex05.EXERCISES]
