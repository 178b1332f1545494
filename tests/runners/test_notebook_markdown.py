"""Executed notebook -> self-contained Markdown (images as data URIs, DataFrames as tables)."""

from __future__ import annotations

import base64
import re

import pytest

from derivaml_jupyter.runners.notebook_markdown import (
    dataframe_html_to_markdown,
    notebook_to_markdown,
)

pd = pytest.importorskip("pandas")


def test_dataframe_html_becomes_pipe_table_with_index_name_and_escaping():
    df = pd.DataFrame({"a": [1, 2], "b|c": ["x|y", "z"]},
                      index=pd.Index(["r1", "r2"], name="idx"))
    md = dataframe_html_to_markdown(df._repr_html_())
    lines = md.splitlines()
    assert lines[0].split() == ["|", "idx", "|", "a", "|", "b\\|c", "|"]
    assert set(lines[1].replace("|", "").replace(" ", "")) == {"-"}
    assert "| r1  | 1   | x\\|y |" in lines


def test_multiindex_columns_and_rows_are_flattened():
    df = pd.DataFrame({("A", "x"): [1, 2], ("A", "y"): [3, 4], ("B", "z"): [5, 6]},
                      index=pd.MultiIndex.from_tuples([("k", 1), ("k", 2)], names=["p", "q"]))
    md = dataframe_html_to_markdown(df._repr_html_())
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in md.splitlines()]
    assert rows[0] == ["p", "q", "A / x", "A / y", "B / z"]
    assert rows[2] == ["k", "1", "1", "3", "5"]
    assert rows[3] == ["k", "2", "2", "4", "6"]


def test_non_dataframe_html_is_left_alone():
    assert dataframe_html_to_markdown("<b>bold</b>") is None
    assert dataframe_html_to_markdown("<table><tr><td>1</td></tr></table>") is None


@pytest.fixture(scope="module")
def executed_notebook(tmp_path_factory):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("matplotlib")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Report"),
        nbformat.v4.new_code_cell(
            "%matplotlib inline\n"
            "import matplotlib.pyplot as plt\nimport pandas as pd\n"
            "plt.plot([1, 2, 3], [4, 1, 9])\nplt.show()"),
        nbformat.v4.new_code_cell(
            "pd.DataFrame({'species': ['cat', 'dog'], 'weight': [4.25, 31.75]},"
            " index=pd.Index(['a', 'b'], name='key'))"),
        nbformat.v4.new_code_cell("print('done')"),
    ]
    path = tmp_path_factory.mktemp("nb") / "report.ipynb"
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=120,
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    nbformat.write(nb, path)
    return path


def test_notebook_to_markdown_embeds_png_and_tables(executed_notebook, tmp_path):
    out = notebook_to_markdown(executed_notebook, tmp_path / "sub" / "report.md")
    assert out == tmp_path / "sub" / "report.md"
    text = out.read_text()
    match = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", text)
    assert match, text[:2000]
    assert base64.b64decode(match.group(1)).startswith(b"\x89PNG\r\n\x1a\n")
    assert "output_" not in text  # no dangling references to extracted files
    table = [line for line in text.splitlines() if line.startswith("|")]
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in table]
    assert cells[0] == ["key", "species", "weight"]
    assert ["a", "cat", "4.25"] in cells and ["b", "dog", "31.75"] in cells
    assert "<table" not in text and "# Report" in text and "done" in text


def test_svg_and_jpeg_outputs_are_embedded(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>'
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0fakejpeg").decode()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show()")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"image/svg+xml": svg}),
        nbformat.v4.new_output("display_data", data={"image/jpeg": jpeg}),
    ]
    nb.cells = [cell]
    path = tmp_path / "img.ipynb"
    nbformat.write(nb, path)
    text = notebook_to_markdown(path, tmp_path / "img.md").read_text()
    svg_b64 = re.search(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", text).group(1)
    assert base64.b64decode(svg_b64).decode().startswith("<svg")
    jpg_b64 = re.search(r"data:image/jpeg;base64,([A-Za-z0-9+/=]+)", text).group(1)
    assert base64.b64decode(jpg_b64).startswith(b"\xff\xd8")
