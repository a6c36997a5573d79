"""What every exercise checker must do, asserted once for the checker tests of notebooks 04 and 05:
accept the right answer, reject a wrong one with the hint meant for it, never give the answer away.
Also which test file derives which exercises' right answers, so that together they cover them all.

>>> gives_away("check the biases: 2,080 in all", 2080), gives_away("Count the biases too.", 2080)
(True, False)
"""
from nin_helpers.exercises import EXERCISES, d2l, ex04, ex05, ex07, ex08, judge

# test_exercises_training.py derives notebook 04's and 08's answers from definitions, test_exercises_costs.py
# notebook 05's and those of the d2l exercises on NiN's variants from textbook formulas;
# test_exercises.py derives all others (01-03 and the rest of d2l's) with plain torch.
D2L_VARIANTS = ("d2l.three_1x1_params", "d2l.fc_head_params")
TRAINING_EXERCISES = [*ex04.EXERCISES, *ex08.EXERCISES]  # notebooks 04 and 08: training
CONTEXT_EXERCISES = ex07.EXERCISES  # test_exercises_context.py, from the papers' tables
COST_EXERCISES = [*ex05.EXERCISES, *(ex for ex in d2l.EXERCISES if ex.id in D2L_VARIANTS)]


def gives_away(message: str, right) -> bool:
    """Whether ``message`` contains ``right`` as a student would read it (``0.00`` and the like say nothing)."""
    if isinstance(right, int):
        forms = {str(right), f"{right:,}"}
    else:
        forms = {f"{right:g}"} | {f"{right:.{d}f}" for d in (1, 2, 4)}
    return any(f in message for f in forms if f.strip("0."))


def assert_accepts(ex_id: str, right) -> None:
    assert judge(ex_id, right) == (True, f"{ex_id}: correct!")


def assert_rejects(ex_id: str, wrong, right, hint_part: str) -> None:
    ok, message = judge(ex_id, wrong)
    assert not ok and hint_part in message, (wrong, message)
    assert not gives_away(message, right), message


def assert_rejects_each_known_mistake(ex_id: str, right) -> None:
    for wrong, hint in EXERCISES[ex_id].mistakes:
        assert_rejects(ex_id, wrong(), right, hint)


def assert_other_wrong_answers_get_the_concept(ex_id: str, right) -> None:
    wrong = right * 1.5 + 7 if isinstance(right, float) else right + 7
    assert_rejects(ex_id, wrong, right, EXERCISES[ex_id].concept)
    assert judge(ex_id, wrong)[1].endswith(EXERCISES[ex_id].concept)
