"""The answer's chart spec drawn server-side to PNG (for WeCom, which shows images, not pages),
with a CJK font so Chinese labels render as text, not boxes."""

from __future__ import annotations

import io
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager  # noqa: E402
from matplotlib import pyplot  # noqa: E402

from semantic_layer.narrate import format_value  # noqa: E402

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "WenQuanYi Zen Hei", "Source Han Sans SC")
PALETTE = ("#3b6ff5", "#22b07d", "#f5a524", "#ef5d7a", "#8b5cf6", "#14b8c4", "#64748b")


class ChartFontMissing(RuntimeError):
    pass


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """The installed CJK font family (fonts-noto-cjk, installed by `make setup`)."""
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    raise ChartFontMissing("no CJK font installed (Debian: apt-get install fonts-noto-cjk)")


def render_chart_png(body: dict, language: str = "zh") -> bytes | None:
    """PNG bytes of an answer's chart, or None when it is best shown as text (KPI, table, verdict)."""
    chart, columns, rows = body.get("chart") or {}, body.get("columns", []), body.get("rows", [])
    if not rows or chart.get("type") not in ("bar", "grouped_bar", "line", "pie", "heatmap", "waterfall"):
        return None
    index = {c["name"]: i for i, c in enumerate(columns)}
    by_name = {c["name"]: c for c in columns}
    label = lambda name: by_name[name]["label"].get(language, name)  # noqa: E731
    pyplot.rcParams["font.family"] = cjk_font()
    pyplot.rcParams["axes.unicode_minus"] = False
    figure, axes = pyplot.subplots(figsize=(8, 4.2), dpi=110)
    try:
        xs = [str(r[index[chart["x"]]]) for r in rows]
        if chart["type"] == "heatmap":
            _heatmap(axes, xs, [label(name) for name in chart["y"]], [[r[index[name]] for name in chart["y"]]
                                                                        for r in rows], language)
        elif chart["type"] == "waterfall":
            _waterfall(axes, [(x, r[index[chart["y"][0]]]) for x, r in zip(xs, rows)], body["analysis"]["total"],
                       by_name[chart["y"][0]]["format"], language)
        elif chart["type"] == "pie":
            y = chart["y"][0]
            axes.pie([r[index[y]] or 0 for r in rows], labels=xs, autopct="%1.1f%%", colors=PALETTE,
                     startangle=90, counterclock=False, wedgeprops={"width": 0.45})
            axes.set_title(label(y))
        else:
            series = chart["y"]
            fmt = by_name[series[0]]["format"]
            width = 0.8 / max(len(series), 1)
            for i, name in enumerate(series):
                values = [r[index[name]] or 0 for r in rows]
                if chart["type"] == "line":
                    axes.plot(xs, values, marker="o", color=PALETTE[i % len(PALETTE)], label=label(name))
                else:
                    positions = [p + (i - (len(series) - 1) / 2) * width for p in range(len(xs))]
                    axes.bar(positions, values, width=width, color=PALETTE[i % len(PALETTE)], label=label(name))
            if chart["type"] != "line":
                axes.set_xticks(range(len(xs)), xs)
            axes.yaxis.set_major_formatter(lambda v, _: format_value(v, fmt, language))
            axes.spines[["top", "right"]].set_visible(False)
            axes.grid(axis="y", alpha=0.3)
            if len(series) > 1:
                axes.legend(frameon=False)
            pyplot.setp(axes.get_xticklabels(), rotation=30 if len(xs) > 6 else 0, ha="right" if len(xs) > 6 else "center")
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        pyplot.close(figure)


def _heatmap(axes, rows: list[str], columns: list[str], values: list[list], language: str) -> None:
    """Rows by columns of shares, shaded by value, each cell labelled; cells without a value blank."""
    shaded = [[float("nan") if v is None else v for v in row] for row in values]
    axes.imshow(shaded, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    axes.set_xticks(range(len(columns)), columns)
    axes.set_yticks(range(len(rows)), rows)
    for i, row in enumerate(values):
        for k, value in enumerate(row):
            if value is not None:
                axes.text(k, i, format_value(value, "percent", language), ha="center", va="center", fontsize=8,
                          color="white" if value > 0.6 else "#1f2937")


def _waterfall(axes, changes: list[tuple[str, float]], total: dict, fmt: str, language: str) -> None:
    """The compared period's total, each member's part of the change (the 8 largest, the rest
    together), the current total."""
    shown = changes[:8] + ([("其他" if language == "zh" else "others", sum(c for _, c in changes[8:]))]
                           if len(changes) > 8 else [])
    names = ["对比期" if language == "zh" else "before", *(n for n, _ in shown), "当期" if language == "zh" else "now"]
    level, bottoms, heights, colors = total["previous"], [0.0], [total["previous"]], [PALETTE[6]]
    for _, change in shown:
        bottoms.append(level if change >= 0 else level + change)
        heights.append(abs(change))
        colors.append(PALETTE[1] if change >= 0 else PALETTE[3])
        level += change
    bottoms.append(0.0)
    heights.append(total["current"])
    colors.append(PALETTE[6])
    axes.bar(range(len(names)), heights, bottom=bottoms, color=colors)
    axes.set_xticks(range(len(names)), names)
    axes.yaxis.set_major_formatter(lambda v, _: format_value(v, fmt, language))
    axes.spines[["top", "right"]].set_visible(False)
