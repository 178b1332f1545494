"""Convert an executed notebook to one self-contained Markdown file.

Images are embedded as ``data:`` URIs and pandas DataFrame HTML tables become Markdown pipe
tables, so the ``.md`` renders anywhere (catalog viewers, GitHub) without side files.
"""

from __future__ import annotations

import base64
import mimetypes
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

_MIME_BY_SUFFIX = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".gif": "image/gif",
    ".pdf": "application/pdf",
}


# --------------------------------------------------------------------------- HTML tables


class _Cell:
    __slots__ = ("colspan", "header", "rowspan", "text")

    def __init__(self, header: bool, colspan: int, rowspan: int):
        self.header = header
        self.text = ""
        self.colspan = colspan
        self.rowspan = rowspan


class _Table:
    def __init__(self, is_dataframe: bool):
        self.is_dataframe = is_dataframe
        self.head: list[list[_Cell]] = []
        self.body: list[list[_Cell]] = []


class _TableParser(HTMLParser):
    """Collect the tables of an HTML fragment (cells, spans, thead/tbody) and the other text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[_Table] = []
        self.other_text: list[str] = []
        self._table: _Table | None = None
        self._depth = 0  # nesting level of <table>; inner tables are flattened into cells
        self._section = "body"
        self._row: list[_Cell] | None = None
        self._cell: _Cell | None = None
        self._skip = 0  # inside <style>/<script>

    @staticmethod
    def _span(attrs: dict, name: str) -> int:
        try:
            return max(1, int(attrs.get(name) or 1))
        except ValueError:
            return 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("style", "script"):
            self._skip += 1
        elif tag == "table":
            self._depth += 1
            if self._depth == 1:
                classes = (a.get("class") or "").split()
                self._table = _Table(is_dataframe="dataframe" in classes)
                self.tables.append(self._table)
                self._section = "body"
        elif self._depth == 1 and tag == "thead":
            self._section = "head"
        elif self._depth == 1 and tag in ("tbody", "tfoot"):
            self._section = "body"
        elif self._depth == 1 and tag == "tr":
            self._row = []
            assert self._table is not None
            (self._table.head if self._section == "head" else self._table.body).append(self._row)
        elif self._depth == 1 and tag in ("th", "td") and self._row is not None:
            self._cell = _Cell(tag == "th", self._span(a, "colspan"), self._span(a, "rowspan"))
            self._row.append(self._cell)
        elif tag == "br" and self._cell is not None:
            self._cell.text += " "

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script"):
            self._skip = max(0, self._skip - 1)
        elif tag == "table":
            self._depth = max(0, self._depth - 1)
            if self._depth == 0:
                self._table = None
                self._row = self._cell = None
        elif self._depth == 1 and tag in ("th", "td"):
            self._cell = None
        elif self._depth == 1 and tag == "tr":
            self._row = self._cell = None
        elif self._depth == 1 and tag == "thead":
            self._section = "body"

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._cell is not None:
            self._cell.text += data
        elif self._depth == 0 and data.strip():
            self.other_text.append(data.strip())


def _clean(text: str) -> str:
    return " ".join(text.split())


def _grid(rows: list[list[_Cell]]) -> list[list[tuple[bool, str]]]:
    """Expand colspan/rowspan so every row has one ``(is_header, text)`` entry per column."""
    grid: list[list[tuple[bool, str]]] = []
    carry: dict[int, tuple[int, tuple[bool, str]]] = {}  # column -> (rows left, value)
    for row in rows:
        out: list[tuple[bool, str]] = []
        cells = iter(row)
        col = 0
        pending = next(cells, None)
        while pending is not None or any(c >= col for c in carry):
            if col in carry:
                left, value = carry[col]
                out.append(value)
                if left <= 1:
                    del carry[col]
                else:
                    carry[col] = (left - 1, value)
                col += 1
                continue
            if pending is None:
                break
            value = (pending.header, _clean(pending.text))
            for k in range(pending.colspan):
                out.append(value)
                if pending.rowspan > 1:
                    carry[col + k] = (pending.rowspan - 1, value)
            col += pending.colspan
            pending = next(cells, None)
        grid.append(out)
    width = max((len(r) for r in grid), default=0)
    return [r + [(False, "")] * (width - len(r)) for r in grid]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _column_labels(head: list[list[tuple[bool, str]]], n_index: int, width: int) -> list[str]:
    """One label per column from the header rows (pandas' index-name row handled)."""
    head = [r + [(True, "")] * (width - len(r)) for r in head]
    index_names: list[str] | None = None
    if len(head) >= 2 and n_index:
        last = head[-1]
        if all(not t for _, t in last[n_index:]) and any(t for _, t in last[:n_index]):
            index_names = [t for _, t in last[:n_index]]
            head = head[:-1]
    labels = []
    for j in range(width):
        parts: list[str] = []
        for row in head:
            text = row[j][1]
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        label = " / ".join(parts)
        if index_names is not None and j < n_index:
            label = index_names[j] or label
        labels.append(label)
    return labels


def table_to_markdown(table: _Table) -> str:
    """Render a parsed HTML table as a Markdown pipe table (padded, left-justified)."""
    head = _grid(table.head)
    body = _grid(table.body)
    width = max([len(r) for r in head + body] or [0])
    if width == 0:
        return ""
    body = [r + [(False, "")] * (width - len(r)) for r in body]
    if not head and body:  # no <thead>: the first row is the header
        head, body = [body[0]], body[1:]
    n_index = 0
    if body:
        for is_header, _ in body[0]:
            if not is_header:
                break
            n_index += 1
        n_index = min(n_index, width - 1) if width > 1 else n_index
    labels = [_escape(t) for t in _column_labels(head, n_index, width)]
    rows = [[_escape(t) for _, t in r] for r in body]
    widths = [max(3, len(labels[j]), *(len(r[j]) for r in rows)) for j in range(width)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(widths[j]) for j, c in enumerate(cells)) + " |"

    out = [line(labels), "| " + " | ".join("-" * w for w in widths) + " |"]
    out.extend(line(r) for r in rows)
    return "\n".join(out)


def dataframe_html_to_markdown(html: str) -> str | None:
    """Markdown for HTML that holds pandas DataFrame table(s); ``None`` for any other HTML."""
    parser = _TableParser()
    parser.feed(html)
    parser.close()
    if not parser.tables or not all(t.is_dataframe for t in parser.tables):
        return None
    parts = [table_to_markdown(t) for t in parser.tables]
    parts.extend(parser.other_text)  # e.g. pandas' "5 rows × 3 columns" footer
    return "\n\n".join(p for p in parts if p)


# --------------------------------------------------------------------------- notebook


def _as_text(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else value


def _convert_dataframe_outputs(nb) -> None:
    """Replace DataFrame ``text/html`` outputs by ``text/markdown`` pipe tables, in place."""
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data") if output.get("output_type") in (
                "display_data", "execute_result") else None
            if not data or "text/html" not in data or "text/markdown" in data:
                continue
            markdown = dataframe_html_to_markdown(_as_text(data["text/html"]))
            if markdown is not None:
                del data["text/html"]
                data["text/markdown"] = "\n" + markdown + "\n"


def _data_uri(name: str, content: bytes | str) -> str:
    suffix = Path(name).suffix.lower()
    mime = _MIME_BY_SUFFIX.get(suffix) or mimetypes.guess_type(name)[0]
    mime = mime or "application/octet-stream"
    raw = content.encode() if isinstance(content, str) else content
    return f"data:{mime};base64,{base64.b64encode(raw).decode('ascii')}"


def _embed_outputs(body: str, outputs: dict[str, bytes | str]) -> str:
    """Replace each extracted output's file name in ``body`` by a data URI."""
    for name in sorted(outputs, key=len, reverse=True):
        uri = _data_uri(name, outputs[name])
        for ref in {quote(name), name}:
            body = body.replace(f"]({ref})", f"]({uri})").replace(f'"{ref}"', f'"{uri}"')
    return body


def notebook_to_markdown(notebook_path: str | Path, markdown_path: str | Path) -> Path:
    """Write ``markdown_path`` from the (executed) notebook and return it.

    Every image output is embedded as a ``data:<mime>;base64,...`` URI and every pandas
    DataFrame HTML output becomes a Markdown pipe table.
    """
    import nbformat
    from nbconvert import MarkdownExporter

    notebook_path = Path(notebook_path)
    markdown_path = Path(markdown_path)
    nb = nbformat.read(notebook_path, as_version=4)
    _convert_dataframe_outputs(nb)
    exporter = MarkdownExporter()
    body, resources = exporter.from_notebook_node(
        nb, resources={"metadata": {"name": notebook_path.stem}})
    body = _embed_outputs(body, resources.get("outputs") or {})
    markdown_path.parent.mkdir(parents=True, exist_ok=True)
    markdown_path.write_text(body, encoding="utf-8")
    return markdown_path
