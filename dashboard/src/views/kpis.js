// KPIs: tiles for today and charts for the last 7 days, from tenants/{T}/analytics/{period}
// (ids `day_YYYY-MM-DD` and `hour_YYYY-MM-DDTHH`, UTC). The period documents hold counters; the
// KPIs are derived from them the same way shared/analytics/kpis.py defines them.
import { collection, doc, documentId, endAt, onSnapshot, orderBy, query, startAt } from "firebase/firestore";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { formatMoney, formatNumber, formatPercent, h } from "../format.js";
import { humanize } from "./alerts.js";

const n = (d, k) => (Number.isFinite(Number(d?.[k])) ? Number(d[k]) : 0);
const ratio = (a, b) => (b ? a / b : null);

/** Upper-bound buckets about 25% apart (shared/analytics/histogram.py). */
const BOUNDS = [...new Set(Array.from({ length: 39 }, (_, i) => Math.round(25 * 1.25 ** i)).filter((v, i) => 25 * 1.25 ** i <= 120000))].sort((a, b) => a - b);

export function percentile(hist, q) {
  const items = Object.entries(hist || {})
    .map(([k, v]) => [k === "inf" ? Infinity : Number(k), Number(v)])
    .filter(([, v]) => v > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = items.reduce((s, [, v]) => s + v, 0);
  if (!total) return null;
  const rank = q * total;
  let seen = 0;
  for (const [upper, count] of items) {
    if (seen + count >= rank) {
      const i = BOUNDS.indexOf(upper);
      const lower = upper === Infinity ? BOUNDS.at(-1) : i > 0 ? BOUNDS[i - 1] : 0;
      if (upper === Infinity) return lower;
      return lower + ((upper - lower) * Math.max(0, rank - seen)) / count;
    }
    seen += count;
  }
  return items.at(-1)[0];
}

/** The tiles: [id, label, value(doc, currency), format]. */
const TILES = [
  ["conversations", "Conversations", (d) => n(d, "conversations"), formatNumber],
  ["messages_in", "Messages in", (d) => n(d, "messages_in"), formatNumber],
  ["messages_out", "Replies sent", (d) => n(d, "messages_out"), formatNumber],
  ["response_p50", "Median reply time", (d) => percentile(d.response_ms_hist, 0.5), ms],
  ["response_p95", "95th pct reply time", (d) => percentile(d.response_ms_hist, 0.95), ms],
  ["satisfaction", "Satisfaction (1–5)", (d) => ratio(n(d, "rating_sum"), n(d, "ratings")), formatNumber],
  ["resolution_rate", "Resolution rate", (d) => ratio(n(d, "resolutions"), n(d, "conversations")), formatPercent],
  ["handoff_rate", "Hand-off rate", (d) => ratio(n(d, "handoffs"), n(d, "conversations")), formatPercent],
  ["grounding", "Grounded replies", (d) => ratio(n(d, "replies_grounded"), n(d, "replies_graded")), formatPercent],
  ["fallback_rate", "AI fallback rate", (d) => ratio(n(d, "provider_fallbacks"), n(d, "provider_calls")), formatPercent],
  ["cost_per_conv", "AI cost / conversation", (d) => ratio(n(d, "cost_micros") / 1e6, n(d, "conversations")), (v) => (v === null ? "—" : `$${v.toFixed(4)}`)],
  ["conversions", "Orders + bookings", (d) => n(d, "conversions"), formatNumber],
  ["conversion_rate", "Conversion rate", (d) => ratio(n(d, "conversions"), n(d, "conversations")), formatPercent],
  ["revenue", "Attributed revenue", (d, cur) => Number(d.revenue_minor_by_currency?.[cur] ?? 0), null],
  ["new_customers", "New customers", (d) => n(d, "new_customers"), formatNumber],
  ["webhook_failures", "Webhook failures", (d) => n(d, "webhook_failures"), formatNumber],
];
const KNOWN_LABELS = {
  events: "Events",
  tokens_in: "AI tokens in",
  tokens_out: "AI tokens out",
  cost_micros: "AI cost (µ$)",
  handoffs: "Hand-offs",
  resolutions: "Resolutions",
  ratings: "Ratings",
  provider_calls: "AI calls",
  provider_fallbacks: "AI fallbacks",
  provider_errors: "AI errors",
  conversations_returning: "Returning-customer conversations",
  response_ms_count: "Timed replies",
};

function ms(v) {
  if (v === null || v === undefined) return "—";
  return v >= 1000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;
}

// Counts: whole-number ticks only, room for 5-digit labels.
const COUNT_AXIS = { size: 56, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000] };
const utcDay = (date) => date.toISOString().slice(0, 10);
const utcDate = (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); // period ids are UTC

export function mountKpis(section, { db, tenant }) {
  const base = `tenants/${tenant}/analytics`;
  const tiles = h("div", { class: "tiles", role: "list", "aria-label": "Today" });
  const chartDays = h("figure", { class: "chart card" });
  const chartHours = h("figure", { class: "chart card" });
  const tableBody = h("tbody");
  const tableHead = h("tr");
  const top = h("div", { class: "card top-items" });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  section.replaceChildren(
    h("h2", { id: "kpis-h" }, "KPIs"),
    error,
    h("h3", {}, "Today (UTC)"),
    tiles,
    h("div", { class: "charts" }, chartDays, chartHours),
    top,
    h("details", { class: "card" }, h("summary", {}, h("h3", {}, "Every counter, last 7 days")), h("div", { class: "table-scroll short" }, h("table", {}, h("thead", {}, tableHead), tableBody))),
  );
  let currency = "USD";
  let days = new Map();
  let hours = new Map();
  let plots = [];
  let stops = [];
  let subscribedDay = null;

  const fail = (exc) => {
    error.hidden = false;
    error.textContent = `Cannot read analytics: ${exc.code || exc.message}`;
  };

  function subscribe() {
    const today = utcDay(new Date());
    if (today === subscribedDay) return;
    subscribedDay = today;
    stops.forEach((s) => s());
    const first = utcDay(new Date(Date.now() - 6 * 86400000));
    const col = collection(db, base);
    stops = [
      onSnapshot(query(col, orderBy(documentId()), startAt(`day_${first}`), endAt(`day_${today}`)), (snap) => {
        days = new Map(snap.docs.map((d) => [d.id.slice(4), d.data()]));
        render();
      }, fail),
      onSnapshot(query(col, orderBy(documentId()), startAt(`hour_${today}T00`), endAt(`hour_${today}T23`)), (snap) => {
        hours = new Map(snap.docs.map((d) => [Number(d.id.slice(-2)), d.data()]));
        render();
      }, fail),
    ];
  }
  subscribe();
  setInterval(subscribe, 60000); // a new UTC day moves the window

  function render() {
    const today = days.get(subscribedDay) || {};
    tiles.replaceChildren(
      ...TILES.map(([id, label, value, format]) => {
        const v = value(today, currency);
        return h("div", { class: "tile card", role: "listitem", dataset: { kpi: id } }, h("span", { class: "label" }, label), h("span", { class: "value" }, format ? format(v) : formatMoney(v, currency)));
      }),
    );
    renderTop(today);
    renderTable();
    renderCharts();
  }

  function renderTop(today) {
    const list = (map) => Object.entries(map || {}).sort((a, b) => b[1] - a[1]).slice(0, 5).map(([sku, c]) => h("li", {}, `${sku} — ${c}`));
    const asked = list(today.asked);
    const out = list(today.asked_out_of_stock);
    top.replaceChildren(
      h("div", {}, h("h3", {}, "Most asked-for today"), asked.length ? h("ol", {}, ...asked) : h("p", { class: "muted" }, "—")),
      h("div", {}, h("h3", {}, "Asked for while out of stock"), out.length ? h("ol", {}, ...out) : h("p", { class: "muted" }, "—")),
    );
  }

  function dayKeys() {
    return Array.from({ length: 7 }, (_, i) => utcDay(new Date(Date.now() - (6 - i) * 86400000)));
  }

  function renderTable() {
    const keys = dayKeys();
    const fields = new Set();
    for (const d of days.values()) for (const [k, v] of Object.entries(d)) if (typeof v === "number") fields.add(k);
    tableHead.replaceChildren(h("th", { scope: "col" }, "Counter"), ...keys.map((k) => h("th", { scope: "col", class: "num" }, k.slice(5))));
    tableBody.replaceChildren(
      ...(fields.size
        ? [...fields].sort().map((f) => h("tr", { dataset: { field: f } }, h("th", { scope: "row" }, KNOWN_LABELS[f] || humanize(f)), ...keys.map((k) => h("td", { class: "num" }, formatNumber(days.get(k)?.[f] ?? 0)))))
        : [h("tr", {}, h("td", { colspan: "8", class: "empty" }, "Nothing counted in the last 7 days yet."))]),
    );
  }

  function renderCharts() {
    plots.forEach((p) => p.destroy());
    const width = Math.max(260, Math.min(540, (section.clientWidth || 1100) / 2 - 40));
    const keys = dayKeys();
    const x = keys.map((k) => Date.parse(`${k}T00:00:00Z`) / 1000);
    const dayPlot = new uPlot(
      {
        title: "Messages per day (last 7 days)",
        width,
        height: 220,
        series: [{}, { label: "In", stroke: "#2563eb", width: 2 }, { label: "Out", stroke: "#16a34a", width: 2 }, { label: "Conversations", stroke: "#d97706", width: 2 }],
        axes: [{}, COUNT_AXIS],
        tzDate: utcDate,
      },
      [x, keys.map((k) => n(days.get(k), "messages_in")), keys.map((k) => n(days.get(k), "messages_out")), keys.map((k) => n(days.get(k), "conversations"))],
      chartDays,
    );
    const hx = Array.from({ length: 24 }, (_, i) => Date.parse(`${subscribedDay}T00:00:00Z`) / 1000 + i * 3600);
    const hourPlot = new uPlot(
      {
        title: "Messages per hour today (UTC)",
        width,
        height: 220,
        series: [{}, { label: "In", stroke: "#2563eb", fill: "rgba(37,99,235,.15)", width: 2 }, { label: "Out", stroke: "#16a34a", width: 2 }],
        axes: [{}, COUNT_AXIS],
        tzDate: utcDate,
      },
      [hx, hx.map((_, i) => n(hours.get(i), "messages_in")), hx.map((_, i) => n(hours.get(i), "messages_out"))],
      chartHours,
    );
    plots = [dayPlot, hourPlot];
    chartDays.setAttribute("aria-label", `Messages per day, last 7 days: ${keys.map((k) => `${k} ${n(days.get(k), "messages_in")} in, ${n(days.get(k), "messages_out")} out`).join("; ")}`);
    chartHours.setAttribute("aria-label", "Messages per hour today");
    chartDays.setAttribute("role", "img");
    chartHours.setAttribute("role", "img");
  }

  document.addEventListener("view-shown", (e) => e.detail === "kpis" && render());
  onSnapshot(doc(db, `tenants/${tenant}`), (snap) => {
    currency = snap.data()?.currency || "USD";
    render();
  }, fail);
}
