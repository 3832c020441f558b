// Customers with an open order or an upcoming booking (commerce's tenants/{T}/orders and
// bookings, each with `customer_key` and `status`), for the inbox filter and the contacts view.
import { collection, limit, onSnapshot, orderBy, query } from "firebase/firestore";

export const CLOSED_ORDER = new Set(["cancelled", "canceled", "delivered", "completed", "fulfilled", "refunded", "rejected"]);
export const CLOSED_BOOKING = new Set(["cancelled", "canceled", "completed", "no_show", "done"]);

export function watchOpenDeals(db, tenant, onChange) {
  const open = { orders: new Set(), bookings: new Set() };
  const watch = (kind, closed) =>
    onSnapshot(
      query(collection(db, `tenants/${tenant}/${kind}`), orderBy("created_at", "desc"), limit(500)),
      (snap) => {
        open[kind] = new Set(snap.docs.map((d) => d.data()).filter((o) => o.customer_key && !closed.has(o.status)).map((o) => o.customer_key));
        onChange?.();
      },
      () => {}, // no such collection yet (the commerce area adds it): the filter stays empty
    );
  watch("orders", CLOSED_ORDER);
  watch("bookings", CLOSED_BOOKING);
  return { has: (key) => open.orders.has(key) || open.bookings.has(key) };
}
