// The results as a table (each figure and its ratio to raw JS) and as bar charts in
// inline SVG, one chart per figure.

const SVG = "http://www.w3.org/2000/svg";
const BAR_HEIGHT = 18;
const LABEL_WIDTH = 90;
const CHART_WIDTH = 640;

/** A number as people read it: grouped thousands, fewer decimals for bigger values. */
export function formatValue(value, unit) {
  if (value === undefined) return "…";
  if (unit === "bytes" || unit === "packets") return Math.round(value).toLocaleString("en-US");
  return value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2);
}

/** value / raw, or a dash where there is no meaningful ratio (raw JS loads 0 bytes). */
export function ratio(value, raw) {
  if (value === undefined || !raw) return "—";
  return `${(value / raw).toFixed(2)}×`;
}

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A figure some contenders do not have (`only: "mesh"`: those without a mesh kind). */
const measures = (figure, result) => figure.only === undefined || Boolean(result[figure.only]);
function shown(figure, result) {
  if (!measures(figure, result)) return "—";
  if (result.values[figure.key] === undefined && result.failed?.[figure.key]) return "failed";
  return formatValue(result.values[figure.key], figure.unit);
}

/** One footer row per figure a contender failed to measure, with the reasons. */
function failures(node, results, columns) {
  const foot = node.createTFoot();
  for (const r of results) {
    for (const [key, reasons] of Object.entries(r.failed ?? {})) {
      const cell = foot.insertRow().insertCell();
      cell.colSpan = columns;
      cell.className = "failure";
      cell.textContent = `${r.name}, ${key} failed: ${reasons.join("; ")}`;
    }
  }
}

function table(figures, results) {
  const node = document.getElementById("results");
  node.replaceChildren();
  const head = node.createTHead().insertRow();
  for (const title of ["figure", ...results.map((r) => r.name)]) {
    const th = document.createElement("th");
    th.textContent = title;
    head.append(th);
  }
  const body = node.createTBody();
  for (const figure of figures) {
    const { key, title, unit, better } = figure;
    const row = body.insertRow();
    row.insertCell().textContent = `${title}, ${unit} (${better} is better)`;
    const raw = results[0].values[key];
    for (const [i, r] of results.entries()) {
      const cell = row.insertCell();
      cell.textContent = shown(figure, r);
      if (i > 0 && measures(figure, r)) {
        const small = document.createElement("span");
        small.className = "ratio";
        small.textContent = ` ${ratio(r.values[key], raw)}`;
        cell.append(small);
      }
    }
  }
  failures(node, results, results.length + 1);
}

function chart(figure, allResults) {
  const { key, title, unit, better } = figure;
  const results = allResults.filter((r) => measures(figure, r));
  const values = results.map((r) => r.values[key]);
  const max = Math.max(...values.filter((v) => v !== undefined), 1e-9);
  const height = results.length * (BAR_HEIGHT + 6) + 26;
  const root = svg("svg", { viewBox: `0 0 ${CHART_WIDTH} ${height}`, role: "img", "aria-label": title });
  root.append(svg("text", { x: 0, y: 14, class: "chart-title" }, `${title}, ${unit} (${better} is better)`));
  const barSpace = CHART_WIDTH - LABEL_WIDTH - 150;
  for (const [i, r] of results.entries()) {
    const y = 24 + i * (BAR_HEIGHT + 6);
    const value = values[i];
    const width = value === undefined ? 0 : Math.max(1, (barSpace * value) / max);
    root.append(svg("text", { x: 0, y: y + BAR_HEIGHT - 5, class: "chart-label" }, r.name));
    root.append(svg("rect", { x: LABEL_WIDTH, y, width, height: BAR_HEIGHT, rx: 3, class: i === 0 ? "bar raw" : "bar" }));
    const label = i === 0 ? formatValue(value, unit) : `${formatValue(value, unit)} (${ratio(value, values[0])})`;
    root.append(svg("text", { x: LABEL_WIDTH + width + 6, y: y + BAR_HEIGHT - 5, class: "chart-value" }, label));
  }
  return root;
}

/** Redraws the table and every chart from `results` ([{name, values: {key: number}}]). */
export function render(figures, results) {
  table(figures, results);
  const charts = document.getElementById("charts");
  charts.replaceChildren(...figures.map((figure) => chart(figure, results)));
}
