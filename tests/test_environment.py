"""The pins in requirements.txt, requirements-nodeps.txt and environment.yml must say the same thing."""
import re

import yaml

from nin_helpers.paths import REPO_ROOT

ROOT = REPO_ROOT


def pins(lines) -> dict[str, str]:
    out = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.+\-]+)", line)
        assert m, f"not an exact pin: {line!r} (pin every package with ==)"
        out[m.group(1).lower()] = m.group(2)
    return out


def environment_yml() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def test_every_requirement_is_pinned_and_environment_yml_agrees():
    requirements = pins((ROOT / "requirements.txt").read_text().splitlines())
    pip_section = next(d["pip"] for d in environment_yml()["dependencies"] if isinstance(d, dict))
    assert pins(pip_section) == requirements


def test_the_course_packages_are_there():
    requirements = pins((ROOT / "requirements.txt").read_text().splitlines())
    for package in ["torch", "torchvision", "matplotlib", "jupyterlab", "nbval"]:
        assert package in requirements, f"{package} missing from requirements.txt"
    assert requirements["torch"] == "2.14.1" and requirements["torchvision"] == "0.29.1"


def test_d2l_pin_is_the_same_in_both_install_paths():
    nodeps = pins((ROOT / "requirements-nodeps.txt").read_text().splitlines())
    assert nodeps == {"d2l": "1.0.3"}
    # environment.yml cannot say --no-deps, so it tells conda users the command; it must name the same pin.
    assert re.findall(r"d2l==([0-9.]+)", (ROOT / "environment.yml").read_text()) == ["1.0.3"]


def test_environment_yml_python_range_covers_311_to_313():
    python = next(d for d in environment_yml()["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python == "python>=3.11,<3.14"


def test_website_pins_are_exact_and_agree_with_the_course_pins():
    """requirements-book.txt (make book) pins every line, and nothing the course already pins differently."""
    book = pins((ROOT / "requirements-book.txt").read_text().splitlines())
    course = pins((ROOT / "requirements.txt").read_text().splitlines())
    assert {"sphinx", "myst-nb", "sphinx-book-theme"} <= set(book)
    assert {name: v for name, v in book.items() if course.get(name, v) != v} == {}
