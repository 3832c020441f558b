// Orders: live, filtered by status; open one to see its lines and history and move it along
// (confirm, mark paid, fulfilled, cancel). The browser never changes an order itself: it files a
// request (orders/{id}/requests) that the commerce function applies with the stock it holds, and
// the customer is told in their language. firestore.rules allow nothing else.
import { addDoc, collection, doc, limit, onSnapshot, orderBy, query, serverTimestamp, where } from "firebase/firestore";
import { formatDateTime, formatMoney, h, timeAgo } from "../format.js";

export const FLOW = ["placed", "confirmed", "paid", "fulfilled"];
const OPEN = ["placed", "confirmed", "paid"];
export const FILTERS = {
  open: { label: "Open", statuses: OPEN },
  placed: { label: "New", statuses: ["placed"] },
  confirmed: { label: "Confirmed", statuses: ["confirmed"] },
  paid: { label: "Paid", statuses: ["paid"] },
  fulfilled: { label: "Fulfilled", statuses: ["fulfilled"] },
  cancelled: { label: "Cancelled", statuses: ["cancelled"] },
  all: { label: "All", statuses: [...FLOW, "cancelled"] },
};
const ACTION_LABELS = { confirmed: "Confirm", paid: "Mark paid", fulfilled: "Mark fulfilled", cancelled: "Cancel order" };

/** The status moves staff may ask for from `status` (forward along the flow, or cancel). */
export function nextActions(status) {
  if (!OPEN.includes(status)) return [];
  const later = FLOW.slice(FLOW.indexOf(status) + 1);
  return [...later, "cancelled"].map((s) => ({ status: s, label: ACTION_LABELS[s] }));
}

export function itemsText(items) {
  return (items || []).map((i) => `${i.quantity} × ${i.name}`).join(", ");
}

export function mountOrders(section, { db, tenant, uid }) {
  const base = `tenants/${tenant}/orders`;
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const filter = h(
    "select",
    { id: "orders-filter", "aria-label": "Show orders" },
    ...Object.entries(FILTERS).map(([key, f]) => h("option", { value: key }, f.label)),
  );
  const rows = h("tbody", {});
  const detail = h("div", { id: "order-detail", class: "card", hidden: true });
  // Outside the detail (which re-renders on every change): what became of the last request.
  const notice = h("p", { id: "order-notice", class: "muted", role: "status", "aria-live": "polite" });
  section.replaceChildren(
    h("h2", { id: "orders-h" }, "Orders"),
    h("p", { class: "toolbar" }, h("label", { for: "orders-filter" }, "Show "), filter),
    error,
    h(
      "div",
      { class: "table-scroll short", tabindex: "0" },
      h(
        "table",
        { class: "orders-table", "aria-labelledby": "orders-h" },
        h("thead", {}, h("tr", {}, ...["Order", "When", "Customer", "Items", "Total", "Status", "From"].map((t) => h("th", { scope: "col" }, t)))),
        rows,
      ),
    ),
    detail,
    notice,
  );
  const fail = (what) => (exc) => {
    error.hidden = false;
    error.textContent = `Cannot ${what}: ${exc.code || exc.message}`;
  };

  let stop = () => {};
  let openId = null;
  const orders = new Map();
  const listen = () => {
    stop();
    const { statuses } = FILTERS[filter.value];
    // Composite index (status ASC, created_at DESC): declared in firestore.indexes.json.
    stop = onSnapshot(
      query(collection(db, base), where("status", "in", statuses), orderBy("created_at", "desc"), limit(200)),
      (snap) => {
        orders.clear();
        snap.docs.forEach((d) => orders.set(d.id, { id: d.id, ...d.data() }));
        rows.replaceChildren(...(snap.empty ? [h("tr", {}, h("td", { colspan: "7", class: "muted empty" }, "No orders here yet."))] : snap.docs.map((d) => row(orders.get(d.id)))));
        if (openId) showDetail(openId);
        const badge = document.getElementById("orders-count");
        if (badge && filter.value === "open") {
          const fresh = snap.docs.filter((d) => d.data().status === "placed").length;
          badge.hidden = fresh === 0;
          badge.textContent = String(fresh);
          badge.setAttribute("aria-label", `${fresh} new`);
        }
      },
      fail("read orders"),
    );
  };
  filter.addEventListener("change", listen);
  listen();

  function row(o) {
    return h(
      "tr",
      { dataset: { id: o.id, status: o.status }, tabindex: "0", class: o.id === openId ? "selected" : null, onclick: () => showDetail(o.id), onkeydown: (e) => e.key === "Enter" && showDetail(o.id) },
      h("td", {}, o.id),
      h("td", {}, h("time", { title: formatDateTime(o.created_at) }, timeAgo(o.created_at))),
      h("td", {}, o.profile_name || o.wa_id || "—"),
      h("td", {}, itemsText(o.items)),
      h("td", { class: "num" }, formatMoney(o.total_minor, o.currency)),
      h("td", {}, h("span", { class: `badge order-${o.status}` }, o.status)),
      h("td", {}, o.source === "whatsapp_cart" ? "WhatsApp cart" : o.source),
    );
  }

  function showDetail(id) {
    openId = id;
    const o = orders.get(id);
    if (!o) {
      detail.hidden = true;
      return;
    }
    const status = notice;
    const act = async (next, button) => {
      button.disabled = true;
      status.textContent = "Sending…";
      try {
        const ref = await addDoc(collection(db, `${base}/${id}/requests`), { status: next, staff_uid: uid, created_at: serverTimestamp() });
        const unwatch = onSnapshot(doc(db, ref.path), (snap) => {
          const r = snap.data() || {};
          if (r.state === "done") {
            status.textContent = `Done: the order is ${r.result_status}; the customer has been told.`;
            unwatch();
          } else if (r.state === "refused") {
            status.textContent = `Not done: ${r.error}`;
            button.disabled = false;
            unwatch();
          }
        });
      } catch (exc) {
        button.disabled = false;
        status.textContent = "";
        fail("change the order")(exc);
      }
    };
    detail.hidden = false;
    // replaceChildren would write a null as the text "null": leave the absent parts out.
    detail.replaceChildren(...[
      h("h3", {}, `Order ${o.id} · ${o.status}`),
      h("p", {}, `${o.profile_name || "Customer"} · WhatsApp +${o.wa_id || "—"} · placed ${formatDateTime(o.created_at)}`),
      h(
        "table",
        { class: "order-items" },
        h("thead", {}, h("tr", {}, ...["Item", "SKU", "Qty", "Unit price", "Line total"].map((t) => h("th", { scope: "col" }, t)))),
        h(
          "tbody",
          {},
          ...(o.items || []).map((i) => h("tr", {}, h("td", {}, i.name), h("td", {}, i.sku), h("td", { class: "num" }, i.quantity), h("td", { class: "num" }, formatMoney(i.unit_price_minor, i.currency)), h("td", { class: "num" }, formatMoney(i.unit_price_minor * i.quantity, i.currency)))),
          h("tr", {}, h("th", { colspan: "4", scope: "row" }, "Total"), h("td", { class: "num" }, formatMoney(o.total_minor, o.currency))),
        ),
      ),
      o.note ? h("p", {}, h("strong", {}, "Customer's note: "), o.note) : null,
      o.staff_note ? h("p", { class: "advice" }, h("strong", {}, "For staff: "), o.staff_note) : null,
      h("ol", { class: "history" }, ...(o.history || []).map((e) => h("li", {}, `${e.status} · ${formatDateTime(e.at)} · ${e.by}`))),
      h("p", { class: "actions" }, ...nextActions(o.status).map((a) => {
        const button = h("button", { type: "button", class: a.status === "cancelled" ? "danger" : "primary", dataset: { action: a.status } }, a.label);
        button.addEventListener("click", () => act(a.status, button));
        return button;
      })),
    ].filter(Boolean));
    for (const tr of rows.children) tr.classList.toggle("selected", tr.dataset.id === id);
  }
}
