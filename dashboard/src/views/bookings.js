// Bookings by day: the day's appointments live, in time order; cancel one (the seat is freed and
// the customer told) or mark it attended / no-show after the visit. Like orders, the browser
// files a request (bookings/{id}/requests) that the commerce function applies.
import { addDoc, collection, onSnapshot, orderBy, query, serverTimestamp, where } from "firebase/firestore";
import { h } from "../format.js";

const ACTIONS = [
  { status: "attended", label: "Attended" },
  { status: "no_show", label: "No-show" },
  { status: "cancelled", label: "Cancel" },
];

/** `YYYY-MM-DD` of `date` in the browser's timezone (the shop's staff see their own day). */
export function localDay(date = new Date()) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function shiftDay(day, days) {
  const [y, m, d] = day.split("-").map(Number);
  return localDay(new Date(y, m - 1, d + days));
}

export function mountBookings(section, { db, tenant, uid }) {
  const base = `tenants/${tenant}/bookings`;
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const day = h("input", { id: "bookings-day", type: "date", value: localDay() });
  const list = h("ul", { class: "bookings", "aria-labelledby": "bookings-h" });
  const summary = h("p", { class: "muted", id: "bookings-summary" });
  const move = (days) => {
    day.value = shiftDay(day.value || localDay(), days);
    listen();
  };
  section.replaceChildren(
    h("h2", { id: "bookings-h" }, "Bookings"),
    h(
      "p",
      { class: "toolbar" },
      h("button", { type: "button", onclick: () => move(-1), "aria-label": "Previous day" }, "‹"),
      h("label", { for: "bookings-day" }, " Day "),
      day,
      h("button", { type: "button", onclick: () => move(1), "aria-label": "Next day" }, "›"),
    ),
    summary,
    error,
    list,
  );
  const fail = (what) => (exc) => {
    error.hidden = false;
    error.textContent = `Cannot ${what}: ${exc.code || exc.message}`;
  };

  let stop = () => {};
  const listen = () => {
    stop();
    // Composite index (date ASC, start ASC): declared in firestore.indexes.json.
    stop = onSnapshot(
      query(collection(db, base), where("date", "==", day.value), orderBy("start")),
      (snap) => {
        const bookings = snap.docs.map((d) => ({ id: d.id, ...d.data() }));
        const held = bookings.filter((b) => b.status !== "cancelled").length;
        summary.textContent = `${held} booking${held === 1 ? "" : "s"} on ${day.value}${bookings.length > held ? ` (${bookings.length - held} cancelled)` : ""}`;
        list.replaceChildren(...(bookings.length ? bookings.map(card) : [h("li", { class: "muted empty" }, "No bookings on this day.")]));
      },
      fail("read bookings"),
    );
  };
  day.addEventListener("change", listen);
  listen();

  function card(b) {
    const status = h("span", { class: "muted", role: "status" });
    const act = async (next, button) => {
      button.disabled = true;
      try {
        await addDoc(collection(db, `${base}/${b.id}/requests`), { status: next, staff_uid: uid, created_at: serverTimestamp() });
        status.textContent = "Sent…";
      } catch (exc) {
        button.disabled = false;
        fail("change the booking")(exc);
      }
    };
    return h(
      "li",
      { class: `card booking st-${b.status}`, dataset: { id: b.id, status: b.status } },
      h("strong", {}, b.start),
      ` ${b.name} · ${b.profile_name || `+${b.wa_id}`} `,
      h("span", { class: `badge booking-${b.status}` }, b.status.replace("_", "-")),
      b.reminded_at ? h("span", { class: "muted" }, " · reminded") : null,
      b.status === "booked"
        ? h("span", { class: "actions" }, ...ACTIONS.map((a) => {
            const button = h("button", { type: "button", class: a.status === "cancelled" ? "danger" : "", dataset: { action: a.status } }, a.label);
            button.addEventListener("click", () => act(a.status, button));
            return button;
          }))
        : null,
      status,
    );
  }
}
