// Answer cards: narrative, chart (ECharts or a KPI card), formatted table, and how the question
// was understood (interpretation, SQL). Built with DOM calls only: no HTML strings from data.
"use strict";

const Render = (() => {
  const PALETTE = ["#3b6ff5", "#22b07d", "#f5a524", "#ef5d7a", "#8b5cf6", "#14b8c4", "#64748b"];
  const MAX_TABLE_ROWS = 200;
  const FOLDED_ROWS = 9;

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, val] of Object.entries(attrs)) {
      if (key === "class") node.className = val;
      else if (key === "text") node.textContent = val;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), val);
      else node.setAttribute(key, val);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function label(column, lang) {
    return (column.label && (column.label[lang] || column.label.en)) || column.name;
  }

  function columnIndex(columns) {
    return Object.fromEntries(columns.map((c, i) => [c.name, i]));
  }

  function kpi(body, lang) {
    const row = body.rows[0];
    const index = columnIndex(body.columns);
    const box = el("div", { class: "kpis", "data-testid": "kpi" });
    for (const column of body.columns) {
      if (column.role !== "metric" || /__(previous|difference|change)$/.test(column.name)) continue;
      const card = el("div", { class: "kpi" },
        el("div", { class: "kpi-label", text: label(column, lang) }),
        el("div", { class: "kpi-value", text: Format.value(row[index[column.name]], column.format, lang) }));
      const change = index[column.name + "__change"];
      if (change !== undefined && row[change] !== null) {
        const previous = body.columns[index[column.name + "__previous"]];
        card.append(el("div", { class: "kpi-change " + (row[change] >= 0 ? "up" : "down"),
          text: `${label(body.columns[change], lang)} ${Format.value(row[change], "change", lang)} · ` +
                `${label(previous, lang)} ${Format.value(row[index[previous.name]], previous.format, lang)}` }));
      }
      box.append(card);
    }
    return box;
  }

  // A/B test verdict: per test, each variant against the baseline, one line per metric with its
  // difference, 95% interval and p-value; significant differences marked.
  function verdict(body, lang) {
    const zh = lang === "zh";
    const box = el("div", { class: "verdicts", "data-testid": "verdict" });
    const tests = new Map();
    for (const c of (body.analysis && body.analysis.comparisons) || []) {
      if (!tests.has(c.test)) tests.set(c.test, []);
      tests.get(c.test).push(c);
    }
    for (const [test, comparisons] of tests) {
      const headline = comparisons[0];
      const card = el("div", { class: "verdict " + (headline.significant ? "significant" : "not-significant") },
        el("div", { class: "verdict-title", text: test }),
        el("div", { class: "verdict-badge", "data-testid": "verdict-badge",
          text: headline.significant ? (zh ? `显著：${headline.difference > 0 ? headline.variant : headline.baseline} 更好`
            : `Significant: ${headline.difference > 0 ? headline.variant : headline.baseline} wins`)
            : (zh ? "无显著差异" : "No significant difference") }));
      for (const c of comparisons) {
        const fmt = c.format === "percent" ? "percent" : "money";
        const diff = c.format === "percent" ? `${(c.difference * 100 >= 0 ? "+" : "")}${(c.difference * 100).toFixed(1)}pp`
          : `${c.difference >= 0 ? "+" : "-"}${Format.value(Math.abs(c.difference), "money", lang)}`;
        const interval = c.interval.map((v) => (c.format === "percent" ? `${(v * 100).toFixed(1)}pp`
          : `${v < 0 ? "-" : ""}${Format.value(Math.abs(v), "money", lang)}`));
        const p = c.p_value < 0.001 ? "p < 0.001" : `p = ${c.p_value.toFixed(3)}`;
        const need = c.needed_per_group ? (zh ? ` · 需每组 ${c.needed_per_group.toLocaleString("en-US")} 人` : ` · needs ${c.needed_per_group.toLocaleString("en-US")} per group`) : "";
        card.append(el("div", { class: "verdict-row" + (c.significant ? " strong" : "") },
          el("span", { class: "verdict-metric", text: c.metric_name[lang] || c.metric_name.en }),
          el("span", { class: "num", text: `${c.baseline} ${Format.value(c.baseline_value, fmt, lang)} → ${c.variant} ${Format.value(c.variant_value, fmt, lang)}` }),
          el("span", { class: "num", text: `${diff} [${interval[0]}, ${interval[1]}] · ${p}${need}` })));
      }
      box.append(card);
    }
    return box;
  }

  function heatmapOption(body, lang) {
    const chart = body.chart;
    const index = columnIndex(body.columns);
    const cohorts = body.rows.map((r) => String(r[index[chart.x]]));
    const months = chart.y.map((name) => label(body.columns[index[name]], lang));
    const data = [];
    body.rows.forEach((row, i) => chart.y.forEach((name, k) => {
      const v = row[index[name]];
      if (v !== null && v !== undefined) data.push([k, i, v]);
    }));
    return {
      tooltip: { formatter: (p) => `${cohorts[p.value[1]]} · ${months[p.value[0]]}: ${Format.value(p.value[2], "percent", lang)}` },
      grid: { left: 8, right: 16, top: 8, bottom: 56, containLabel: true },
      xAxis: { type: "category", data: months, splitArea: { show: true } },
      yAxis: { type: "category", data: cohorts, inverse: true, splitArea: { show: true } },
      visualMap: { min: 0, max: 1, calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120,
                   inRange: { color: ["#eef3ff", "#3b6ff5"] }, formatter: (v) => Format.value(v, "percent", lang) },
      series: [{ type: "heatmap", data, label: { show: true, formatter: (p) => Format.value(p.value[2], "percent", lang) } }],
    };
  }

  // Why a metric changed: the comparison total, each member's part of the change (the largest
  // eight; the rest together), the current total.
  function waterfallOption(body, lang) {
    const zh = lang === "zh";
    const index = columnIndex(body.columns);
    const fmt = body.columns[index.contribution].format;
    const total = body.analysis.total;
    const members = body.rows.map((r) => [String(r[index[body.chart.x]]), r[index.contribution]]);
    const shown = members.slice(0, 8);
    if (members.length > 8) shown.push([zh ? "其他" : "others", members.slice(8).reduce((sum, m) => sum + m[1], 0)]);
    const names = [zh ? "对比期" : "before", ...shown.map((m) => m[0]), zh ? "当期" : "now"];
    const base = [0], rise = [total.previous], fall = [0];
    let level = total.previous;
    for (const [, change] of shown) {
      base.push(change >= 0 ? level : level + change);
      rise.push(change >= 0 ? change : 0);
      fall.push(change < 0 ? -change : 0);
      level += change;
    }
    base.push(0); rise.push(total.current); fall.push(0);
    const show = (v) => Format.value(v, fmt, lang);
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                 formatter: (items) => { const i = items[0].dataIndex; const v = i === 0 ? total.previous : i === names.length - 1 ? total.current : shown[i - 1][1];
                   return `${names[i]}: ${i === 0 || i === names.length - 1 ? show(v) : (v >= 0 ? "+" : "") + show(v)}`; } },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 30 : 0 } },
      yAxis: { type: "value", axisLabel: { formatter: show } },
      series: [
        { type: "bar", stack: "w", data: base, itemStyle: { color: "transparent" }, emphasis: { disabled: true } },
        { type: "bar", stack: "w", name: zh ? "增加" : "up", data: rise.map((v, i) => ({ value: v,
          itemStyle: { color: i === 0 || i === names.length - 1 ? "#64748b" : "#22b07d" } })) },
        { type: "bar", stack: "w", name: zh ? "减少" : "down", data: fall, itemStyle: { color: "#ef5d7a" } },
      ],
    };
  }

  // The dimensions a change was split over, by how much of it their top members explain.
  function dimensionPower(body, lang) {
    const analysis = body.analysis;
    const zh = lang === "zh";
    const ranked = analysis.dimensions.map((d) => `${d.label[lang] || d.label.en} ${(d.power * 100).toFixed(0)}%`).join(" · ");
    const skipped = analysis.skipped.map((d) => d.label[lang] || d.label.en).join("、");
    return el("details", { class: "power", "data-testid": "dimension-power" },
      el("summary", { text: zh ? "各维度的解释力（前3个成员解释的变化占比）" : "Explanatory power of each dimension (share explained by its top 3)" }),
      el("p", { class: "note", text: ranked }),
      skipped ? el("p", { class: "note", text: zh ? `未参与（成员会重复计数）：${skipped}` : `Not used (members would overlap): ${skipped}` }) : null);
  }

  function echartsOption(body, lang, width) {
    const chart = body.chart;
    if (chart.type === "heatmap") return heatmapOption(body, lang);
    if (chart.type === "waterfall") return waterfallOption(body, lang);
    const index = columnIndex(body.columns);
    const byName = Object.fromEntries(body.columns.map((c) => [c.name, c]));
    const xs = [...new Set(body.rows.map((r) => r[index[chart.x]]))];
    const tooltipFormat = (name) => (v) => Format.value(v, Format.columnFormat(byName[name]), lang);
    if (chart.type === "pie") {
      const y = chart.y[0];
      return {
        color: PALETTE, tooltip: { trigger: "item", valueFormatter: tooltipFormat(y) },
        legend: { bottom: 0, type: "scroll" },
        series: [{ type: "pie", radius: ["35%", "65%"], data: body.rows.map((r) => ({ name: String(r[index[chart.x]]), value: r[index[y]] })),
                   label: { formatter: "{b}\n{d}%" } }],
      };
    }
    const kind = chart.type === "line" ? "line" : "bar";
    let series;
    if (chart.series) {
      const groups = [...new Set(body.rows.map((r) => r[index[chart.series]]))];
      const y = chart.y[0];
      series = groups.map((group) => ({
        name: String(group), type: kind, showAllSymbol: true,
        data: xs.map((x) => {
          const row = body.rows.find((r) => r[index[chart.x]] === x && r[index[chart.series]] === group);
          return row ? row[index[y]] : null;
        }),
      }));
    } else {
      series = chart.y.map((y) => ({ name: label(byName[y], lang), type: kind, showAllSymbol: true,
        data: body.rows.map((r) => r[index[y]]) }));
    }
    const axisFormat = Format.columnFormat(byName[chart.y[0]]);
    const partial = new Set((body.partial_rows || []).map((r) => String(body.rows[r][index[chart.x]])));
    if (partial.size) {  // a bucket with only part of its days: drawn hollow and grey
      for (const s of series) {
        s.data = s.data.map((value, i) => (partial.has(String(xs[i])) ? { value, symbol: "emptyCircle", symbolSize: 10,
          itemStyle: { color: "#cbd5e1", borderColor: "#94a3b8", borderType: "dashed" },
          label: { show: true, position: "top", color: "#94a3b8", formatter: lang === "zh" ? "不完整" : "partial" } } : value));
      }
    }
    const scale = Format.scale(body.rows.map((r) => r[index[chart.y[0]]]), axisFormat, lang);
    const crowded = width < 480 || xs.length > 8;
    return {
      color: PALETTE,
      tooltip: { trigger: "axis", valueFormatter: tooltipFormat(chart.y[0]) },
      legend: series.length > 1 ? { top: 0, type: "scroll" } : undefined,
      grid: { left: 8, right: 16, top: series.length > 1 ? 36 : 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: xs.map(String), axisLabel: { interval: crowded && xs.length > 12 ? "auto" : 0,
        rotate: crowded ? 40 : 0, formatter: (v) => (crowded && v.length > 8 ? v.slice(0, 7) + "…" : v) } },
      yAxis: { type: "value", axisLabel: { formatter: (v) => Format.value(v, axisFormat, lang, scale) } },
      series,
    };
  }

  function chart(body, lang) {
    if (!body.chart || !body.rows.length) return null;
    if (body.chart.type === "kpi") return kpi(body, lang);
    if (body.chart.type === "verdict") return verdict(body, lang);
    if (body.chart.type === "table") return null;
    const box = el("div", { class: "chart", "data-testid": "chart", "data-chart-type": body.chart.type });
    requestAnimationFrame(() => {
      const instance = echarts.init(box, null, { renderer: "canvas" });
      instance.setOption(echartsOption(body, lang, box.clientWidth));
      new ResizeObserver(() => instance.resize()).observe(box);
    });
    if (body.chart.type === "waterfall") return el("div", {}, box, dimensionPower(body, lang));
    return box;
  }

  function table(body, lang, t) {
    if (!body.rows.length) return null;
    const partial = new Set(body.partial_rows || []);
    const scales = Format.scales(body.columns, body.rows, lang);
    const head = el("tr", {}, ...body.columns.map((c) => el("th", { class: c.role === "metric" ? "num" : "", text: label(c, lang) })));
    const rows = body.rows.slice(0, MAX_TABLE_ROWS).map((row, r) => el("tr", partial.has(r) ? { class: "partial", "data-partial": "true" } : {},
      ...row.map((v, i) => {
        const column = body.columns[i];
        const text = Format.value(v, Format.columnFormat(column), lang, scales[i]);
        const mark = i === 0 && partial.has(r) ? ` (${lang === "zh" ? "不完整" : "partial"})` : "";
        return el("td", { class: column.role === "metric" ? "num" : "", text: text + mark });
      })));
    const wrap = el("div", { class: "table-wrap" }, el("table", { class: "answer-table", "data-testid": "table" },
      el("thead", {}, head), el("tbody", {}, ...rows)));
    if (rows.length > FOLDED_ROWS) {
      rows.slice(FOLDED_ROWS).forEach((row) => { row.hidden = true; });
      const more = el("button", { type: "button", class: "link show-all", "data-testid": "show-all",
        text: t("showAll").replace("{n}", rows.length), onclick: () => { rows.forEach((row) => { row.hidden = false; }); more.remove(); } });
      wrap.append(more);
    }
    if (body.rows.length > MAX_TABLE_ROWS || body.truncated) {
      wrap.append(el("p", { class: "note", text: lang === "zh" ? `页面显示前 ${Math.min(MAX_TABLE_ROWS, body.rows.length)} 行，完整数据请下载 CSV。`
        : `Showing ${Math.min(MAX_TABLE_ROWS, body.rows.length)} rows; download the CSV for all of them.` }));
    }
    return wrap;
  }

  // The reading, always in view: each filter a chip that can be removed, the period one that can be
  // changed, the defaults the service assumed shown as such. `edit(change, label)` re-asks with the
  // reading changed.
  const PERIODS = { zh: ["上个月", "最近7天", "最近30天", "本月", "今年", "去年"], en: ["last month", "last 7 days", "last 30 days", "this month", "this year", "last year"] };

  function readingBar(body, lang, t, edit) {
    const interpretation = body.interpretation || {};
    const pieces = interpretation.reading || [];
    const bar = el("div", { class: "reading", "data-testid": "reading" });
    if (!pieces.length && interpretation.text) bar.append(el("span", { class: "piece", text: interpretation.text }));
    for (const piece of pieces) {
      const chip = el("span", { class: `piece ${piece.kind}`, "data-kind": piece.kind }, el("span", { text: piece.text }));
      if (piece.kind === "filter" && edit && interpretation.query) {
        chip.append(el("button", { type: "button", class: "remove", title: t("removeFilter"), "aria-label": `${t("removeFilter")} ${piece.text}`,
          "data-testid": "remove-filter", text: "×",
          onclick: () => edit((q) => { q.filters.splice(piece.filter_index, 1); }, `${t("without")} ${piece.text}`) }));
      }
      if (piece.kind === "period" && edit && interpretation.query) {
        const select = el("select", { class: "period-select", "data-testid": "period-select", "aria-label": t("changePeriod") },
          el("option", { value: "", text: piece.text }),
          ...PERIODS[lang].map((p) => el("option", { value: p, text: p })),
          el("option", { value: "*", text: t("allTime") }));
        select.addEventListener("change", () => {
          const chosen = select.value;
          if (!chosen) return;
          edit((q) => { if (chosen === "*") { delete q.time_range; delete q.compare; delete q.compare_to; } else { q.time_range = { expression: chosen }; } },
               chosen === "*" ? t("allTime") : chosen);
        });
        chip.replaceChildren(select);
      }
      bar.append(chip);
    }
    return bar;
  }

  function understanding(body, t) {
    const interpretation = body.interpretation || {};
    const details = el("details", { class: "understanding", "data-testid": "understanding" },
      el("summary", { text: t("howUnderstood") }));
    for (const change of interpretation.changes || []) details.append(el("p", { class: "note", text: "↻ " + change }));
    for (const c of interpretation.corrections || []) {
      details.append(el("p", { class: "note", text: `${t("corrected")}: ${c.written} → ${c.understood}` }));
    }
    if (body.sql) {
      const pre = el("pre", { class: "sql", "data-testid": "sql", text: body.sql });
      const copy = el("button", { type: "button", class: "link", text: t("copySql"), onclick: async () => {
        try { await navigator.clipboard.writeText(body.sql); copy.textContent = t("copied"); }
        catch { copy.textContent = t("copyFailed"); }
      } });
      details.append(el("div", { class: "sql-head" }, el("span", { text: "SQL" }), copy), pre);
    }
    return details;
  }

  return { el, chart, table, understanding, readingBar, label };
})();
