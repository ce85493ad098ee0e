"""Figures as a person reads them (¥1,128.99万, 28.3%, +5.2%) and the one- or two-sentence answer
that leads with them, in the question's language."""

from __future__ import annotations

from semantic_layer.chart import DERIVED, ColumnInfo


def format_value(value, fmt: str, language: str = "zh") -> str:
    """Format one figure.

    >>> format_value(11289900, "money"), format_value(11289900, "money", "en"), format_value(0.2834, "percent")
    ('¥1,128.99万', '¥11.29M', '28.3%')
    >>> format_value(17670, "count"), format_value(4.0215, "ratio"), format_value(None, "money")
    ('17,670', '4.02', '-')
    """
    if value is None:
        return "-"
    if not isinstance(value, (int, float)):
        return str(value)
    if fmt == "money":
        size = abs(value)
        if language == "zh":
            if size >= 1e8:
                return f"¥{value / 1e8:,.2f}亿"
            if size >= 1e4:
                return f"¥{value / 1e4:,.2f}万"
            return f"¥{value:,.2f}"
        if size >= 1e6:
            return f"¥{value / 1e6:,.2f}M"
        return f"¥{value:,.0f}" if size >= 1e3 else f"¥{value:,.2f}"
    if fmt == "percent":
        return f"{value * 100:.1f}%"
    if fmt == "change":
        return f"{value * 100:+.1f}%"
    if fmt == "count":
        return f"{value:,.0f}"
    if fmt == "ratio":
        return f"{value:.2f}"
    return f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"


def format_difference(value: float, fmt: str, language: str = "zh", signed: bool = True) -> str:
    """A change of a figure in the figure's own unit; a rate's change in percentage points.

    >>> format_difference(0.012, "percent"), format_difference(-253000, "money"), format_difference(5.5, "money", "en")
    ('+1.2 个百分点', '-¥25.30万', '+¥5.50')
    >>> format_difference(405000, "money", signed=False)
    '¥40.50万'
    """
    sign = ("+" if value > 0 else "-" if value < 0 else "") if signed else ""
    if fmt == "percent":
        return f"{sign}{abs(value) * 100:.1f}" + (" 个百分点" if language == "zh" else " pts")
    return sign + format_value(abs(value), fmt, language)


def _label(column: ColumnInfo, language: str) -> str:
    return column.label.get(language) or column.label.get("en") or column.name


def narrate(columns: list[ColumnInfo], rows: list[list], language: str, period: str = "",
            partial: frozenset[int] = frozenset()) -> str:
    """The key figures of an answer in one or two sentences; ``partial``: rows of buckets that hold
    only part of their days."""
    zh = language == "zh"
    if not rows:
        return "没有符合条件的数据。" if zh else "No data matches the question."
    index = {c.name: i for i, c in enumerate(columns)}
    metrics = [c for c in columns if c.role == "metric" and not c.name.endswith(DERIVED)]
    keys = [c for c in columns if c.role in ("dimension", "time")]
    if not metrics:
        return (f"共 {len(rows)} 行结果。" if zh else f"{len(rows)} rows.")
    lead = f"{period}，" if (period and zh) else (f"{period}: " if period else "")

    def figure(column: ColumnInfo, row: list) -> str:
        return format_value(row[index[column.name]], "change" if column.name.endswith("__change") else column.format,
                            language)

    if not keys:
        row = rows[0]
        pieces = []
        for metric in metrics:
            text = f"{_label(metric, language)}{'为' if zh else ' was '}{figure(metric, row)}"
            previous, change = f"{metric.name}__previous", f"{metric.name}__change"
            if previous in index:
                change_label = next(c for c in columns if c.name == change).label.get(language, "change")
                other = next(c for c in columns if c.name == previous).label.get(language, "")
                before = format_value(row[index[previous]], metric.format, language)
                difference = format_value(row[index[f"{metric.name}__difference"]], metric.format, language)
                text += (f"，{other}为{before}，差额 {difference}，"
                         f"{change_label} {format_value(row[index[change]], 'change', language)}" if zh else
                         f" vs {other} {before} ({difference}, {format_value(row[index[change]], 'change', language)})")
            share = f"{metric.name}__share"
            if share in index:
                text += (f"，占比 {format_value(row[index[share]], 'percent', language)}" if zh else
                         f" ({format_value(row[index[share]], 'percent', language)} of the total)")
            pieces.append(text)
        return lead + ("；".join(pieces) + "。" if zh else "; ".join(pieces) + ".")

    metric = metrics[0]
    values = [(i, row, row[index[metric.name]]) for i, row in enumerate(rows) if row[index[metric.name]] is not None]
    if not values:
        return lead + ("没有可比较的数值。" if zh else "No values to compare.")

    def key_text(row: list) -> str:
        return " / ".join(str(row[index[k.name]]) for k in keys)

    name = _label(metric, language)
    share = index.get(f"{metric.name}__share")

    def shown(row: list) -> str:  # the figure, and its share of the whole when asked
        if share is None or row[share] is None:
            return figure(metric, row)
        return figure(metric, row) + ("，占 " if zh else ", ") + format_value(row[share], "percent", language)

    if len(rows) == 1:
        row = rows[0]
        return lead + (f"{key_text(row)}的{name}为{shown(row)}。" if zh else f"{name} of {key_text(row)}: {shown(row)}.")
    # a bucket with only part of its days is never called the highest or lowest; ties are said as ties
    whole = [(i, row, value) for i, row, value in values if i not in partial] or values
    top, bottom = max(v for _, _, v in whole), min(v for _, _, v in whole)
    highs = [row for _, row, value in whole if value == top]
    lows = [row for _, row, value in whole if value == bottom]
    joiner = "、" if zh else ", "

    def named(group: list[list]) -> str:
        return joiner.join(key_text(row) for row in group)

    if top == bottom and len(whole) > 1:
        return lead + (f"共 {len(rows)} 项，{name}都是 {figure(metric, highs[0])}。" if zh else
                       f"{len(rows)} rows; {name} is {figure(metric, highs[0])} for all of them.")
    tie_high = ("并列" if zh else "tied ") if len(highs) > 1 else ""
    tie_low = ("并列" if zh else "tied ") if len(lows) > 1 else ""
    if any(k.role == "time" for k in keys) and len(keys) == 1:
        last_index, last = len(rows) - 1, rows[-1]
        unfinished = ("（不完整）" if zh else " (partial)") if last_index in partial else ""
        return lead + (f"共 {len(rows)} 期，{name}{tie_high}最高在 {named(highs)}（{figure(metric, highs[0])}），"
                       f"{tie_low}最低在 {named(lows)}（{figure(metric, lows[0])}），最近一期 {key_text(last)}{unfinished} 为 "
                       f"{figure(metric, last)}。" if zh else
                       f"{len(rows)} periods; {name} {tie_high}peaked at {named(highs)} ({figure(metric, highs[0])}), "
                       f"{tie_low}lowest at {named(lows)} ({figure(metric, lows[0])}); latest {key_text(last)}"
                       f"{unfinished}: {figure(metric, last)}.")
    return lead + (f"共 {len(rows)} 项，{name}{tie_high}最高的是 {named(highs)}（{shown(highs[0])}），"
                   f"{tie_low}最低的是 {named(lows)}（{shown(lows[0])}）。" if zh else
                   f"{len(rows)} rows; {tie_high}highest {name}: {named(highs)} ({shown(highs[0])}), "
                   f"{tie_low}lowest: {named(lows)} ({shown(lows[0])}).")
