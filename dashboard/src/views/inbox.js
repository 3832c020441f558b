// Inbox: conversations by last activity with names, search, filters and unread marks; a sound
// and a browser notification when a conversation needs a person; the selected conversation's
// messages live with notes, quick replies, assignment, hand-off and replies as the business.
// A reply is queued in tenants/{T}/conversations/{key}/outbox; respond's staff_outbox sends it
// (the browser never talks to WhatsApp).
import {
  addDoc,
  collection,
  doc,
  FieldPath,
  limit,
  limitToLast,
  onSnapshot,
  orderBy,
  query,
  serverTimestamp,
  updateDoc,
} from "firebase/firestore";
import { h, timeAgo, toDate } from "../format.js";
import { mountCustomerPanel } from "./customer.js";
import { attachQuickReplies } from "./quick_replies.js";
import { followThread } from "./thread.js";
import { watchOpenDeals } from "./deals.js";
import { watchStaff } from "./staff_directory.js";
import { NeedsStaffAlarm } from "./alarm.js";

export const MAX_REPLY = 4096; // firestore.rules bounds a queued reply's text to this
export const PAGE = 200; // conversations per page; scrolling to the end loads the next page

/** The name staff know a customer by, and the number or username under it. */
export function displayName(c) {
  return c.profile_name || c.name || c.username || (c.wa_id ? `+${c.wa_id}` : c.id);
}
export function handle(c) {
  const number = c.wa_id || (/^\d{6,15}$/.test(c.id) ? c.id : null);
  return [number ? `+${number}` : null, c.username ? `@${c.username}` : null].filter(Boolean).join(" · ");
}

export function isUnread(c, uid) {
  const inbound = toDate(c.last_inbound_at);
  if (!inbound) return false;
  const read = toDate(c.read_by?.[uid]);
  return !read || read < inbound;
}

export function isUnanswered(c) {
  const inbound = toDate(c.last_inbound_at);
  const outbound = toDate(c.last_outbound_at);
  return Boolean(inbound && (!outbound || outbound < inbound));
}

const FILTERS = [
  ["all", "All"],
  ["staff", "Needs staff"],
  ["mine", "Mine"],
  ["unread", "Unread"],
  ["unanswered", "Unanswered"],
  ["deals", "Open order/booking"],
];

export function mountInbox(section, session) {
  const { db, tenant, uid } = session;
  const base = `tenants/${tenant}/conversations`;
  let conversations = [];
  let pageLimit = PAGE;
  let selected = null;
  let filter = "all";
  let stopThread = null;
  let stopList = null;
  let visible = false;
  const staff = watchStaff(db, tenant, () => renderList());
  const deals = watchOpenDeals(db, tenant, () => renderList());
  const alarm = new NeedsStaffAlarm();

  const error = h("p", { class: "error", role: "alert", hidden: true });
  const search = h("input", { id: "inbox-search", type: "search", placeholder: "Search name, number or message", "aria-label": "Search conversations" });
  const language = h("select", { id: "inbox-language", "aria-label": "Language" }, h("option", { value: "" }, "Any language"));
  const chips = h("div", { class: "chips", role: "group", "aria-label": "Filter conversations" });
  const list = h("ul", { class: "conversations", "aria-label": "Conversations" });
  const sentinel = h("li", { class: "sentinel muted", "aria-hidden": "true" });
  const more = h("p", { class: "muted small", role: "status" });
  const title = h("h3", { id: "thread-h" }, "Select a conversation");
  const subtitle = h("p", { class: "muted handle" });
  const state = h("p", { class: "muted", "aria-live": "polite" });
  const assign = h("select", { id: "assign-to", "aria-label": "Assigned to" });
  const takeOver = h("button", { type: "button", class: "primary", hidden: true }, "Take over");
  const handBack = h("button", { type: "button", hidden: true }, "Hand back to the assistant");
  const thread = h("ol", { class: "thread", role: "log", "aria-live": "polite", "aria-labelledby": "thread-h" });
  const reply = h("textarea", { id: "reply-text", rows: "2", maxlength: String(MAX_REPLY), required: true, placeholder: "Type / for saved answers", "aria-autocomplete": "list" });
  const modeReply = h("input", { type: "radio", name: "compose-mode", id: "mode-reply", value: "reply", checked: true });
  const modeNote = h("input", { type: "radio", name: "compose-mode", id: "mode-note", value: "note" });
  const replyStatus = h("p", { class: "muted", role: "status" });
  const sendButton = h("button", { type: "submit", class: "primary" }, "Send");
  const replyForm = h(
    "form",
    { class: "reply", hidden: true },
    h("div", { class: "modes", role: "radiogroup", "aria-label": "Write" }, h("label", {}, modeReply, " Reply to customer"), h("label", {}, modeNote, " Internal note")),
    h("label", { for: "reply-text", id: "reply-label" }, "Reply as the business"),
    reply,
    sendButton,
    replyStatus,
  );
  const quick = attachQuickReplies(reply, { db, tenant, uid });
  replyForm.append(quick.manager);
  const notifyButton = h("button", { type: "button", class: "link", hidden: !alarm.canAsk() }, "Turn on alerts for customers waiting");
  notifyButton.addEventListener("click", async () => {
    await alarm.ask();
    notifyButton.hidden = true;
  });
  const back = h("button", { type: "button", class: "link back" }, "← All conversations");
  const panel = h("aside", { class: "customer-pane card", "aria-label": "Customer" });
  const customerPanel = mountCustomerPanel(panel, session);
  const pane = h(
    "div",
    { class: "thread-pane", "aria-labelledby": "thread-h", role: "region" },
    back,
    h("div", { class: "thread-head" }, h("div", {}, title, subtitle), h("div", { class: "actions" }, h("label", { class: "assign" }, "Assigned to ", assign), takeOver, handBack)),
    state,
    thread,
    replyForm,
  );
  const layout = h("div", { class: "inbox" }, h("div", { class: "list-pane" }, search, h("div", { class: "filters" }, chips, language), list, more), pane, panel);
  section.replaceChildren(h("div", { class: "view-head" }, h("h2", { id: "inbox-h" }, "Inbox"), notifyButton), error, layout);

  back.addEventListener("click", () => layout.classList.remove("has-selection"));
  search.addEventListener("input", () => renderList());
  language.addEventListener("change", () => renderList());
  const fail = (what) => (exc) => {
    error.hidden = false;
    error.textContent = `Cannot ${what}: ${exc.code || exc.message}`;
  };

  // The list is one live query whose limit grows by a page each time its end scrolls into view.
  function subscribe() {
    stopList?.();
    stopList = onSnapshot(
      query(collection(db, base), orderBy("last_message_at", "desc"), limit(pageLimit)),
      (snap) => {
        conversations = snap.docs.map((d) => ({ id: d.id, ...d.data({ serverTimestamps: "estimate" }) }));
        alarm.update(conversations, displayName);
        renderList();
        renderHeader();
        markRead();
        const waiting = conversations.filter((c) => c.handoff).length;
        const badge = document.getElementById("inbox-count");
        badge.hidden = waiting === 0;
        badge.textContent = String(waiting);
        badge.setAttribute("aria-label", `${waiting} waiting for staff`);
      },
      fail("read conversations"),
    );
  }
  subscribe();
  new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && conversations.length >= pageLimit) {
      pageLimit += PAGE;
      subscribe();
    }
  }, { root: list }).observe(sentinel);

  function matches(c) {
    const q = search.value.trim().toLowerCase();
    if (q) {
      const digits = q.replace(/[^\d]/g, "");
      const hay = [c.profile_name, c.name, c.username, c.last_message_preview, c.id].filter(Boolean).join(" ").toLowerCase();
      if (!hay.includes(q) && !(digits.length >= 3 && String(c.wa_id || c.id).includes(digits))) return false;
    }
    if (language.value && c.language !== language.value) return false;
    if (filter === "staff") return Boolean(c.handoff);
    if (filter === "mine") return c.assigned_to === uid;
    if (filter === "unread") return isUnread(c, uid);
    if (filter === "unanswered") return isUnanswered(c);
    if (filter === "deals") return deals.has(c.id);
    return true;
  }

  function renderChips() {
    const counts = {
      all: conversations.length,
      staff: conversations.filter((c) => c.handoff).length,
      mine: conversations.filter((c) => c.assigned_to === uid).length,
      unread: conversations.filter((c) => isUnread(c, uid)).length,
      unanswered: conversations.filter(isUnanswered).length,
      deals: conversations.filter((c) => deals.has(c.id)).length,
    };
    chips.replaceChildren(
      ...FILTERS.map(([key, label]) =>
        h("button", { type: "button", class: `chip${filter === key ? " on" : ""}`, "aria-pressed": String(filter === key), dataset: { filter: key }, onclick: () => ((filter = key), renderList()) }, label, " ", h("span", { class: "n" }, String(counts[key]))),
      ),
    );
    const langs = [...new Set(conversations.map((c) => c.language).filter(Boolean))].sort();
    const current = language.value;
    language.replaceChildren(h("option", { value: "" }, "Any language"), ...langs.map((l) => h("option", { value: l, selected: l === current }, l)));
  }

  function renderList() {
    renderChips();
    const shown = conversations.filter(matches);
    more.textContent = conversations.length >= pageLimit ? `${conversations.length} loaded — scroll for more` : `${conversations.length} conversations`;
    if (!shown.length) {
      list.replaceChildren(h("li", { class: "muted empty" }, conversations.length ? "No conversation matches." : "No conversations yet."), sentinel);
      return;
    }
    list.replaceChildren(
      ...shown.map((c) => {
        const unread = isUnread(c, uid) && c.id !== selected;
        const assignee = c.assigned_to ? (c.assigned_to === uid ? "you" : staff.name(c.assigned_to)) : null;
        return h(
          "li",
          {},
          h(
            "button",
            { type: "button", class: `conv${c.id === selected ? " selected" : ""}${unread ? " unread" : ""}`, "aria-current": c.id === selected ? "true" : null, dataset: { wa: c.id }, onclick: () => select(c.id) },
            h("span", { class: "who" }, h("span", { class: "name" }, displayName(c)), unread ? h("span", { class: "dot", "aria-label": "unread" }, "●") : null, c.handoff ? h("span", { class: "badge out" }, "needs staff") : null),
            h("span", { class: "handle muted" }, [handle(c), c.language ? c.language.toUpperCase() : null, assignee ? `→ ${assignee}` : null].filter(Boolean).join(" · ")),
            h("span", { class: "preview" }, c.last_message_preview || ""),
            h("span", { class: "when" }, timeAgo(c.last_message_at)),
          ),
        );
      }),
      sentinel,
    );
  }

  function current() {
    return conversations.find((c) => c.id === selected);
  }

  function renderHeader() {
    const c = current();
    if (!c) return;
    title.textContent = displayName(c);
    subtitle.textContent = handle(c);
    takeOver.hidden = Boolean(c.handoff);
    handBack.hidden = !c.handoff;
    assign.replaceChildren(
      h("option", { value: "" }, "Nobody"),
      ...staff.members(uid).map((m) => h("option", { value: m.uid, selected: m.uid === c.assigned_to }, m.uid === uid ? `Me (${m.name})` : m.name)),
    );
    if (c.assigned_to && !staff.members(uid).some((m) => m.uid === c.assigned_to)) assign.append(h("option", { value: c.assigned_to, selected: true }, staff.name(c.assigned_to)));
    const expires = toDate(c.window_expires_at);
    const open = expires ? expires.getTime() > Date.now() : true;
    state.textContent = [
      c.handoff ? `A person is handling this conversation${c.handoff_reason ? ` (${String(c.handoff_reason).replaceAll("_", " ")})` : ""}: the assistant does not reply.` : "The assistant replies automatically.",
      expires ? (open ? `Service window open, closes ${timeAgo(expires)}.` : "The 24-hour service window is closed: only template messages can be sent.") : "",
    ].join(" ");
    replyForm.hidden = false;
    reply.disabled = !open && modeReply.checked;
  }

  function markRead() {
    const c = current();
    if (!c || !visible || !isUnread(c, uid)) return;
    updateDoc(doc(db, `${base}/${c.id}`), new FieldPath("read_by", uid), serverTimestamp()).catch(fail("mark as read"));
  }

  function select(key) {
    selected = key;
    layout.classList.add("has-selection");
    stopThread?.();
    stopThread = followThread(db, tenant, key, thread, {
      notes: true,
      staffNames: staff.names,
      onError: fail("read messages"),
      extra: (render) =>
        onSnapshot(
          query(collection(db, `${base}/${key}/outbox`), orderBy("created_at"), limitToLast(20)),
          (snap) => render(snap.docs.filter((d) => d.data().status !== "sent").map((d) => ({ id: d.id, ...d.data(), status: d.data().status || "queued" }))),
          fail("read queued replies"),
        ),
    });
    customerPanel.show(key, current());
    renderList();
    renderHeader();
    markRead();
  }
  document.addEventListener("view-shown", (e) => {
    visible = e.detail === "inbox";
    markRead();
  });
  document.addEventListener("visibilitychange", () => !document.hidden && markRead());

  async function setHandoff(value) {
    try {
      await updateDoc(doc(db, `${base}/${selected}`), { handoff: value, handoff_by: uid, handoff_at: serverTimestamp() });
    } catch (exc) {
      fail(value ? "take over" : "hand back")(exc);
    }
  }
  takeOver.addEventListener("click", () => setHandoff(true));
  handBack.addEventListener("click", () => setHandoff(false));
  assign.addEventListener("change", async () => {
    try {
      await updateDoc(doc(db, `${base}/${selected}`), { assigned_to: assign.value || null, assigned_by: uid, assigned_at: serverTimestamp() });
    } catch (exc) {
      fail("assign")(exc);
    }
  });

  function setMode() {
    const note = modeNote.checked;
    document.getElementById("reply-label").textContent = note ? "Internal note (only staff see it)" : "Reply as the business";
    sendButton.textContent = note ? "Add note" : "Send";
    replyForm.classList.toggle("noting", note);
    renderHeader();
  }
  modeReply.addEventListener("change", setMode);
  modeNote.addEventListener("change", setMode);

  replyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = reply.value.trim();
    if (!text || !selected) return;
    const note = modeNote.checked;
    replyStatus.textContent = note ? "Saving the note…" : "Queuing…";
    try {
      if (note) {
        await addDoc(collection(db, `${base}/${selected}/notes`), { text: text.slice(0, 2000), staff_uid: uid, staff_name: session.name || uid, created_at: serverTimestamp() });
        replyStatus.textContent = "Note saved (the customer does not see it).";
      } else {
        await addDoc(collection(db, `${base}/${selected}/outbox`), { text: text.slice(0, MAX_REPLY), created_at: serverTimestamp(), staff_uid: uid, status: "queued" });
        replyStatus.textContent = "Queued: it is sent through WhatsApp in a moment.";
      }
      reply.value = "";
    } catch (exc) {
      replyStatus.textContent = `Not ${note ? "saved" : "sent"}: ${exc.code || exc.message}`;
    }
  });
  reply.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) replyForm.requestSubmit();
  });
}
