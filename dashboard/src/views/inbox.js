// Inbox: conversations by last activity, the selected one's messages live, hand-off to a human
// and back, and replies as the business. A reply is queued in
// tenants/{T}/conversations/{wa_id}/outbox; respond's staff_outbox sends it through the
// provider (the browser never talks to WhatsApp).
import {
  addDoc,
  collection,
  doc,
  limit,
  limitToLast,
  onSnapshot,
  orderBy,
  query,
  serverTimestamp,
  updateDoc,
} from "firebase/firestore";
import { h, timeAgo, toDate } from "../format.js";
import { followThread } from "./thread.js";

export const MAX_REPLY = 4096; // firestore.rules bounds a queued reply's text to this

export function mountInbox(section, { db, tenant, uid }) {
  const base = `tenants/${tenant}/conversations`;
  let conversations = [];
  let selected = null;
  let stopThread = null;

  const list = h("ul", { class: "conversations", "aria-label": "Conversations" });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const title = h("h3", { id: "thread-h" }, "Select a conversation");
  const state = h("p", { class: "muted", "aria-live": "polite" });
  const takeOver = h("button", { type: "button", class: "primary", hidden: true }, "Take over");
  const handBack = h("button", { type: "button", hidden: true }, "Hand back to the assistant");
  const thread = h("ol", { class: "thread", role: "log", "aria-live": "polite", "aria-labelledby": "thread-h" });
  const reply = h("textarea", { id: "reply-text", rows: "2", maxlength: String(MAX_REPLY), required: true });
  const replyStatus = h("p", { class: "muted", role: "status" });
  const replyForm = h(
    "form",
    { class: "reply", hidden: true },
    h("label", { for: "reply-text" }, "Reply as the business"),
    reply,
    h("button", { type: "submit", class: "primary" }, "Send"),
    replyStatus,
  );
  const back = h("button", { type: "button", class: "link back" }, "← All conversations");
  const pane = h(
    "div",
    { class: "thread-pane", "aria-labelledby": "thread-h", role: "region" },
    back,
    h("div", { class: "thread-head" }, title, h("div", { class: "actions" }, takeOver, handBack)),
    state,
    thread,
    replyForm,
  );
  const layout = h("div", { class: "inbox" }, h("div", { class: "list-pane" }, list), pane);
  section.replaceChildren(h("h2", { id: "inbox-h" }, "Inbox"), error, layout);

  back.addEventListener("click", () => layout.classList.remove("has-selection"));

  const fail = (what) => (exc) => {
    error.hidden = false;
    error.textContent = `Cannot ${what}: ${exc.code || exc.message}`;
  };

  onSnapshot(
    query(collection(db, base), orderBy("last_message_at", "desc"), limit(200)),
    (snap) => {
      conversations = snap.docs.map((d) => ({ id: d.id, ...d.data() }));
      renderList();
      renderHeader();
      const waiting = conversations.filter((c) => c.handoff).length;
      const badge = document.getElementById("inbox-count");
      badge.hidden = waiting === 0;
      badge.textContent = String(waiting);
      badge.setAttribute("aria-label", `${waiting} waiting for staff`);
    },
    fail("read conversations"),
  );

  function renderList() {
    if (!conversations.length) {
      list.replaceChildren(h("li", { class: "muted empty" }, "No conversations yet."));
      return;
    }
    list.replaceChildren(
      ...conversations.map((c) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: `conv${c.id === selected ? " selected" : ""}`,
              "aria-current": c.id === selected ? "true" : null,
              dataset: { wa: c.id },
              onclick: () => select(c.id),
            },
            h("span", { class: "who" }, `+${c.id}`, c.handoff ? h("span", { class: "badge out" }, "needs staff") : null),
            h("span", { class: "preview" }, c.last_message_preview || ""),
            h("span", { class: "when" }, timeAgo(c.last_message_at)),
          ),
        ),
      ),
    );
  }

  function current() {
    return conversations.find((c) => c.id === selected);
  }

  function renderHeader() {
    const c = current();
    if (!c) return;
    title.textContent = `+${c.id}`;
    takeOver.hidden = Boolean(c.handoff);
    handBack.hidden = !c.handoff;
    const expires = toDate(c.window_expires_at);
    const open = expires ? expires.getTime() > Date.now() : true;
    state.textContent = [
      c.handoff ? "A person is handling this conversation: the assistant does not reply." : "The assistant replies automatically.",
      expires ? (open ? `Service window open, closes ${timeAgo(expires)}.` : "The 24-hour service window is closed: only template messages can be sent.") : "",
    ].join(" ");
    replyForm.hidden = false;
    reply.disabled = !open;
  }

  function select(waId) {
    selected = waId;
    layout.classList.add("has-selection");
    stopThread?.();
    stopThread = followThread(db, tenant, waId, thread, {
      onError: fail("read messages"),
      extra: (render) =>
        onSnapshot(
          query(collection(db, `${base}/${waId}/outbox`), orderBy("created_at"), limitToLast(20)),
          (snap) => render(snap.docs.filter((d) => d.data().status !== "sent").map((d) => ({ id: d.id, ...d.data(), status: d.data().status || "queued" }))),
          fail("read queued replies"),
        ),
    });
    renderList();
    renderHeader();
  }

  async function setHandoff(value) {
    try {
      await updateDoc(doc(db, `${base}/${selected}`), { handoff: value, handoff_by: uid, handoff_at: serverTimestamp() });
    } catch (exc) {
      fail(value ? "take over" : "hand back")(exc);
    }
  }
  takeOver.addEventListener("click", () => setHandoff(true));
  handBack.addEventListener("click", () => setHandoff(false));

  replyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = reply.value.trim();
    if (!text || !selected) return;
    replyStatus.textContent = "Queuing…";
    try {
      await addDoc(collection(db, `${base}/${selected}/outbox`), {
        text: text.slice(0, MAX_REPLY),
        created_at: serverTimestamp(),
        staff_uid: uid,
        status: "queued",
      });
      reply.value = "";
      replyStatus.textContent = "Queued: it is sent through WhatsApp in a moment.";
    } catch (exc) {
      replyStatus.textContent = `Not sent: ${exc.code || exc.message}`;
    }
  });
  reply.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) replyForm.requestSubmit();
  });
}
