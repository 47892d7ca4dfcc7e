// Draws one dashboard page from the JSON written by site.py: filters (brand, platform, dates,
// the page's own selects), then each panel over the filtered rows. Every chart and figure
// carries data-* attributes (points drawn, raw value) that the browser test reads.
"use strict";

const spec = JSON.parse(document.getElementById("spec").textContent);
const L = spec.labels;
const state = { brand: spec.brands.length ? spec.brands[0][0] : "", platform: "", from: "", to: "" };
const charts = {};

function objects(dataset) {
  return dataset.rows.map((row) => Object.fromEntries(dataset.columns.map((c, i) => [c, row[i]])));
}
const data = Object.fromEntries(
  Object.entries(spec.datasets).map(([name, d]) => [name, { ...d, objects: objects(d) }]),
);

function dateBounds() {
  const dates = [];
  for (const d of Object.values(data)) {
    if (d.date) for (const row of d.objects) if (row[d.date]) dates.push(row[d.date]);
  }
  dates.sort();
  return dates.length ? [dates[0], dates[dates.length - 1]] : null;
}

function format(value, fmt) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  if (typeof value === "boolean") return value ? "✔" : "";
  if (typeof value !== "number") return String(value);
  const lang = spec.lang === "fr" ? "fr-FR" : "en-GB";
  const digits = { int: 0, num1: 1, num2: 2, num4: 4, pct1: 1 }[fmt || "int"] ?? 2;
  if (fmt === "pct1") {
    return new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 }).format(value);
  }
  return new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(value);
}

function filtered(name) {
  const d = data[name];
  return d.objects.filter((row) => {
    if (row.brand_id !== state.brand) return false;
    if (state.platform && d.platform && row[d.platform] !== state.platform) return false;
    if (d.date && state.from && row[d.date] < state.from) return false;
    if (d.date && state.to && row[d.date] > state.to) return false;
    for (const s of spec.selects) {
      if (s.column in row && state[s.name] !== undefined && row[s.column] !== state[s.name]) {
        return false;
      }
    }
    return true;
  });
}

function aggregate(rows, panel, y) {
  const values = rows.map((r) => r[y]).filter((v) => v !== null && v !== undefined);
  if (panel.agg === "ratio") {
    const num = rows.reduce((s, r) => s + (r[panel.num] || 0), 0);
    const den = rows.reduce((s, r) => s + (r[panel.den] || 0), 0);
    return den ? num / den : null;
  }
  if (!values.length) return null;
  const sum = values.reduce((s, v) => s + v, 0);
  return panel.agg === "mean" ? sum / values.length : sum;
}

function groups(rows, keys) {
  const out = new Map();
  for (const row of rows) {
    const key = JSON.stringify(keys.map((k) => row[k]));
    if (!out.has(key)) out.set(key, []);
    out.get(key).push(row);
  }
  return out;
}

function erNote(rows) {
  const formulas = [...new Set(rows.filter((r) => r.er_formula).map(
    (r) => `${L["er_" + r.er_formula] || r.er_formula} (${r.er_formula}, ${r.er_formula_version})`,
  ))];
  return formulas.length ? `${L.er_formula}: ${formulas.join("; ")}` : "";
}

function panelBox(panel) {
  let box = document.getElementById(`panel-${panel.id}`);
  if (!box) {
    box = document.createElement("div");
    box.id = `panel-${panel.id}`;
    box.className = `panel ${panel.kind}`;
    box.dataset.panel = panel.id;
    box.dataset.kind = panel.kind;
    box.innerHTML = `<h2></h2><p class="formula"></p><div class="body"></div>`;
    document.getElementById("panels").appendChild(box);
  }
  return box;
}

function drawKpi(panel, rows, box) {
  const value = aggregate(rows, panel, panel.y);
  const body = box.querySelector(".body");
  body.textContent = format(value, panel.fmt);
  box.dataset.value = value === null ? "" : String(value);
  box.dataset.points = value === null ? "0" : "1";
}

function drawTable(panel, rows, box) {
  const sorted = [...rows].sort((a, b) => {
    const [x, y] = [a[panel.sort], b[panel.sort]];
    const order = x < y ? -1 : x > y ? 1 : 0;
    return panel.desc ? -order : order;
  }).slice(0, panel.limit || 50);
  const head = panel.columns.map(([, label]) => `<th>${L[label] || label}</th>`).join("");
  const body = sorted.map((row) => "<tr>" + panel.columns.map(
    ([col, , fmt]) => `<td data-column="${col}">${format(row[col], fmt)}</td>`,
  ).join("") + "</tr>").join("");
  box.querySelector(".body").innerHTML = sorted.length
    ? `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`
    : `<p class="empty">${L.none}</p>`;
  box.dataset.rows = String(sorted.length);
}

function chartOf(box) {
  const body = box.querySelector(".body");
  if (!charts[box.id]) charts[box.id] = echarts.init(body, null, { renderer: "canvas" });
  return charts[box.id];
}

function seriesOf(panel, rows) {
  const xs = [...new Set(rows.map((r) => r[panel.x]))].sort();
  const lines = [];
  const names = panel.ys || (panel.series ? [...new Set(rows.map((r) => r[panel.series]))].sort() : [panel.y || "value"]);
  for (const name of names) {
    const subset = panel.series ? rows.filter((r) => r[panel.series] === name) : rows;
    const y = panel.ys ? name : panel.y;
    const byX = groups(subset, [panel.x]);
    const values = xs.map((x) => {
      const g = byX.get(JSON.stringify([x]));
      return g ? aggregate(g, panel, y) : null;
    });
    lines.push({ name: L[name] || name, type: panel.kind, data: values, connectNulls: true });
  }
  if (panel.markers) {
    const crisis = xs.map((x) => rows.some((r) => r[panel.x] === x && r[panel.markers])
      ? aggregate(rows.filter((r) => r[panel.x] === x), panel, names[names.length - 1]) : null);
    lines.push({ name: L.crisis, type: "scatter", data: crisis, symbolSize: 12,
      itemStyle: { color: "#dc2626" } });
  }
  return { xs, lines };
}

function drawChart(panel, rows, box) {
  const chart = chartOf(box);
  const { xs, lines } = seriesOf(panel, rows);
  const points = lines.reduce((n, s) => n + s.data.filter((v) => v !== null).length, 0);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0, show: lines.length > 1 },
    grid: { top: 40, left: 60, right: 20, bottom: 40 },
    xAxis: { type: "category", data: xs },
    yAxis: { type: "value", axisLabel: { formatter: (v) => format(v, panel.fmt || "num2") } },
    series: lines,
  }, true);
  box.dataset.points = String(points);
  box.dataset.series = JSON.stringify({ xs, series: lines.map((s) => [s.name, s.data]) });
}

function drawHeatmap(panel, rows, box) {
  const chart = chartOf(box);
  const cells = [];
  for (const [key, g] of groups(rows, [panel.x, panel.y])) {
    const [x, y] = JSON.parse(key);
    const value = aggregate(g, { agg: "mean" }, panel.value);
    if (value !== null) cells.push([x, y - 1, Math.round(value * 100) / 100]);
  }
  const max = Math.max(1, ...cells.map((c) => c[2]));
  const days = spec.lang === "fr" ? ["lun", "mar", "mer", "jeu", "ven", "sam", "dim"]
    : ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
  chart.setOption({
    tooltip: {},
    grid: { top: 10, left: 50, right: 20, bottom: 70 },
    xAxis: { type: "category", data: [...Array(24).keys()] },
    yAxis: { type: "category", data: days },
    visualMap: { min: 0, max, calculable: true, orient: "horizontal", left: "center", bottom: 0 },
    series: [{ type: "heatmap", data: cells }],
  }, true);
  box.dataset.points = String(cells.length);
}

const DRAW = { kpi: drawKpi, table: drawTable, line: drawChart, bar: drawChart, heatmap: drawHeatmap };

function render() {
  for (const panel of spec.panels) {
    const rows = filtered(panel.dataset);
    const box = panelBox(panel);
    box.querySelector("h2").textContent = L[panel.title] || panel.title;
    box.querySelector(".formula").textContent = panel.er ? erNote(rows) : "";
    DRAW[panel.kind](panel, rows, box);
  }
  document.body.dataset.rendered = "yes";
}

function select(name, label, options, value) {
  const opts = options.map(([v, text]) => `<option value="${v}"${v === value ? " selected" : ""}>${text}</option>`);
  return `<label>${label} <select name="${name}">${opts.join("")}</select></label>`;
}

function filters() {
  const parts = [select("brand", L.brand, spec.brands, state.brand)];
  if (spec.platforms.length) {
    parts.push(select("platform", L.platform, [["", L.all], ...spec.platforms.map((p) => [p, p])], ""));
  }
  for (const s of spec.selects) {
    state[s.name] = s.options[0];
    const label = (v) => v.replace(/^(week|month) /, (m, p) => `${L[p] || p} `);
    parts.push(select(s.name, L[s.label], s.options.map((v) => [v, label(v)]), state[s.name]));
  }
  const bounds = spec.selects.some((s) => s.name === "period") ? null : dateBounds();
  if (bounds) {
    [state.from, state.to] = bounds;
    parts.push(`<label>${L.from} <input type="date" name="from" value="${bounds[0]}"></label>`);
    parts.push(`<label>${L.to} <input type="date" name="to" value="${bounds[1]}"></label>`);
  }
  const section = document.getElementById("filters");
  section.innerHTML = parts.join(" ");
  section.addEventListener("change", (event) => {
    state[event.target.name] = event.target.value;
    render();
  });
}

filters();
render();
window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
