"""The exercise checkers accept the right answer and reject typical wrong ones with a hint that
points at the concept and never contains the answer.

The right answers are re-derived here from plain torch (counting tensors, running layers,
torch's FLOP counter), independently of the course formulas the checkers use.
"""
from functools import cache

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from exercise_asserts import CONTEXT_EXERCISES, COST_EXERCISES, TRAINING_EXERCISES
from nin_helpers.exercises import (
    EXERCISES,
    check,
    d2l,
    ex01,
    ex02,
    ex03,
    ex04,
    ex05,
    ex07,
    ex08,
    judge,
    list_exercises,
    question,
)
from nin_helpers.exercises.engine import Exercise, judge_answer
from nin_helpers.models import nin, nin_block

# Notebook 04's, 05's and 07's exercises (and d2l's on NiN's variants) have their own tests
# (test_exercises_training.py, test_exercises_costs.py, test_exercises_context.py).
ALL_EXERCISES = EXERCISES
ELSEWHERE = {ex.id for ex in [*COST_EXERCISES, *TRAINING_EXERCISES, *CONTEXT_EXERCISES]}
EXERCISES = {k: v for k, v in EXERCISES.items() if k not in ELSEWHERE}


def numel(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def shape(module: nn.Module, *input_shape: int) -> tuple[int, ...]:
    with torch.no_grad():
        return tuple(module.eval()(torch.zeros(*input_shape)).shape)


def macs(module: nn.Module, *input_shape: int) -> int:
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module.eval()(torch.zeros(*input_shape))
    return counter.get_total_flops() // 2  # torch counts 2 FLOPs per multiply-add


def first(n: int) -> nn.Sequential:
    """The first ``n`` top-level layers of NiN (``nin()[:n]`` cannot rebuild the NiN subclass)."""
    return nn.Sequential(*list(nin())[:n])


def accepts_only_size(side: int) -> bool:
    try:
        nin()(torch.zeros(1, 1, side, side))
        return True
    except (ValueError, RuntimeError):
        return False


# The right answer of each exercise, derived with plain torch.
INDEPENDENT = {
    "01.params_1x1": lambda: numel(nn.Conv2d(64, 32, 1)),
    "01.params_3x3": lambda: numel(nn.Conv2d(64, 32, 3)),
    "01.macs_1x1": lambda: macs(nn.Conv2d(64, 32, 1), 1, 64, 56, 56),
    "01.output_shape_1x1": lambda: shape(nn.Conv2d(64, 32, 1), 2, 64, 56, 56),
    "02.block1_params": lambda: numel(nin_block(1, 96, 11, 4)),
    "02.block1_shape": lambda: shape(nn.Conv2d(1, 96, 11, 4), 1, 1, 224, 224),
    "02.block2_params": lambda: numel(nin_block(96, 256, 5, 1, 2)),
    "02.block2_shape": lambda: shape(nn.Conv2d(96, 256, 5, 1, 2), 1, 96, 26, 26),
    "03.layer_shapes": lambda: [shape(first(i + 1), 1, 1, 224, 224) for i in range(10)],
    "03.gap_input_shape": lambda: shape(first(8), 1, 1, 224, 224),
    "03.smallest_input": lambda: next(s for s in range(1, 300) if accepts_only_size(s)),
    "03.total_params": lambda: 1_992_166,  # the figure d2l's chapter prints for its NiN
    "03.params_100_classes": lambda: numel(nin(num_classes=100)),
    "03.params_rgb": lambda: numel(nin(in_channels=3)),
    "d2l.macs": lambda: macs(nin(), 1, 1, 224, 224),
    "d2l.param_bytes": lambda: sum(p.numel() * p.element_size() for p in nin().parameters()),
    "d2l.adam_train_bytes": lambda: adam_bytes(),
    "d2l.conv_activations": lambda: conv_output_values(),
    "d2l.last_block_params": lambda: numel(nin(num_classes=10)[7]),
    "d2l.reduction_factor": lambda: shape(first(7), 1, 1, 224, 224)[1] / shape(first(8), 1, 1, 224, 224)[1],
}


def adam_bytes() -> int:
    """Weights + gradients + Adam's state, measured after one real Adam step."""
    net = nin()
    opt = torch.optim.Adam(net.parameters())
    net(torch.randn(1, 1, 96, 96)).sum().backward()
    opt.step()
    state = sum(t.numel() * t.element_size() for s in opt.state.values() for t in s.values() if t.dim() > 0)
    return sum(p.numel() * p.element_size() * 2 for p in net.parameters()) + state


def conv_output_values() -> int:
    sizes = []
    net = nin().eval()
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            m.register_forward_hook(lambda mod, inp, out: sizes.append(out.numel()))
    with torch.no_grad():
        net(torch.zeros(1, 1, 224, 224))
    return sum(sizes)


@cache
def right_answer(ex_id: str):
    """The independent answer, computed once per test session (some run NiN forward passes)."""
    return INDEPENDENT[ex_id]()


def test_every_exercise_has_an_independent_answer():
    assert set(INDEPENDENT) == set(EXERCISES)


@pytest.mark.parametrize("ex_id", sorted(EXERCISES))
def test_accepts_the_right_answer(ex_id):
    answer = right_answer(ex_id)
    assert judge(ex_id, answer) == (True, f"{ex_id}: correct!")


@pytest.mark.parametrize("ex_id", sorted(EXERCISES))
def test_rejects_each_known_mistake_with_its_hint(ex_id):
    ex = EXERCISES[ex_id]
    right = right_answer(ex_id)
    for wrong, hint in ex.mistakes:
        ok, message = judge(ex_id, wrong())
        assert not ok and hint in message, (wrong(), message)
        assert not gives_away(message, right), message


def gives_away(message: str, right) -> bool:
    if isinstance(right, (tuple, list)):
        return str(tuple(right)) in message or str(list(right)) in message
    return any(s in message for s in {str(right), f"{right:,}", f"{right:g}"})


# Typical wrong answers written out by hand, as a student would get them.
TYPICAL_WRONG = [
    ("01.params_1x1", 64 * 32, "bias"),                        # off by the bias
    ("01.params_1x1", 64 * 64 + 64, "input channels twice"),   # used c_in for c_out
    ("01.params_3x3", 64 * 32 + 32, "k squared"),              # forgot the factor k^2
    ("01.params_3x3", 3 * 64 * 32 + 32, "k squared"),          # k instead of k^2
    ("01.macs_1x1", 2 * 56 * 56 * 64 * 32, "FLOPs"),           # counted FLOPs
    ("01.macs_1x1", 64 * 32, "every one of the h x w pixels"),
    ("01.output_shape_1x1", (2, 64, 56, 56), "c_out"),
    ("01.output_shape_1x1", [32, 56, 56], "batch"),
    ("02.block1_params", 11 * 11 * 96 + 96, "three convolutions"),
    ("02.block1_shape", torch.Size([1, 96, 56, 56]), "k - 1"),
    ("02.block2_shape", (1, 256, 22, 22), "Padding"),
    ("03.gap_input_shape", (1, 10, 1, 1), "after the pooling"),
    ("03.smallest_input", 66, "empty input"),
    ("03.smallest_input", 68, "not the smallest"),
    ("03.smallest_input", 224, "224 is what d2l uses"),
    ("03.total_params", 1_992_166 - (96 + 96 * 2 + 256 * 3 + 384 * 3 + 10 * 3), "bias"),
    ("03.params_100_classes", 1_992_166, "changes"),
    ("03.params_rgb", 3 * 1_992_166, "first convolution"),
    ("d2l.macs", 2 * 762_297_352, "FLOPs"),
    ("d2l.param_bytes", 8 * 1_992_166, "float32"),
    ("d2l.adam_train_bytes", 4 * 1_992_166, "gradient"),
    ("d2l.reduction_factor", 10 / 384, "Upside down"),
]


@pytest.mark.parametrize("ex_id, wrong, hint_part", TYPICAL_WRONG)
def test_rejects_typical_wrong_answers(ex_id, wrong, hint_part):
    ok, message = judge(ex_id, wrong)
    assert not ok
    assert hint_part in message
    assert not gives_away(message, right_answer(ex_id))


@pytest.mark.parametrize("ex_id", sorted(EXERCISES))
def test_any_other_wrong_answer_gets_a_hint_without_the_answer(ex_id):
    right = right_answer(ex_id)
    if isinstance(right, list):
        wrong = [s[:1] + (s[1] + 1,) + s[2:] for s in right]
    elif isinstance(right, tuple):
        wrong = right[:-1] + (right[-1] + 1,)
    else:
        wrong = right * 1.5 + 7 if isinstance(right, float) else right + 7
    ok, message = judge(ex_id, wrong)
    assert not ok and "Hint:" in message and not gives_away(message, right), message


def test_shape_lists_name_the_first_wrong_layer():
    right = right_answer("03.layer_shapes")
    wrong = list(right)
    wrong[3] = (1, 256, 13, 13)
    message = judge("03.layer_shapes", wrong)[1]
    assert "number 3" in message and "height and width" in message
    assert "10 layers" in judge("03.layer_shapes", right[:4])[1]


def test_a_hint_that_would_give_the_answer_away_falls_back_to_the_concept():
    ex = Exercise("demo.leak", "2 + 2?", "int", lambda: 4, "Count both pairs.",
                  ((lambda: 5, "It is 4, not 5."),))
    assert judge_answer(ex, 5) == (False, "demo.leak: not yet. Hint: Count both pairs.")


def test_accepts_equivalent_forms():
    assert judge("01.params_1x1", 2080.0)[0]
    assert judge("01.params_1x1", torch.tensor(2080))[0]
    assert judge("01.output_shape_1x1", [2, 32, 56, 56])[0]
    assert judge("d2l.reduction_factor", 38.4001)[0]


def test_bad_input_gets_clear_errors(capsys):
    with pytest.raises(TypeError, match="remove the quotes"):
        judge("01.params_1x1", "2080")
    with pytest.raises(TypeError, match="whole number"):
        judge("01.params_1x1", 2080.5)
    with pytest.raises(TypeError, match="shape"):
        judge("01.output_shape_1x1", 2080)
    with pytest.raises(ValueError, match="did you mean 01.params_1x1"):
        judge("01.params_1×1", 2080)
    with pytest.raises(TypeError, match="string"):
        judge(1, 2080)
    with pytest.raises(ValueError, match="no exercise ID starts with"):
        list_exercises("99.")
    check("01.params_1x1", None)
    assert "no answer yet" in capsys.readouterr().out


def test_check_and_question_print(capsys):
    check("01.params_1x1", 2080)
    question("01.params_1x1")
    out = capsys.readouterr().out.splitlines()
    assert out == ["01.params_1x1: correct!",
                   "01.params_1x1: How many parameters does nn.Conv2d(64, 32, kernel_size=1) have?"]


def test_ids_are_uniform():
    import re
    for ex_id in ALL_EXERCISES:
        assert re.fullmatch(r"(0[1-9]|d2l)\.[a-z0-9_]+", ex_id), ex_id


def test_each_module_holds_its_notebooks_exercises_registered_in_order():
    modules = {"01.": ex01, "02.": ex02, "03.": ex03, "04.": ex04, "05.": ex05, "07.": ex07, "08.": ex08,
               "d2l.": d2l}
    assert list(ALL_EXERCISES) == [ex.id for module in modules.values() for ex in module.EXERCISES]
    for prefix, module in modules.items():
        assert module.EXERCISES and all(ex.id.startswith(prefix) for ex in module.EXERCISES), module.__name__
        assert all(ALL_EXERCISES[ex.id] is ex for ex in module.EXERCISES)


def test_every_exercise_is_asked_in_its_notebook_and_answered_in_the_solutions():
    """Each exercise's ID is in a code cell of the notebook it names (d2l's: any notebook), where the student
    answers it, and of a worked solution (which nbval runs, so the checker accepts that answer)."""
    import re
    from pathlib import Path

    import nbformat

    root = Path(__file__).resolve().parent.parent / "notebooks"
    code = lambda path: "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    notebooks = {path.name[:2]: code(path) for path in root.glob("[0-9][0-9]_*.ipynb")}
    solutions = "\n".join(code(path) for path in (root / "solutions").glob("*.ipynb"))
    for ex_id in ALL_EXERCISES:
        prefix = ex_id.split(".")[0]
        asked = "\n".join(notebooks.values()) if prefix == "d2l" else notebooks[prefix]
        called = re.compile(rf"[\"']{re.escape(ex_id)}[\"']")
        assert called.search(asked), f"{ex_id} is never asked in a code cell of notebook {prefix}"
        assert called.search(solutions), f"{ex_id} has no worked solution"
