// Catalog and availability: live stock and status, low/out badges, days-to-stock-out forecast,
// the freshness of each sheet and the validation issues staff should fix in the sheet.
//
// The item table is windowed: only the rows in view (plus a margin) are in the DOM, so 10,000
// items render as fast as 50 and a stock change re-renders a few dozen rows, not the catalog.
import { collection, doc, onSnapshot } from "firebase/firestore";
import { watchCollection } from "../live.js";
import { esc, formatDateTime, formatMoney, formatNumber, h, timeAgo } from "../format.js";

const ROW_HEIGHT = 40; // px; must match `.catalog-table tbody tr` in style.css
const OVERSCAN = 10;
const STATUS_LABEL = { in_stock: "In stock", low: "Low", out: "Out", unknown: "Unknown" };
const STATUS_RANK = { out: 0, low: 1, unknown: 2, in_stock: 3 };
const COLUMNS = [
  { key: "sku", label: "SKU", cls: "phone-hidden" },
  { key: "name", label: "Item" },
  { key: "category", label: "Category", cls: "wide-only" },
  { key: "price", label: "Price", cls: "num" },
  { key: "stock", label: "Stock", cls: "num" },
  { key: "status", label: "Status" },
  { key: "days", label: "Stock-out in", cls: "num" },
  { key: "updated", label: "Updated", cls: "wide-only" },
];

export function mountCatalog(section, { db, lite, tenant }) {
  const base = `tenants/${tenant}`;
  const items = new Map(); // sku -> catalog doc
  const availability = new Map(); // sku -> availability doc
  let tenantDoc = {};
  let sort = { key: "attention", dir: 1 };
  let rows = []; // the filtered, sorted view of the items
  let firstRenderDone = false;
  let catalogLoaded = false;

  const summary = h("p", { class: "summary", "aria-live": "polite" }, "Loading the catalog…");
  const sheets = h("div", { class: "sheets", role: "list", "aria-label": "Sheets" });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const search = h("input", { id: "catalog-search", type: "search", placeholder: "SKU, name or category", autocomplete: "off" });
  const statusFilter = h(
    "select",
    { id: "catalog-status" },
    h("option", { value: "" }, "All items"),
    h("option", { value: "attention" }, "Needs attention (low or out)"),
    ...Object.entries(STATUS_LABEL).map(([value, label]) => h("option", { value }, label)),
    h("option", { value: "stale" }, "Stale data"),
  );
  const headRow = h("tr", { "aria-rowindex": "1" });
  for (const col of COLUMNS) {
    const button = h("button", { type: "button", class: "sort", dataset: { key: col.key } }, col.label);
    button.addEventListener("click", () => {
      sort = sort.key === col.key ? { key: col.key, dir: -sort.dir } : { key: col.key, dir: 1 };
      refresh();
    });
    headRow.append(h("th", { scope: "col", class: col.cls || null, dataset: { key: col.key } }, button));
  }
  const tbody = h("tbody");
  const table = h("table", { class: "catalog-table", "aria-labelledby": "catalog-h" }, h("thead", {}, headRow), tbody);
  const scroller = h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "Catalog items, scrollable" }, table);
  const issuesBody = h("tbody");
  const issuesCount = h("span", { class: "count" });
  const issues = h(
    "details",
    { class: "card issues", id: "validation-issues" },
    h("summary", {}, h("h3", {}, "Validation issues to fix in the sheet "), issuesCount),
    h(
      "div",
      { class: "table-scroll short" },
      h(
        "table",
        { class: "issues-table" },
        h("thead", {}, h("tr", {}, ...["Row", "Column", "Value", "Problem"].map((t) => h("th", { scope: "col" }, t)))),
        issuesBody,
      ),
    ),
  );

  // The Info tab of the sheet (opening hours, address, delivery, ...): what the assistant answers.
  const infoBody = h("tbody");
  const infoCount = h("span", { class: "muted" });
  const info = h(
    "details",
    { class: "card info", id: "business-info" },
    h("summary", {}, h("h3", {}, "Info tab: answers about the business "), infoCount),
    h(
      "div",
      { class: "table-scroll short" },
      h(
        "table",
        { class: "issues-table info-table" },
        h("thead", {}, h("tr", {}, ...["Topic", "Answer", "Updated"].map((t) => h("th", { scope: "col" }, t)))),
        infoBody,
      ),
    ),
  );

  section.replaceChildren(
    h("h2", { id: "catalog-h" }, "Catalog and availability"),
    summary,
    sheets,
    error,
    h(
      "div",
      { class: "filters" },
      h("label", { for: "catalog-search" }, "Search"),
      search,
      h("label", { for: "catalog-status" }, "Show"),
      statusFilter,
    ),
    scroller,
    issues,
    info,
  );

  const currency = () => tenantDoc.currency || "USD";
  const statusOf = (sku, item) => availability.get(sku)?.status || item.status || "unknown";
  const stockOf = (sku, item) => (item.stock ?? availability.get(sku)?.stock ?? null);
  const staleOf = (sku) => Boolean(availability.get(sku)?.stale);

  function compare(a, b) {
    const [sa, ia] = a;
    const [sb, ib] = b;
    switch (sort.key) {
      case "attention": {
        const r = (STATUS_RANK[statusOf(sa, ia)] ?? 2) - (STATUS_RANK[statusOf(sb, ib)] ?? 2);
        if (r) return r;
        const da = availability.get(sa)?.days_to_stockout ?? Infinity;
        const dbb = availability.get(sb)?.days_to_stockout ?? Infinity;
        return da === dbb ? String(ia.name || sa).localeCompare(String(ib.name || sb)) : da - dbb;
      }
      case "price":
        return (ia.price_minor ?? -1) - (ib.price_minor ?? -1);
      case "stock":
        return (stockOf(sa, ia) ?? -1) - (stockOf(sb, ib) ?? -1);
      case "status":
        return (STATUS_RANK[statusOf(sa, ia)] ?? 2) - (STATUS_RANK[statusOf(sb, ib)] ?? 2);
      case "days":
        return (availability.get(sa)?.days_to_stockout ?? Infinity) - (availability.get(sb)?.days_to_stockout ?? Infinity);
      case "updated":
        return (ia.updated_at?.toMillis?.() ?? 0) - (ib.updated_at?.toMillis?.() ?? 0);
      default:
        return String(ia[sort.key] ?? sa).localeCompare(String(ib[sort.key] ?? sb), undefined, { numeric: true });
    }
  }

  function matches(sku, item, text, status) {
    if (text && !`${sku} ${item.name || ""} ${item.category || ""}`.toLowerCase().includes(text)) return false;
    if (!status) return true;
    const s = statusOf(sku, item);
    if (status === "attention") return s === "low" || s === "out";
    if (status === "stale") return staleOf(sku);
    return s === status;
  }

  function refresh() {
    const text = search.value.trim().toLowerCase();
    const status = statusFilter.value;
    rows = [];
    for (const entry of items) if (matches(entry[0], entry[1], text, status)) rows.push(entry);
    rows.sort((a, b) => sort.dir * compare(a, b));
    for (const th of headRow.children) {
      if (th.dataset.key === sort.key) th.setAttribute("aria-sort", sort.dir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    }
    table.setAttribute("aria-rowcount", String(rows.length + 1));
    renderSummary();
    renderWindow();
  }

  function renderSummary() {
    if (!catalogLoaded) return;
    const counts = { in_stock: 0, low: 0, out: 0, unknown: 0 };
    for (const [sku, item] of items) counts[statusOf(sku, item)] = (counts[statusOf(sku, item)] || 0) + 1;
    summary.replaceChildren(
      h("strong", {}, `${items.size.toLocaleString()} items`),
      ` · ${counts.in_stock} in stock · `,
      h("span", { class: "badge low" }, `${counts.low} low`),
      " ",
      h("span", { class: "badge out" }, `${counts.out} out`),
      counts.unknown ? ` · ${counts.unknown} unknown` : "",
      rows.length !== items.size ? ` · showing ${rows.length.toLocaleString()}` : "",
    );
  }

  function rowHtml([sku, item], index) {
    const a = availability.get(sku) || {};
    const status = statusOf(sku, item);
    const stock = stockOf(sku, item);
    const days = a.days_to_stockout;
    const lead = tenantDoc.lead_time_days ?? 7;
    const confidence = typeof a.confidence === "number" ? `${Math.round(a.confidence * 100)}%` : a.confidence ? esc(a.confidence) : "";
    const daysText =
      days === null || days === undefined
        ? "—"
        : `<span title="forecast confidence ${confidence || "unknown"}">${formatNumber(Math.round(days * 10) / 10)} d</span>${confidence ? ` <small class="conf">${confidence}</small>` : ""}`;
    const stale = a.stale ? ' <span class="badge stale" title="the sheet has not been read recently">stale</span>' : "";
    // What customers are told next: when an item is back, or a service's next free slot.
    const restock = item.restock_date && status !== "in_stock" ? `<small class="when">back ${esc(formatDay(item.restock_date))}</small>` : "";
    const service = item.kind === "service" || a.kind === "service";
    const slots = service ? `<small class="when">${a.next_free_slot ? `next ${esc(formatSlot(a.next_free_slot))}` : "no free slot"}</small>` : "";
    const stockText = service ? (a.free_slots === undefined ? "—" : `${esc(formatNumber(a.free_slots))} free`) : stock === null ? "—" : esc(formatNumber(stock));
    const inactive = item.active === false ? ' <span class="badge muted">inactive</span>' : "";
    return (
      `<tr data-sku="${esc(sku)}" aria-rowindex="${index + 2}" class="${item.active === false ? "inactive" : ""}">` +
      `<td class="mono phone-hidden">${esc(sku)}</td>` +
      `<td class="name" title="${esc(sku)} · ${esc(item.name)}"><span class="clamp">${esc(item.name)}</span>${inactive}</td>` +
      `<td class="wide-only">${esc(item.category)}</td>` +
      `<td class="num">${esc(formatMoney(item.price_minor, item.currency || currency()))}</td>` +
      `<td class="num stock">${stockText}</td>` +
      `<td class="status"><span class="badge ${esc(status)}">${esc(STATUS_LABEL[status] || status)}</span>${stale}${restock}${slots}</td>` +
      `<td class="num${days !== null && days !== undefined && days <= lead ? " soon" : ""}">${daysText}</td>` +
      `<td class="wide-only" title="${esc(formatDateTime(item.updated_at))}">${esc(timeAgo(item.updated_at))}</td>` +
      `</tr>`
    );
  }

  let frame = 0;
  function renderWindow() {
    frame = 0;
    if (!catalogLoaded) return;
    if (!rows.length) {
      tbody.innerHTML = `<tr><td colspan="${COLUMNS.length}" class="empty">${items.size ? "No item matches." : "The catalog is empty: no sheet has been read yet."}</td></tr>`;
    } else {
      const viewport = scroller.clientHeight || 800;
      const start = Math.max(0, Math.floor(scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
      const end = Math.min(rows.length, start + Math.ceil(viewport / ROW_HEIGHT) + 2 * OVERSCAN);
      let html = `<tr class="spacer" aria-hidden="true" style="height:${start * ROW_HEIGHT}px"></tr>`;
      for (let i = start; i < end; i++) html += rowHtml(rows[i], i);
      html += `<tr class="spacer" aria-hidden="true" style="height:${(rows.length - end) * ROW_HEIGHT}px"></tr>`;
      tbody.innerHTML = html;
    }
    if (!firstRenderDone) {
      firstRenderDone = true;
      // Read by bench/dashboard.py and the browser tests: when the first full catalog was shown.
      performance.mark("catalog-first-render", { detail: { items: items.size } });
      document.body.dataset.catalogItems = String(items.size);
    }
  }

  const scheduleWindow = () => {
    if (!frame) frame = requestAnimationFrame(renderWindow);
  };
  scroller.addEventListener("scroll", scheduleWindow, { passive: true });
  window.addEventListener("resize", scheduleWindow);
  document.addEventListener("view-shown", (e) => e.detail === "catalog" && scheduleWindow());
  search.addEventListener("input", refresh);
  statusFilter.addEventListener("change", refresh);

  const fail = (what) => (exc) => {
    error.hidden = false;
    error.textContent = `Cannot read ${what}: ${exc.code || exc.message}`;
  };

  // Listener updates are applied to the maps and rendered immediately: a sheet edit should reach
  // the screen in the same task that delivered it.
  const applyTo = (map) => (changes) => {
    for (const c of changes) {
      if (c.type === "removed") map.delete(c.id);
      else map.set(c.id, c.data);
    }
  };
  const applyItems = applyTo(items);
  watchCollection({
    db,
    lite,
    path: `${base}/catalog`,
    apply: (changes, { initial }) => {
      applyItems(changes);
      if (initial) performance.mark("catalog-snapshot");
      catalogLoaded = true;
      refresh();
    },
    onError: fail("the catalog"),
  });
  const applyAvailability = applyTo(availability);
  watchCollection({
    db,
    lite,
    path: `${base}/availability`,
    apply: (changes) => {
      applyAvailability(changes);
      if (catalogLoaded) refresh();
    },
    onError: fail("availability"),
  });
  onSnapshot(doc(db, base), (snap) => {
    tenantDoc = snap.data() || {};
    refresh();
  }, fail("the tenant settings"));

  onSnapshot(collection(db, `${base}/sheet_state`), (snap) => renderSheets(snap.docs), fail("sheet state"));
  onSnapshot(collection(db, `${base}/validation_issues`), (snap) => renderIssues(snap.docs), fail("validation issues"));
  onSnapshot(collection(db, `${base}/info`), (snap) => renderInfo(snap.docs), fail("the Info tab"));

  function renderInfo(docs) {
    const list = docs.map((d) => d.data()).sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    infoCount.textContent = `(${list.length} topics)`;
    info.open = list.length > 0 && list.length <= 12;
    infoBody.replaceChildren(
      ...(list.length
        ? list.map((i) =>
            h("tr", {}, h("td", {}, i.topic ?? ""), h("td", {}, i.answer ?? ""), h("td", { title: formatDateTime(i.updated_at) }, timeAgo(i.updated_at))),
          )
        : [h("tr", {}, h("td", { colspan: "3", class: "empty" }, "No Info tab: add one named Info (or Informações, Información, Informations, Informasi) with a topic and an answer per row."))]),
    );
  }

  function renderSheets(docs) {
    if (!docs.length) {
      sheets.replaceChildren(h("p", { class: "muted" }, "No sheet has been read yet."));
      return;
    }
    sheets.replaceChildren(
      ...docs.map((d) => {
        const s = d.data();
        const lastPoll = s.last_poll_at ?? s.last_checked_at;
        const lastChange = s.last_change_at ?? s.modified_time;
        const stale = s.stale === true;
        const problems = [...asList(s.last_error), ...asList(s.anomaly), ...asList(s.anomalies), ...asList(s.unknown_columns).map((c) => `unknown column: ${c}`)];
        const name = String(s.title || s.source || d.id).split(/[/:]/).pop();
        return h(
          "div",
          { class: `card sheet${stale ? " is-stale" : ""}`, role: "listitem", dataset: { sheet: d.id } },
          h("h3", { title: s.source || d.id }, name, " ", h("span", { class: `badge ${stale ? "stale" : "in_stock"}` }, stale ? "stale" : "fresh")),
          h(
            "dl",
            {},
            h("dt", {}, "Last read"),
            h("dd", { title: formatDateTime(lastPoll) }, timeAgo(lastPoll)),
            h("dt", {}, "Last change"),
            h("dd", { title: formatDateTime(lastChange) }, timeAgo(lastChange)),
            s.row_count !== undefined ? [h("dt", {}, "Rows"), h("dd", {}, `${formatNumber(s.row_count)}${s.invalid ? ` (${s.invalid} rejected)` : ""}`)] : null,
            s.consecutive_failures ? [h("dt", {}, "Failed reads"), h("dd", { class: "error" }, String(s.consecutive_failures))] : null,
          ),
          problems.length ? h("ul", { class: "problems" }, ...problems.map((p) => h("li", {}, p))) : null,
        );
      }),
    );
  }

  function renderIssues(docs) {
    const list = docs.map((d) => d.data()).sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
    issuesCount.textContent = String(list.length);
    issues.open = list.length > 0 && list.length <= 20;
    issuesBody.replaceChildren(
      ...(list.length
        ? list.slice(0, 500).map((i) =>
            h("tr", {}, h("td", { class: "num" }, i.row ?? "—"), h("td", {}, i.column ?? "—"), h("td", { class: "mono" }, i.value ?? ""), h("td", {}, i.problem ?? "")),
          )
        : [h("tr", {}, h("td", { colspan: "4", class: "empty" }, "No validation issues: every row was accepted."))]),
    );
  }
}

/** A sheet date (YYYY-MM-DD) as the browser's short date, e.g. "Dec 5". */
function formatDay(value) {
  const d = new Date(`${String(value).slice(0, 10)}T12:00:00Z`);
  return Number.isNaN(d.getTime()) ? String(value) : d.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
}

/** "2026-12-05 10:00" as "Sat, Dec 5, 10:00". */
function formatSlot(value) {
  const [date, time] = String(value).split(" ");
  const d = new Date(`${date}T12:00:00Z`);
  if (Number.isNaN(d.getTime())) return String(value);
  return `${d.toLocaleDateString(undefined, { weekday: "short", month: "short", day: "numeric", timeZone: "UTC" })} ${time || ""}`.trim();
}

function asList(value) {
  if (value === null || value === undefined || value === "") return [];
  if (Array.isArray(value)) return value.map((v) => (typeof v === "object" ? v.message || v.problem || JSON.stringify(v) : String(v)));
  if (typeof value === "object") return [value.message || JSON.stringify(value)];
  return [String(value)];
}
