// Alerts: open and acknowledged alerts live, acknowledge, and the recently resolved ones.
import { collection, doc, getDoc, limit, onSnapshot, orderBy, query, serverTimestamp, updateDoc, where } from "firebase/firestore";
import { formatDateTime, h, timeAgo } from "../format.js";

/** What to do about each kind of alert, in plain words (`item` is the item's name). */
export const ADVICE = {
  low_stock_predicted: (d, item) => `Order more ${item} now: at today's pace it runs out before a delivery ordered today would arrive.`,
  in_demand_out_of_stock: (d, item) => `Restock ${item}, or put its restock date in the sheet so the assistant can tell customers when it is back.`,
  sheet_stale: () => "Open the catalog sheet and check it is still shared with the service account; until it is read again, customers may be told old stock.",
  sheet_read_failed: () => "Check that the sheet still exists and is shared with the service account (Share › Viewer); the last good catalog stays in use meanwhile.",
  validation_issues: () => "Fix the listed cells in the sheet (Catalog › Problems to fix shows each one); the rest of the catalog is used as it is.",
  satisfaction_drop: () => "Read the latest conversations in the Inbox (filter: Needs staff) to see what customers are unhappy about.",
  grounding_drop: () => "Check the prices and stock in the sheet: the assistant's answers were replaced by safe templates because they did not match the catalog.",
  provider_degraded: () => "Nothing to do right away: the assistant switches to another AI service. If it lasts, check the AI provider's status page and your API key.",
  webhook_failures: () => "Check the WhatsApp webhook settings in Meta Business Manager and the Status view; customers' messages may not be arriving.",
};

const SENSITIVE_DETAILS = new Set(["sheet_id", "examples", "key"]);

/** One detail value as words: lists joined, maps as "key value" pairs, never raw JSON. */
export function detailText(value) {
  if (value === null || value === undefined) return "—";
  if (Array.isArray(value)) return value.map(detailText).join("; ");
  if (typeof value === "object") {
    if (typeof value.toDate === "function") return formatDateTime(value);
    return Object.entries(value).map(([k, v]) => `${humanize(k).toLowerCase()} ${detailText(v)}`).join(", ");
  }
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T/.test(value)) return formatDateTime(value);
  if (typeof value === "number" && !Number.isInteger(value)) return value.toFixed(value < 1 ? 2 : 1);
  return String(value);
}

const SEVERITY_RANK = { critical: 0, high: 1, warning: 2, medium: 2, low: 3, info: 4 };

export function mountAlerts(section, { db, tenant, uid }) {
  const base = `tenants/${tenant}/alerts`;
  const names = new Map();
  const itemName = (sku, rerender) => {
    if (!sku) return "this item";
    if (!names.has(sku)) {
      names.set(sku, sku);
      getDoc(doc(db, `tenants/${tenant}/catalog/${sku}`))
        .then((snap) => snap.exists() && snap.data().name && (names.set(sku, snap.data().name), rerender()))
        .catch(() => {});
    }
    return names.get(sku);
  };
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const active = h("ul", { class: "alerts", "aria-labelledby": "alerts-active-h" });
  const resolved = h("ul", { class: "alerts resolved", "aria-labelledby": "alerts-resolved-h" });
  section.replaceChildren(
    h("h2", { id: "alerts-h" }, "Alerts"),
    error,
    h("h3", { id: "alerts-active-h" }, "Open"),
    active,
    h("details", { class: "card" }, h("summary", {}, h("h3", { id: "alerts-resolved-h" }, "Recently resolved")), resolved),
  );
  const fail = (what) => (exc) => {
    error.hidden = false;
    error.textContent = `Cannot ${what}: ${exc.code || exc.message}`;
  };

  let lastActive = [];
  const renderActive = () => active.replaceChildren(...(lastActive.length ? lastActive.map(card) : [h("li", { class: "muted empty" }, "No open alerts: all is well.")]));

  // Composite index (status ASC, last_seen DESC): declared in firestore.indexes.json.
  onSnapshot(
    query(collection(db, base), where("status", "in", ["open", "acknowledged"]), orderBy("last_seen", "desc"), limit(200)),
    (snap) => {
      const alerts = snap.docs.map((d) => ({ id: d.id, ...d.data() }));
      lastActive = alerts;
      alerts.sort((a, b) => (a.status === b.status ? (SEVERITY_RANK[a.severity] ?? 5) - (SEVERITY_RANK[b.severity] ?? 5) : a.status === "open" ? -1 : 1));
      renderActive();
      const open = alerts.filter((a) => a.status === "open").length;
      const badge = document.getElementById("alerts-count");
      badge.hidden = open === 0;
      badge.textContent = String(open);
      badge.setAttribute("aria-label", `${open} open`);
    },
    fail("read alerts"),
  );
  onSnapshot(
    query(collection(db, base), where("status", "==", "resolved"), orderBy("last_seen", "desc"), limit(50)),
    (snap) => resolved.replaceChildren(...(snap.empty ? [h("li", { class: "muted empty" }, "Nothing resolved yet.")] : snap.docs.map((d) => card({ id: d.id, ...d.data() })))),
    fail("read resolved alerts"),
  );

  function card(a) {
    const acknowledge = async (event) => {
      event.target.disabled = true;
      try {
        await updateDoc(doc(db, `${base}/${a.id}`), { status: "acknowledged", acknowledged_at: serverTimestamp(), acknowledged_by: uid });
      } catch (exc) {
        event.target.disabled = false;
        fail("acknowledge")(exc);
      }
    };
    const details = a.details && typeof a.details === "object" ? Object.entries(a.details).filter(([k]) => !SENSITIVE_DETAILS.has(k)) : [];
    const sku = a.details?.sku;
    const item = sku ? itemName(sku, renderActive) : null;
    // Server titles name the SKU; staff know the item by its name.
    const title = (a.title || humanize(a.type || "alert")).replaceAll(sku || "\u0000", item || sku || "");
    const message = (a.message || "").replaceAll(sku || "\u0000", item || sku || "");
    const advice = ADVICE[a.type]?.(a.details || {}, item || "this item");
    return h(
      "li",
      { class: `card alert sev-${a.severity || "info"} st-${a.status}`, dataset: { id: a.id, key: a.key || "", status: a.status } },
      h(
        "div",
        { class: "alert-head" },
        h("span", { class: `badge sev-${a.severity || "info"}` }, a.severity || "info"),
        h("strong", {}, title),
        h("span", { class: "muted" }, a.status),
      ),
      message ? h("p", {}, message) : null,
      advice && a.status !== "resolved" ? h("p", { class: "advice" }, h("strong", {}, "What to do: "), advice) : null,
      details.length
        ? h("details", {}, h("summary", {}, "Details"), h("dl", { class: "details" }, ...details.slice(0, 8).flatMap(([k, v]) => [h("dt", {}, humanize(k)), h("dd", {}, k === "sku" ? `${item} (${v})` : detailText(v))])))
        : null,
      h(
        "p",
        { class: "meta" },
        `first seen ${timeAgo(a.first_seen)} · last seen `,
        h("time", { title: formatDateTime(a.last_seen) }, timeAgo(a.last_seen)),
        a.status === "acknowledged" ? ` · acknowledged ${timeAgo(a.acknowledged_at)}${a.acknowledged_by ? ` by ${a.acknowledged_by}` : ""}` : "",
        a.status === "resolved" && a.resolved_at ? ` · resolved ${timeAgo(a.resolved_at)}` : "",
      ),
      a.status === "open" ? h("button", { type: "button", class: "primary", onclick: acknowledge }, "Acknowledge") : null,
    );
  }
}

export function humanize(key) {
  const text = String(key).replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
