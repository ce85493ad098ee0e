// Figures as a person reads them; the same rules as semantic_layer/narrate.py.
"use strict";

const Format = (() => {
  function number(value, digits) {
    return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function value(v, format, lang) {
    if (v === null || v === undefined) return "-";
    if (typeof v !== "number") return String(v);
    const size = Math.abs(v);
    switch (format) {
      case "money":
        if (lang === "zh") {
          if (size >= 1e8) return "¥" + number(v / 1e8, 2) + "亿";
          if (size >= 1e4) return "¥" + number(v / 1e4, 2) + "万";
          return "¥" + number(v, 2);
        }
        if (size >= 1e6) return "¥" + number(v / 1e6, 2) + "M";
        return "¥" + number(v, size >= 1e3 ? 0 : 2);
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

  return { value, columnFormat };
})();
