// KPIs in the owner's words: today and the last 7 days in the shop's own timezone, money in the
// shop's currency, items by name. From tenants/{T}/analytics/hour_YYYY-MM-DDTHH (UTC hours), added
// up into the shop's local days (a UTC day document would cut the shop's day in the wrong place);
// the figures are derived from the counters as shared/analytics/kpis.py defines them.
import { collection, doc, documentId, endAt, getDoc, onSnapshot, orderBy, query, startAt } from "firebase/firestore";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { formatMoney, formatNumber, formatPercent, h } from "../format.js";

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

/** Adds period documents: numbers add, maps (histograms, per-SKU and per-currency counts) add per key. */
export function addPeriods(docs) {
  const total = {};
  for (const d of docs) {
    for (const [k, v] of Object.entries(d || {})) {
      if (typeof v === "number") total[k] = (total[k] || 0) + v;
      else if (v && typeof v === "object" && !Array.isArray(v) && typeof v.toDate !== "function") {
        const into = (total[k] ||= {});
        for (const [kk, vv] of Object.entries(v)) if (typeof vv === "number") into[kk] = (into[kk] || 0) + vv;
      }
    }
  }
  return total;
}

/** The shop's calendar date (YYYY-MM-DD) of an instant. */
export function localDay(date, timeZone) {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
}

function duration(v) {
  if (v === null || v === undefined) return "—";
  if (v < 1000) return "under a second";
  if (v < 60000) return `${Math.round(v / 1000)} seconds`;
  return `${(v / 60000).toFixed(1)} minutes`;
}

function usd(micros) {
  if (!micros) return formatMoney(0, "USD");
  return micros < 10000 ? "under $0.01" : formatMoney(Math.round(micros / 10000), "USD");
}

/** The tiles: [id, label, hint, value(doc, currency), format]. Plain words, no glossary needed. */
const TILES = [
  ["conversations", "Conversations", "customers who wrote", (d) => n(d, "conversations"), formatNumber],
  ["assistant", "Answered by the assistant", "conversations not passed to staff", (d) => Math.max(0, n(d, "conversations") - n(d, "handoffs")), formatNumber],
  ["staff", "Passed to staff", "customers who needed a person", (d) => n(d, "handoffs"), formatNumber],
  ["sales", "Sales from chats", "orders and bookings made in WhatsApp", (d, cur) => Number(d.revenue_minor_by_currency?.[cur] ?? 0), "money"],
  ["orders", "Orders and bookings", "made in chats", (d) => n(d, "conversions"), formatNumber],
  ["buy_rate", "Chats that bought", "conversations ending in an order or booking", (d) => ratio(n(d, "conversions"), n(d, "conversations")), formatPercent],
  ["reply_time", "Typical wait for a reply", "half the customers waited less", (d) => percentile(d.response_ms_hist, 0.5), duration],
  ["rating", "Customer rating", "out of 5, from the rating buttons", (d) => ratio(n(d, "rating_sum"), n(d, "ratings")), (v) => (v === null ? "—" : `${formatNumber(v)} / 5`)],
  ["new_customers", "New customers", "first message ever", (d) => n(d, "new_customers"), formatNumber],
  ["returning", "Returning customers", "share of conversations", (d) => ratio(n(d, "conversations_returning"), n(d, "conversations")), formatPercent],
  ["messages", "Customer messages", "messages received", (d) => n(d, "messages_in"), formatNumber],
  ["ai_cost", "Assistant cost", "AI service, in US dollars", (d) => n(d, "cost_micros"), usd],
];

export const PLAIN_LABELS = {
  events: "Events counted",
  messages_in: "Customer messages",
  messages_out: "Replies sent",
  conversations: "Conversations",
  conversations_returning: "Conversations with returning customers",
  new_customers: "New customers",
  handoffs: "Passed to staff",
  resolutions: "Questions resolved",
  ratings: "Ratings given",
  rating_sum: "Rating points",
  conversions: "Orders and bookings",
  conversions_order: "Orders",
  conversions_booking: "Bookings",
  replies_graded: "Replies checked against the catalog",
  replies_grounded: "Replies that matched the catalog",
  provider_calls: "Assistant (AI) requests",
  provider_fallbacks: "Answered by the backup AI",
  provider_errors: "AI requests that failed",
  tokens_in: "AI words read (tokens)",
  tokens_out: "AI words written (tokens)",
  cost_micros: "AI cost (millionths of a dollar)",
  sessions: "Chat sessions",
  session_seconds_sum: "Time in chats (seconds)",
  webhook_failures: "WhatsApp deliveries that failed",
  sentiment_count: "Messages with a mood",
  response_ms_count: "Replies timed",
};

// Counts: whole-number ticks only, room for 5-digit labels.
const COUNT_AXIS = { size: 56, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000] };
const hourId = (date) => `hour_${date.toISOString().slice(0, 13)}`;

export function mountKpis(section, { db, tenant }) {
  const base = `tenants/${tenant}/analytics`;
  const heading = h("h3", {}, "Today");
  const tiles = h("div", { class: "tiles", role: "list", "aria-label": "Today" });
  const chartDays = h("figure", { class: "chart card" });
  const chartHours = h("figure", { class: "chart card" });
  const tableBody = h("tbody");
  const tableHead = h("tr");
  const top = h("div", { class: "card top-items" });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  section.replaceChildren(
    h("h2", { id: "kpis-h" }, "How the shop is doing"),
    error,
    heading,
    tiles,
    top,
    h("div", { class: "charts" }, chartDays, chartHours),
    h("details", { class: "card" }, h("summary", {}, h("h3", {}, "Every figure, last 7 days")), h("div", { class: "table-scroll short" }, h("table", {}, h("thead", {}, tableHead), tableBody))),
  );
  let shop = { currency: "USD", timezone: "UTC" };
  let hours = new Map(); // hour id -> counters
  let plots = [];
  let stop = null;
  let windowStart = null;
  const names = new Map(); // sku -> item name

  const fail = (exc) => {
    error.hidden = false;
    error.textContent = `Cannot read the figures: ${exc.code || exc.message}`;
  };

  /** The last 7 local days (oldest first) and, for each, its hour documents. */
  function days() {
    const keys = [];
    for (let i = 6; i >= 0; i--) keys.push(localDay(new Date(Date.now() - i * 86400000), shop.timezone));
    return [...new Set(keys)];
  }

  function subscribe() {
    // 8 UTC days back covers 7 local days in any timezone; the ids sort as times do.
    const start = hourId(new Date(Date.now() - 8 * 86400000));
    if (start.slice(0, 15) === windowStart) return;
    windowStart = start.slice(0, 15);
    stop?.();
    stop = onSnapshot(
      query(collection(db, base), orderBy(documentId()), startAt(start), endAt(hourId(new Date(Date.now() + 3600000)))),
      (snap) => {
        hours = new Map(snap.docs.map((d) => [d.id, d.data()]));
        render();
      },
      fail,
    );
  }

  function byLocalDay() {
    const groups = new Map();
    for (const [id, data] of hours) {
      const at = new Date(`${id.slice(5)}:00:00Z`);
      const day = localDay(at, shop.timezone);
      if (!groups.has(day)) groups.set(day, []);
      groups.get(day).push(data);
    }
    return new Map([...groups].map(([day, docs]) => [day, addPeriods(docs)]));
  }

  function render() {
    const keys = days();
    const totals = byLocalDay();
    const today = totals.get(keys.at(-1)) || {};
    heading.textContent = `Today, ${new Intl.DateTimeFormat(undefined, { timeZone: shop.timezone, weekday: "long", day: "numeric", month: "long" }).format(new Date())} (${shop.timezone.replaceAll("_", " ")} time)`;
    tiles.replaceChildren(
      ...TILES.map(([id, label, hint, value, format]) => {
        const v = value(today, shop.currency);
        const shown = format === "money" ? formatMoney(v, shop.currency) : format(v);
        return h("div", { class: "tile card", role: "listitem", dataset: { kpi: id } }, h("span", { class: "label" }, label), h("span", { class: "value" }, shown), h("span", { class: "hint muted" }, hint));
      }),
    );
    renderTop(today);
    renderTable(keys, totals);
    renderCharts(keys, totals);
  }

  async function nameOf(sku) {
    if (!names.has(sku)) {
      names.set(sku, sku);
      try {
        const snap = await getDoc(doc(db, `tenants/${tenant}/catalog/${sku}`));
        if (snap.exists() && snap.data().name) {
          names.set(sku, snap.data().name);
          render();
        }
      } catch {
        // keep the code: better than nothing
      }
    }
    return names.get(sku);
  }

  function renderTop(today) {
    const list = (map) =>
      Object.entries(map || {})
        .filter(([sku]) => sku !== "_other")
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([sku, c]) => {
          nameOf(sku);
          return h("li", { dataset: { sku } }, h("span", { class: "item-name" }, names.get(sku) || sku), h("span", { class: "muted" }, ` — asked ${c} time${c === 1 ? "" : "s"}`));
        });
    const asked = list(today.asked);
    const out = list(today.asked_out_of_stock);
    top.replaceChildren(
      h("div", {}, h("h3", {}, "Most asked-for items today"), asked.length ? h("ol", {}, ...asked) : h("p", { class: "muted" }, "Nobody asked about an item yet today.")),
      h("div", {}, h("h3", {}, "Asked for while out of stock"), out.length ? h("ol", {}, ...out) : h("p", { class: "muted" }, "Nothing — every item asked for was in stock."), out.length ? h("p", { class: "advice" }, "Restock these or add a restock date in the sheet: customers are asking.") : null),
    );
  }

  function renderTable(keys, totals) {
    const fields = new Set();
    for (const d of totals.values()) for (const [k, v] of Object.entries(d)) if (typeof v === "number") fields.add(k);
    const label = (k) => new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", timeZone: "UTC" }).format(new Date(`${k}T12:00:00Z`));
    tableHead.replaceChildren(h("th", { scope: "col" }, "Figure"), ...keys.map((k) => h("th", { scope: "col", class: "num" }, label(k))));
    tableBody.replaceChildren(
      ...(fields.size
        ? [...fields]
            .sort((a, b) => (PLAIN_LABELS[a] || a).localeCompare(PLAIN_LABELS[b] || b))
            .map((f) => h("tr", { dataset: { field: f } }, h("th", { scope: "row" }, PLAIN_LABELS[f] || f.replaceAll("_", " ")), ...keys.map((k) => h("td", { class: "num" }, formatNumber(totals.get(k)?.[f] ?? 0)))))
        : [h("tr", {}, h("td", { colspan: "8", class: "empty" }, "Nothing counted in the last 7 days yet."))]),
    );
  }

  function renderCharts(keys, totals) {
    plots.forEach((p) => p.destroy());
    const width = Math.max(260, Math.min(540, (section.clientWidth || 1100) / 2 - 40));
    const tzDate = (ts) => uPlot.tzDate(new Date(ts * 1000), shop.timezone);
    const x = keys.map((k) => Date.parse(`${k}T12:00:00Z`) / 1000);
    const dayPlot = new uPlot(
      {
        title: "Messages per day (last 7 days)",
        width,
        height: 220,
        series: [{}, { label: "From customers", stroke: "#2563eb", width: 2 }, { label: "Replies", stroke: "#16a34a", width: 2 }, { label: "Conversations", stroke: "#d97706", width: 2 }],
        axes: [{}, COUNT_AXIS],
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
      },
      [x, keys.map((k) => n(totals.get(k), "messages_in")), keys.map((k) => n(totals.get(k), "messages_out")), keys.map((k) => n(totals.get(k), "conversations"))],
      chartDays,
    );
    // Today's hours, in the shop's time.
    const today = keys.at(-1);
    // Every hour of the shop's today (23 to 25 of them around a clock change), zero when quiet.
    const hx = [];
    const hin = [];
    const hout = [];
    const now = Date.now();
    for (let t = Math.floor(now / 3600000) * 3600000 - 26 * 3600000; t <= now + 24 * 3600000; t += 3600000) {
      const at = new Date(t);
      if (localDay(at, shop.timezone) !== today) continue;
      const data = hours.get(hourId(at));
      hx.push(t / 1000);
      hin.push(n(data, "messages_in"));
      hout.push(n(data, "messages_out"));
    }
    const hourPlot = new uPlot(
      {
        title: `Messages per hour today (${shop.timezone.replaceAll("_", " ")} time)`,
        width,
        height: 220,
        series: [{}, { label: "From customers", stroke: "#2563eb", fill: "rgba(37,99,235,.15)", width: 2 }, { label: "Replies", stroke: "#16a34a", width: 2 }],
        axes: [{}, COUNT_AXIS],
        tzDate,
      },
      [hx, hin, hout],
      chartHours,
    );
    plots = [dayPlot, hourPlot];
    chartDays.setAttribute("aria-label", `Messages per day, last 7 days: ${keys.map((k) => `${k} ${n(totals.get(k), "messages_in")} from customers, ${n(totals.get(k), "messages_out")} replies`).join("; ")}`);
    chartHours.setAttribute("aria-label", "Messages per hour today");
    chartDays.setAttribute("role", "img");
    chartHours.setAttribute("role", "img");
  }

  document.addEventListener("view-shown", (e) => e.detail === "kpis" && render());
  setInterval(subscribe, 60000); // a new hour moves the window
  onSnapshot(
    doc(db, `tenants/${tenant}`),
    (snap) => {
      const data = snap.data() || {};
      let timezone = data.timezone || "UTC";
      try {
        new Intl.DateTimeFormat("en", { timeZone: timezone });
      } catch {
        timezone = "UTC"; // a mistyped zone in the settings: show UTC rather than nothing
      }
      shop = { currency: data.currency || "USD", timezone };
      subscribe();
      render();
    },
    fail,
  );
}
