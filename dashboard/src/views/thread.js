// A conversation's messages, live: used by the inbox and the chat simulator.
import { collection, limitToLast, onSnapshot, orderBy, query } from "firebase/firestore";
import { formatDateTime, h, timeAgo } from "../format.js";

const STATUS_MARK = { sent: "✓", delivered: "✓✓", read: "✓✓ read", failed: "failed", queued: "queued" };

export function messageBubble(m, id) {
  const out = m.direction === "out";
  const meta = [
    out ? (m.staff_uid ? "staff" : m.provider || "assistant") : "customer",
    timeAgo(m.at ?? m.created_at),
    out && m.status ? STATUS_MARK[m.status] || m.status : null,
  ].filter(Boolean);
  const text = m.text || (m.type && m.type !== "text" ? `[${m.type}]` : "");
  return h(
    "li",
    { class: `msg ${out ? "out" : "in"}${m.status === "failed" ? " failed" : ""}`, dataset: { id, direction: m.direction || "" } },
    h("p", { class: "text" }, text),
    h("p", { class: "meta", title: formatDateTime(m.at ?? m.created_at) }, meta.join(" · ")),
    m.error ? h("p", { class: "meta error" }, String(m.error.message ?? m.error)) : null,
  );
}

/**
 * Listens to tenants/{T}/conversations/{waId}/messages ordered by `at` and renders them into
 * `list` (a <ol role="log">). Returns the unsubscribe function.
 */
export function followThread(db, tenant, waId, list, { onError, extra } = {}) {
  const q = query(collection(db, `tenants/${tenant}/conversations/${waId}/messages`), orderBy("at"), limitToLast(200));
  let messages = [];
  let pending = [];
  const render = () => {
    const items = messages.map((d) => messageBubble(d.data(), d.id));
    // A staff reply is stored as message `staff-{outbox id}` once sent; until then it shows queued.
    const stored = new Set(messages.map((d) => d.id));
    for (const p of pending) if (!stored.has(`staff-${p.id}`)) items.push(messageBubble({ ...p, direction: "out" }, p.id));
    list.replaceChildren(...(items.length ? items : [h("li", { class: "muted empty" }, "No messages yet.")]));
    list.scrollTop = list.scrollHeight; // newest at the bottom, in view
  };
  const stops = [
    onSnapshot(
      q,
      (snap) => {
        messages = snap.docs;
        render();
      },
      onError,
    ),
  ];
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
