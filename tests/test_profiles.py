"""Notebook 04's run profiles: chosen from NIN_PROFILE or the machine, with a warning and the expected time
when the full run is asked for without a GPU."""
from __future__ import annotations

import warnings

import pytest

from nin_helpers.profiles import CPU_EXAMPLES_PER_SEC_224, FULL_TRAIN_IMAGES, PROFILES, choose_profile, cpu_hours
from nin_helpers.recipes import RECIPES


def chosen(environ: dict, cuda: bool):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        profile = choose_profile(environ, cuda=cuda)
    return profile, [str(w.message) for w in caught]


def test_the_profiles_are_d2l_s_run_and_a_quick_cpu_run():
    full, quick = PROFILES["full"], PROFILES["quick"]
    assert (full.size, full.n_train, full.epochs, full.batch_size) == (224, None, 10, 128)  # d2l's chapter
    assert (quick.size, quick.n_train, quick.epochs, quick.batch_size, quick.lr) == (72, 3072, 30, 128, 0.03)
    assert (full.lr, full.warmup_epochs) == (0.01, 1)  # recipe "ours" as tuned at 96 px (RESULTS.md, section 3)
    assert quick.warmup_epochs == 5  # RESULTS.md, section 4


def test_a_profile_s_recipe_is_ours_with_its_peak_rate_and_warm_up():
    for profile in PROFILES.values():
        assert profile.recipe() == RECIPES["ours"].but(lr=profile.lr, warmup_epochs=profile.warmup_epochs)
    assert PROFILES["quick"].recipe() != RECIPES["ours"]  # and not the recipe table's own row


@pytest.mark.parametrize("environ, cuda, expected", [
    ({}, True, "full"), ({}, False, "quick"), ({"NIN_PROFILE": ""}, False, "quick"),
    ({"NIN_PROFILE": "quick"}, True, "quick"), ({"NIN_PROFILE": " Full "}, True, "full"),
])
def test_the_profile_follows_nin_profile_else_the_machine(environ, cuda, expected):
    profile, warned = chosen(environ, cuda)
    assert profile.name == expected and warned == []


def test_full_without_a_gpu_warns_with_the_expected_time():
    profile, warned = chosen({"NIN_PROFILE": "full"}, cuda=False)
    assert profile is PROFILES["full"] and len(warned) == 1
    hours = profile.epochs * FULL_TRAIN_IMAGES / CPU_EXAMPLES_PER_SEC_224 / 3600
    assert f"about {hours:.1f} hours on a CPU (an estimate from this course's measurement" in warned[0]
    assert "NIN_PROFILE=quick" in warned[0]
    assert cpu_hours(profile) == pytest.approx(hours) and 1 < hours < 5  # hours, not minutes


def test_an_unknown_profile_is_refused_with_the_choices():
    with pytest.raises(ValueError, match=r"NIN_PROFILE must be one of \['full', 'quick'\], got 'fast'"):
        choose_profile({"NIN_PROFILE": "fast"}, cuda=False)
