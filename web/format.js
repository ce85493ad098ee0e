// Figures as a person reads them; the same rules as semantic_layer/narrate.py. Money in a table
// column or on an axis uses one unit for all its figures (¥1.80M and ¥0.90M, not ¥900,000).
"use strict";

const Format = (() => {
  const UNITS = { zh: [[1e8, "亿"], [1e4, "万"]], en: [[1e6, "M"]] };

  function number(value, digits) {
    return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  // the unit for money figures that are shown together: the one the largest of them needs
  function scale(values, format, lang) {
    if (format !== "money") return null;
    const largest = Math.max(0, ...values.filter((v) => typeof v === "number").map(Math.abs));
    const [divisor, suffix] = UNITS[lang === "zh" ? "zh" : "en"].find(([size]) => largest >= size) || [1, ""];
    return { divisor, suffix };
  }

  function scales(columns, rows, lang) {
    return columns.map((column, i) => scale(rows.map((r) => r[i]), columnFormat(column), lang));
  }

  function value(v, format, lang, unit = null) {
    if (v === null || v === undefined) return "-";
    if (typeof v !== "number") return String(v);
    switch (format) {
      case "money": {
        const { divisor, suffix } = unit || scale([v], format, lang);
        return "¥" + number(v / divisor, divisor === 1 && Math.abs(v) >= 1e3 ? 0 : 2) + suffix;
      }
      case "percent":
        return (v * 100).toFixed(1) + "%";
      case "change":
        return (v >= 0 ? "+" : "") + (v * 100).toFixed(1) + "%";
      case "count":
        return number(v, 0);
      case "ratio":
        return v.toFixed(2);
      default:
        return Number.isInteger(v) ? number(v, 0) : number(v, 2);
    }
  }

  function columnFormat(column) {
    return column.name.endsWith("__change") ? "change" : column.format;
  }

  return { value, scale, scales, columnFormat };
})();
