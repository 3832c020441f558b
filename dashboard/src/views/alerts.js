// Alerts: open and acknowledged alerts live, acknowledge, and the recently resolved ones.
import { collection, doc, limit, onSnapshot, orderBy, query, serverTimestamp, updateDoc, where } from "firebase/firestore";
import { formatDateTime, h, timeAgo } from "../format.js";

const SEVERITY_RANK = { critical: 0, high: 1, warning: 2, medium: 2, low: 3, info: 4 };

export function mountAlerts(section, { db, tenant, uid }) {
  const base = `tenants/${tenant}/alerts`;
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

  // Composite index (status ASC, last_seen DESC): declared in firestore.indexes.json.
  onSnapshot(
    query(collection(db, base), where("status", "in", ["open", "acknowledged"]), orderBy("last_seen", "desc"), limit(200)),
    (snap) => {
      const alerts = snap.docs.map((d) => ({ id: d.id, ...d.data() }));
      alerts.sort((a, b) => (a.status === b.status ? (SEVERITY_RANK[a.severity] ?? 5) - (SEVERITY_RANK[b.severity] ?? 5) : a.status === "open" ? -1 : 1));
      active.replaceChildren(...(alerts.length ? alerts.map(card) : [h("li", { class: "muted empty" }, "No open alerts.")]));
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
    const details = a.details && typeof a.details === "object" ? Object.entries(a.details) : [];
    return h(
      "li",
      { class: `card alert sev-${a.severity || "info"} st-${a.status}`, dataset: { id: a.id, key: a.key || "", status: a.status } },
      h(
        "div",
        { class: "alert-head" },
        h("span", { class: `badge sev-${a.severity || "info"}` }, a.severity || "info"),
        h("strong", {}, a.title || humanize(a.type || "alert")),
        h("span", { class: "muted" }, a.status),
      ),
      a.message ? h("p", {}, a.message) : null,
      details.length
        ? h("dl", { class: "details" }, ...details.slice(0, 8).flatMap(([k, v]) => [h("dt", {}, humanize(k)), h("dd", {}, typeof v === "object" ? JSON.stringify(v) : String(v))]))
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
