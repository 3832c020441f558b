// A conversation's messages, live, as the customer saw them: used by the inbox and the chat
// simulator. Buttons, lists, templates and product messages are drawn as WhatsApp draws them;
// the customer, the assistant, staff and system notices look different; staff notes (never sent)
// are interleaved in the inbox.
import { collection, limitToLast, onSnapshot, orderBy, query } from "firebase/firestore";
import { formatDateTime, formatMoney, h, timeAgo, toDate } from "../format.js";

const STATUS_MARK = { sent: "✓", delivered: "✓✓", read: "✓✓ read", failed: "failed", queued: "queued" };

/** Who wrote a message: customer | assistant | staff | system | broadcast | note. */
export function author(m) {
  if (m.kind === "note") return "note";
  if (m.direction !== "out") return "customer";
  if (m.staff_uid || m.provider === "staff") return "staff";
  if (m.broadcast_id || m.provider === "broadcast") return "broadcast";
  if (m.provider === "system") return "system";
  return "assistant";
}

const AUTHOR_LABEL = {
  customer: "Customer",
  assistant: "Assistant",
  staff: "Staff",
  system: "Notice",
  broadcast: "Broadcast",
  note: "Internal note",
};

function productCards(m) {
  // Product messages (single or multi-product) and a WhatsApp cart the customer sent.
  const items = [];
  for (const p of m.products || (m.product ? [m.product] : [])) {
    items.push({ title: p.name || p.title || p.sku || p.product_retailer_id, sub: p.price_minor != null ? formatMoney(p.price_minor, p.currency) : "", qty: p.quantity });
  }
  for (const p of m.raw?.order?.product_items || []) {
    const price = Number(p.item_price);
    items.push({ title: p.name || p.product_retailer_id, sub: Number.isFinite(price) ? `${price} ${p.currency || ""}` : "", qty: p.quantity });
  }
  if (!items.length) return null;
  return h(
    "ul",
    { class: "products", "aria-label": "Products" },
    ...items.map((p) => h("li", { class: "product" }, h("strong", {}, p.title), p.qty ? h("span", {}, ` × ${p.qty}`) : null, p.sub ? h("span", { class: "muted" }, ` ${p.sub}`) : null)),
  );
}

/** One message as a list item. `onPress(button)` makes the buttons and rows pressable. */
export function messageBubble(m, id, { onPress, staffNames } = {}) {
  const who = author(m);
  const when = m.at ?? m.created_at;
  const label = who === "staff" && m.staff_uid ? `Staff · ${staffNames?.get(m.staff_uid) || m.staff_uid}` : who === "note" ? `Internal note · ${m.staff_name || staffNames?.get(m.staff_uid) || m.staff_uid || "staff"}` : AUTHOR_LABEL[who];
  const meta = [label, timeAgo(when), m.direction === "out" && m.status ? STATUS_MARK[m.status] || m.status : null].filter(Boolean);
  let text = m.text || "";
  if (!text && m.type && m.type !== "text") text = `[${m.type}]`;
  const pressed = m.direction === "in" && m.payload ? h("span", { class: "pressed", title: m.payload }, "↩ pressed") : null;
  const press = (item) => (onPress ? () => onPress(item) : null);
  const buttons = (m.buttons || []).length
    ? h("div", { class: "wa-buttons", role: "group", "aria-label": "Reply buttons" }, ...m.buttons.map((b) => h("button", { type: "button", class: "wa-button", disabled: !onPress, dataset: { id: b.id }, onclick: press(b) }, b.title)))
    : null;
  const rows = (m.rows || []).length
    ? h(
        "details",
        { class: "wa-list", open: Boolean(onPress) },
        h("summary", {}, m.list_button || "☰ Choose"),
        h("ul", { role: "list" }, ...m.rows.map((r) => h("li", {}, h("button", { type: "button", class: "wa-row", disabled: !onPress, dataset: { id: r.id }, onclick: press(r) }, h("span", {}, r.title), r.description ? h("small", { class: "muted" }, r.description) : null)))),
      )
    : null;
  const template = m.template?.name ? h("p", { class: "meta template" }, `template “${m.template.name}”`) : null;
  return h(
    "li",
    { class: `msg ${m.direction === "out" ? "out" : m.kind === "note" ? "note" : "in"} by-${who}${m.status === "failed" ? " failed" : ""}`, dataset: { id, direction: m.direction || "", author: who } },
    h("p", { class: "text" }, text, pressed),
    productCards(m),
    buttons,
    rows,
    template,
    h("p", { class: "meta", title: formatDateTime(when) }, meta.join(" · ")),
    m.error ? h("p", { class: "meta error" }, String(m.error.message ?? m.error)) : null,
  );
}

const ts = (v) => toDate(v)?.getTime() ?? Number.MAX_SAFE_INTEGER;

/**
 * Listens to tenants/{T}/conversations/{key}/messages ordered by `at` (plus, for the inbox, its
 * notes and queued staff replies) and renders them into `list` (an <ol role="log">). Returns the
 * unsubscribe function.
 */
export function followThread(db, tenant, key, list, { onError, extra, notes = false, onPress, staffNames, onMessages } = {}) {
  const base = `tenants/${tenant}/conversations/${key}`;
  let messages = [];
  let pending = [];
  let noteDocs = [];
  const render = () => {
    const entries = messages.map((d) => ({ id: d.id, m: d.data() }));
    // A staff reply is stored as message `staff-{outbox id}` once sent; until then it shows queued.
    const stored = new Set(messages.map((d) => d.id));
    for (const p of pending) if (!stored.has(`staff-${p.id}`)) entries.push({ id: p.id, m: { ...p, direction: "out" } });
    for (const d of noteDocs) entries.push({ id: d.id, m: { ...d.data(), kind: "note" } });
    entries.sort((a, b) => ts(a.m.at ?? a.m.created_at) - ts(b.m.at ?? b.m.created_at));
    // Only the newest message's buttons are pressable, as on a phone after the customer moved on.
    const last = [...entries].reverse().find((e) => e.m.direction === "out");
    const items = entries.map((e) => messageBubble(e.m, e.id, { staffNames, onPress: e === last ? onPress : null }));
    list.replaceChildren(...(items.length ? items : [h("li", { class: "muted empty" }, "No messages yet.")]));
    list.scrollTop = list.scrollHeight; // newest at the bottom, in view
    onMessages?.(messages.map((d) => d.data()));
  };
  const stops = [
    onSnapshot(
      query(collection(db, `${base}/messages`), orderBy("at"), limitToLast(200)),
      (snap) => {
        messages = snap.docs;
        render();
      },
      onError,
    ),
  ];
  if (notes) {
    stops.push(
      onSnapshot(
        query(collection(db, `${base}/notes`), orderBy("created_at"), limitToLast(100)),
        (snap) => {
          noteDocs = snap.docs;
          render();
        },
        onError,
      ),
    );
  }
  if (extra) {
    // Staff replies still waiting in the outbox show as "queued" (or "failed") until sent.
    stops.push(
      extra((docs) => {
        pending = docs;
        render();
      }),
    );
  }
  return () => stops.forEach((stop) => stop());
}
