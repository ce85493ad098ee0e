"""An answer as WeCom markdown within a byte limit: the narrative with the key figures, the top
rows as a compact list, the interpretation in one line, and a link to the full result."""

from __future__ import annotations

from semantic_layer.narrate import format_value

APP_LIMIT = 2048  # application messages (bytes of UTF-8)
ROBOT_LIMIT = 4096  # group robot markdown
MAX_ROWS = 10


def fit_bytes(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` UTF-8 bytes on a character boundary.

    >>> fit_bytes("成交金额", 7)
    '成…'
    """
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[:limit - 3].decode(errors="ignore") + "…"


def _row_line(position: int, row: list, columns: list[dict], language: str) -> str:
    keys = [str(v) for v, c in zip(row, columns) if c["role"] != "metric"]
    figures = [format_value(v, "change" if c["name"].endswith("__change") else c["format"], language)
               for v, c in zip(row, columns) if c["role"] == "metric"]
    head = " / ".join(keys)
    return f"{position}. {head}：{'，'.join(figures)}" if head else f"- {'，'.join(figures)}"


def answer_markdown(body: dict, permalink: str | None, limit: int = APP_LIMIT) -> str:
    """Markdown for one /ask answer (status ok, clarify or error)."""
    language = "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in body.get("question", "")) else "en"
    zh = language == "zh"
    footer = f"\n[{'查看完整结果' if zh else 'View the full result'}]({permalink})" if permalink else ""
    interpretation = (body.get("interpretation") or {}).get("text")
    lines = [f"> {'理解为' if zh else 'Understood as'}: {interpretation}"] if interpretation else []
    lines.append(f"**{body.get('answer', '')}**")
    if body.get("status") == "clarify":
        lines += [f"- {s}" for s in body.get("suggestions", [])]
        return fit_bytes("\n".join(lines), limit)
    lines += [f"<font color=\"warning\">{note}</font>" for note in body.get("notes", [])]
    budget = limit - len(footer.encode())
    columns = body.get("columns", [])
    if any(c["role"] != "metric" for c in columns):
        for position, row in enumerate(body.get("rows", [])[:MAX_ROWS], start=1):
            line = _row_line(position, row, columns, language)
            if len("\n".join(lines + [line]).encode()) > budget:
                break
            lines.append(line)
        listed = (body.get("analysis") or {}).get("count")  # a customer list: its rows are only the first ones
        if listed or len(body.get("rows", [])) > MAX_ROWS:
            total = listed or len(body["rows"])
            more = f"…共 {total:,} {'人' if listed else '行'}" if zh else f"… {total:,} {'customers' if listed else 'rows'} in all"
            if len("\n".join(lines + [more]).encode()) <= budget:
                lines.append(more)
    return fit_bytes("\n".join(lines), budget) + footer
