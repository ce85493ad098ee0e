"""Rows as CSV text for a spreadsheet: a BOM so Excel reads UTF-8, one header of column names in
the asker's language."""

from __future__ import annotations

import csv
import io


def csv_text(columns: list, rows: list[list], language: str) -> str:
    """``columns``: ColumnInfo objects or their dicts.

    >>> csv_text([{"name": "city", "label": {"zh": "城市"}}], [["上海"]], "zh")
    '\\ufeff城市\\r\\n上海\\r\\n'
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    labels = [c["label"] if isinstance(c, dict) else c.label for c in columns]
    names = [c["name"] if isinstance(c, dict) else c.name for c in columns]
    writer.writerow([label.get(language, name) for label, name in zip(labels, names)])
    writer.writerows(rows)
    return "\ufeff" + buffer.getvalue()
