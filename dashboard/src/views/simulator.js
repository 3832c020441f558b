// Local chat simulator (emulators only): type as a customer, press the assistant's buttons and
// pick rows of its lists; each goes through the real webhook path (devtools/serve_dashboard.py
// signs it like Meta and posts it to respond.webhook) and the reply appears through the
// listener on the conversation's messages.
import { collection, limit, onSnapshot, query, where } from "firebase/firestore";
import { h, toDate } from "../format.js";
import { followThread } from "./thread.js";

export function mountSimulator(section, { db, tenant }) {
  const phone = h("input", { id: "sim-from", type: "tel", inputmode: "numeric", pattern: "[0-9]{6,15}", value: "15550009999", required: true });
  const text = h("input", { id: "sim-text", type: "text", autocomplete: "off", maxlength: "4096", required: true, placeholder: "do you have a denim jacket in stock?" });
  const status = h("p", { class: "muted", role: "status", id: "sim-status" });
  const thread = h("ol", { class: "thread", role: "log", "aria-live": "polite", "aria-label": "Simulated conversation" });
  let following = null;
  let stop = null;
  let sentAt = null; // when the last message left, to tell when its answer is in

  async function send(body, what) {
    follow();
    status.textContent = `Sending ${what} through the webhook…`;
    sentAt = Date.now();
    try {
      const response = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ tenant, from: phone.value, ...body }),
      });
      const answer = await response.json();
      if (!response.ok) throw new Error(answer.error || `webhook answered ${answer.webhook_status}`);
      if (sentAt) status.textContent = "Delivered to the webhook; waiting for the reply…";
      return true;
    } catch (exc) {
      sentAt = null;
      status.textContent = `Not sent: ${exc.message}`;
      return false;
    }
  }

  function onMessages(messages) {
    // The answer is in once an outbound message newer than what we sent is stored.
    if (!sentAt) return;
    const last = messages.at(-1);
    const at = toDate(last?.at)?.getTime() || 0;
    if (last?.direction === "out" && at >= sentAt - 2000) {
      sentAt = null;
      status.textContent = "Answered.";
    }
  }

  // The conversation is keyed by the customer's key, not their number: find it by `wa_id`
  // (it appears with the first message) and follow its messages.
  function follow() {
    if (following === phone.value) return;
    following = phone.value;
    stop?.();
    let key = null;
    let stopThread = null;
    const stopFind = onSnapshot(
      query(collection(db, `tenants/${tenant}/conversations`), where("wa_id", "==", phone.value), limit(1)),
      (snap) => {
        const found = snap.docs[0]?.id || null;
        if (found === key) return;
        key = found;
        stopThread?.();
        stopThread = found
          ? followThread(db, tenant, found, thread, {
              onError: (exc) => (status.textContent = `Cannot read messages: ${exc.code || exc.message}`),
              // Buttons and list rows of the newest message can be pressed, as on the phone.
              onPress: (item) => send({ text: item.title, reply: { kind: item.kind, id: item.id } }, `“${item.title}”`),
              onMessages,
            })
          : null;
        if (!found) thread.replaceChildren(h("li", { class: "muted empty" }, "No messages yet."));
      },
      (exc) => (status.textContent = `Cannot find the conversation: ${exc.code || exc.message}`),
    );
    stop = () => {
      stopFind();
      stopThread?.();
    };
  }

  const form = h(
    "form",
    {
      class: "card sim",
      onsubmit: async (event) => {
        event.preventDefault();
        if (await send({ text: text.value }, "the message")) {
          text.value = "";
          text.focus();
        }
      },
    },
    h("label", { for: "sim-from" }, "Customer's WhatsApp number"),
    phone,
    h("label", { for: "sim-text" }, "Message"),
    h("div", { class: "row" }, text, h("button", { type: "submit", class: "primary" }, "Send")),
    status,
  );
  phone.addEventListener("change", follow);
  section.replaceChildren(
    h("h2", { id: "chat-h" }, "Chat simulator"),
    h("p", { class: "muted" }, "Only on the local emulators. Messages are signed like Meta's and go through the real webhook; the assistant's reply appears below. Press its buttons or pick from its lists as a customer would."),
    form,
    thread,
  );
  document.addEventListener("view-shown", (e) => e.detail === "chat" && follow());
}
