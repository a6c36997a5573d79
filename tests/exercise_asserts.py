"""What every exercise checker must do, asserted once for the checker tests of notebooks 04 and 05:
accept the right answer, reject a wrong one with the hint meant for it, never give the answer away.

>>> gives_away("check the biases: 2,080 in all", 2080), gives_away("Count the biases too.", 2080)
(True, False)
"""
from nin_helpers.exercises import EXERCISES, judge


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
