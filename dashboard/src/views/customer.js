// The customer beside a conversation (and in the contacts view): who they are, their language,
// tags (staff can add and remove them), opt-out, first and last seen, orders, bookings and
// lifetime value. From tenants/{T}/customers/{customer_key} (the platform area's identity
// documents) and commerce's orders/bookings with that customer_key.
import { collection, doc, limit, onSnapshot, query, serverTimestamp, updateDoc, where } from "firebase/firestore";
import { formatDateTime, formatMoney, h } from "../format.js";
import { CLOSED_BOOKING, CLOSED_ORDER } from "./deals.js";

export const MAX_TAGS = 30;

/** Lifetime value: the totals of orders not cancelled, per currency. */
export function lifetimeValue(orders) {
  const by = {};
  for (const o of orders) {
    if (["cancelled", "canceled", "refunded", "rejected"].includes(o.status)) continue;
    const cur = o.currency || "USD";
    by[cur] = (by[cur] || 0) + Number(o.total_minor || 0);
  }
  return by;
}

export function normaliseTag(text) {
  return text.trim().toLowerCase().replace(/\s+/g, "-").slice(0, 40);
}

/** A tag editor over customers/{key}.tags; `getTags()` returns the current list. */
export function tagEditor({ db, tenant, uid }, key, getTags) {
  const input = h("input", { class: "tag-input", placeholder: "add a tag", "aria-label": "Add a tag", maxlength: "40" });
  const status = h("span", { class: "muted", role: "status" });
  const write = async (tags) => {
    try {
      await updateDoc(doc(db, `tenants/${tenant}/customers/${key}`), { tags, tags_updated_by: uid, tags_updated_at: serverTimestamp() });
      status.textContent = "";
    } catch (exc) {
      status.textContent = `Not saved: ${exc.code || exc.message}`;
    }
  };
  const list = h("span", { class: "tags" });
  const render = () =>
    list.replaceChildren(
      ...getTags().map((t) => h("span", { class: "tag" }, t, h("button", { type: "button", class: "link", "aria-label": `Remove tag ${t}`, onclick: () => write(getTags().filter((x) => x !== t)) }, "×"))),
    );
  const form = h(
    "form",
    {
      class: "tag-form",
      onsubmit: (event) => {
        event.preventDefault();
        const tag = normaliseTag(input.value);
        input.value = "";
        if (tag && !getTags().includes(tag)) write([...getTags(), tag].slice(0, MAX_TAGS));
      },
    },
    input,
    h("button", { type: "submit" }, "Add"),
  );
  return { el: h("div", { class: "tag-editor" }, list, form, status), render };
}

export function mountCustomerPanel(panel, session) {
  const { db, tenant } = session;
  let stops = [];
  function show(key, conversation) {
    stops.forEach((s) => s());
    let customer = null;
    let orders = [];
    let bookings = [];
    const editor = tagEditor(session, key, () => customer?.tags || []);
    const render = () => {
      const c = { ...(conversation || {}), ...(customer || {}) };
      const ltv = lifetimeValue(orders);
      const rows = [
        ["Name", c.profile_name || c.name || "—"],
        ["WhatsApp", [c.wa_id ? `+${c.wa_id}` : null, c.username ? `@${c.username}` : null].filter(Boolean).join(" · ") || "—"],
        ["Language", c.language ? c.language.toUpperCase() : "—"],
        ["Marketing", c.opted_out ? "opted out (never in broadcasts)" : "subscribed"],
        ["First seen", formatDateTime(c.first_seen_at || c.first_seen)],
        ["Last seen", formatDateTime(c.last_seen_at || c.last_seen || c.last_inbound_at)],
        ["Orders", `${orders.length} (${orders.filter((o) => !CLOSED_ORDER.has(o.status)).length} open)`],
        ["Bookings", `${bookings.length} (${bookings.filter((b) => !CLOSED_BOOKING.has(b.status)).length} upcoming)`],
        ["Lifetime value", Object.keys(ltv).length ? Object.entries(ltv).map(([cur, v]) => formatMoney(v, cur)).join(" + ") : "—"],
      ];
      panel.replaceChildren(
        h("h3", {}, "Customer"),
        h("dl", { class: "details" }, ...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
        h("h4", {}, "Tags"),
        customer ? editor.el : h("p", { class: "muted" }, "No contact record yet."),
      );
      editor.render();
    };
    const base = `tenants/${tenant}`;
    stops = [
      onSnapshot(doc(db, `${base}/customers/${key}`), (snap) => ((customer = snap.exists() ? snap.data() : null), render()), () => render()),
      onSnapshot(query(collection(db, `${base}/orders`), where("customer_key", "==", key), limit(200)), (snap) => ((orders = snap.docs.map((d) => d.data())), render()), () => {}),
      onSnapshot(query(collection(db, `${base}/bookings`), where("customer_key", "==", key), limit(200)), (snap) => ((bookings = snap.docs.map((d) => d.data())), render()), () => {}),
    ];
    render();
  }
  panel.replaceChildren(h("p", { class: "muted" }, "Select a conversation to see the customer."));
  return { show };
}
