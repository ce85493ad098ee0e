"""A chart suggestion from the shape of a result, as a spec the web page and the WeCom image
renderer both draw: line for time, bar across categories, grouped bars or lines for two
dimensions, pie where a share is asked, a KPI card for single values, a table otherwise."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from semantic_layer.query import ChartType


# columns a comparison or a share adds beside each metric
DERIVED = ("__previous", "__difference", "__change", "__share")

@dataclass(frozen=True)
class ColumnInfo:
    name: str
    label: dict[str, str]  # {"zh": ..., "en": ...}
    role: str  # "dimension", "time", "metric"
    format: str  # money, percent, count, ratio, number, date, text


@dataclass(frozen=True)
class ChartSpec:
    type: ChartType
    x: str | None = None
    y: tuple[str, ...] = ()
    series: str | None = None
    title: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def suggest_chart(columns: list[ColumnInfo], row_count: int, preferred: ChartType | None = None,
                  title: str = "") -> ChartSpec:
    """Pick a chart for a result.

    >>> cols = [ColumnInfo("date", {"zh": "日期"}, "time", "date"), ColumnInfo("gmv", {"zh": "成交金额"}, "metric", "money")]
    >>> suggest_chart(cols, 6).type
    'line'
    """
    times = [c.name for c in columns if c.role == "time"]
    categories = [c.name for c in columns if c.role == "dimension"]
    metrics = [c.name for c in columns if c.role == "metric"]
    if not metrics or row_count == 0:
        return ChartSpec("table", title=title)
    if not times and not categories:
        return ChartSpec("kpi" if row_count == 1 else "table", y=tuple(metrics), title=title)
    primary = [m for m in metrics if not m.endswith(("__change", "__difference", "__share"))]
    if preferred == "table":
        return ChartSpec("table", title=title)
    if times and len(times) + len(categories) == 1:
        kind = "bar" if preferred == "bar" else "line"
        return ChartSpec(kind, x=times[0], y=tuple(primary), title=title)
    if times and len(categories) == 1:
        return ChartSpec("line", x=times[0], y=(primary[0],), series=categories[0], title=title)
    if len(categories) == 1 and not times:
        if preferred == "pie" and len(primary) >= 1:
            return ChartSpec("pie", x=categories[0], y=(primary[0],), title=title)
        if preferred == "line":
            return ChartSpec("line", x=categories[0], y=tuple(primary), title=title)
        kind = "grouped_bar" if len(primary) > 1 else "bar"
        return ChartSpec(kind, x=categories[0], y=tuple(primary), title=title)
    if len(categories) == 2 and not times:
        return ChartSpec("grouped_bar", x=categories[0], y=(primary[0],), series=categories[1], title=title)
    return ChartSpec("table", title=title)
