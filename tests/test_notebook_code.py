"""The code each notebook writes (its ``#@save`` cells) and the helper package's version agree, and no
notebook repeats package code by hand.

Notebooks 01-03 teach deliberately simpler versions (no input checks) in ``#@save`` cells: each saved
name is compared with the package below, and ``COMPARED`` lists them so a new ``#@save`` name without a
comparison fails. Notebooks 04, 05 and 08 show the package's own code with ``show_source`` instead, so
their code exists once and nbval fails when it changes without a refresh of the notebook.
"""
import ast
import inspect

import nbformat
import pytest
import torch
from torch import nn

import nin_helpers
from notebook_code import NOTEBOOKS, saved_cells, saved_namespace

# Every name a #@save cell defines, per notebook, and the test below that compares it with the package.
COMPARED = {
    "01": {"corr2d_multi_in_out_1x1", "conv2d_output_size", "conv2d_params", "conv2d_macs", "linear_params"},
    "02": {"nin_block"},
    "03": {"nin"},
}


def defined_names(source: str) -> set[str]:
    """Functions, classes and assigned names a cell defines at its top level."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


ALL_NOTEBOOKS = sorted(NOTEBOOKS.rglob("*.ipynb"))


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_every_saved_name_has_a_comparison(path):
    saved = set().union(*map(defined_names, saved_cells(path))) if saved_cells(path) else set()
    compared = COMPARED.get(path.name[:2], set()) if path.parent == NOTEBOOKS else set()
    assert saved == compared, (
        f"{path.name}: #@save names {sorted(saved - compared)} have no agreement test in this module "
        f"(add one and list them in COMPARED), or {sorted(compared - saved)} are listed but no longer saved")


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_no_notebook_repeats_package_code(path):
    """A function or class a notebook defines must not be a copy of the package's: show it instead."""
    package = {name: obj for name, obj in vars(nin_helpers).items() if inspect.isfunction(obj) or inspect.isclass(obj)}
    nb = nbformat.read(path, as_version=4)
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        for node in ast.parse(cell.source).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in package:
                ours = ast.dump(node)
                theirs = ast.dump(ast.parse(inspect.getsource(package[node.name])).body[0])
                assert ours != theirs, f"{path.name} repeats nin_helpers.{node.name}: use show_source({node.name})"


def test_notebooks_04_05_and_08_show_the_package_code():
    for prefix in ("04", "05", "08"):
        path = next(NOTEBOOKS.glob(f"{prefix}_*.ipynb"))
        sources = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        assert any("show_source(" in s for s in sources) and not saved_cells(path), path.name


def same_layers(a: nn.Module, b: nn.Module) -> None:
    """Same leaf layers, in order, with the same hyper-parameters and parameter shapes."""
    leaves = lambda m: [x for x in m.modules() if not list(x.children())]
    la, lb = leaves(a), leaves(b)
    assert [type(x) for x in la] == [type(x) for x in lb]
    for x, y in zip(la, lb):
        assert x.extra_repr() == y.extra_repr()
        assert [p.shape for p in x.parameters()] == [p.shape for p in y.parameters()]


def same_function(a: nn.Module, b: nn.Module, shape) -> None:
    """Given the same weights, both compute the same output."""
    b.load_state_dict(a.state_dict())
    a.eval(), b.eval()
    x = torch.rand(*shape, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.equal(a(x), b(x))


def test_notebook01_arithmetic_agrees_with_helpers():
    nb = saved_namespace("01")
    X = torch.randn(5, 6, 7, generator=torch.Generator().manual_seed(1))
    K = torch.randn(4, 5, 1, 1, generator=torch.Generator().manual_seed(2))
    assert torch.equal(nb["corr2d_multi_in_out_1x1"](X, K), nin_helpers.corr2d_multi_in_out_1x1(X, K))
    for args in [(224, 11, 4, 0), (54, 3, 2, 0), (26, 5, 1, 2), (13, 3, 1, 1)]:
        assert nb["conv2d_output_size"](*args) == nin_helpers.conv2d_output_size(*args)
    for args in [(1, 96, 11), (96, 96, 1), (384, 10, 3)]:
        assert nb["conv2d_params"](*args) == nin_helpers.conv2d_params(*args)
        assert nb["conv2d_params"](*args, bias=False) == nin_helpers.conv2d_params(*args, bias=False)
        assert nb["conv2d_macs"](*args, (7, 9)) == nin_helpers.conv2d_macs(*args, (7, 9))
    for args in [(400, 120), (25088, 4096)]:
        assert nb["linear_params"](*args) == nin_helpers.linear_params(*args)


@pytest.mark.parametrize("args", [(1, 96, 11, 4, 0), (96, 256, 5, 1, 2), (384, 10, 3, 1, 1)])
def test_notebook02_nin_block_agrees_with_helper(args):
    nb = saved_namespace("02")
    torch.manual_seed(0)
    ours, theirs = nb["nin_block"](*args), nin_helpers.nin_block(*args)
    same_layers(ours, theirs)
    same_function(ours, theirs, (2, args[0], 32, 32))


@pytest.mark.parametrize("kwargs", [{}, {"in_channels": 3, "num_classes": 100}])
def test_notebook03_nin_agrees_with_helper(kwargs):
    nb = saved_namespace("03")
    ours, theirs = nb["nin"](**kwargs), nin_helpers.nin(**kwargs)
    same_layers(ours, theirs)
    same_function(ours, theirs, (2, kwargs.get("in_channels", 1), 96, 96))
