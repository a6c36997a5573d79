"""``tools.nbval_patience`` (used by ``make test``) really gives every notebook cell nbval collects the longer
wait for its outputs."""
import nbformat
import pytest

from tools.nbval_patience import OUTPUT_TIMEOUT_S


def test_every_collected_cell_gets_the_longer_output_timeout(tmp_path):
    path = tmp_path / "two_cells.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1"),
                                                   nbformat.v4.new_code_cell("2")]), path)
    seen = []

    class Grab:
        @pytest.hookimpl(trylast=True)  # after the plugin under test
        def pytest_collection_modifyitems(self, items):
            seen.extend(getattr(item, "output_timeout", None) for item in items)

    code = pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", "-p", "tools.nbval_patience",
                        "--nbval", "--nbval-current-env", str(path)], plugins=[Grab()])
    assert code == 0
    assert seen == [OUTPUT_TIMEOUT_S, OUTPUT_TIMEOUT_S] and OUTPUT_TIMEOUT_S > 5  # nbval's own is 5
