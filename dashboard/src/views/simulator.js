// Local chat simulator (emulators only): type as a customer; the message goes through the real
// webhook path (devtools/serve_dashboard.py signs it like Meta and posts it to respond.webhook)
// and the reply appears through the listener on the conversation's messages.
import { h } from "../format.js";
import { followThread } from "./thread.js";

export function mountSimulator(section, { db, tenant }) {
  const phone = h("input", { id: "sim-from", type: "tel", inputmode: "numeric", pattern: "[0-9]{6,15}", value: "15550009999", required: true });
  const text = h("input", { id: "sim-text", type: "text", autocomplete: "off", maxlength: "4096", required: true, placeholder: "do you have a denim jacket in stock?" });
  const status = h("p", { class: "muted", role: "status" });
  const thread = h("ol", { class: "thread", role: "log", "aria-live": "polite", "aria-label": "Simulated conversation" });
  let following = null;
  let stop = null;

  function follow() {
    if (following === phone.value) return;
    following = phone.value;
    stop?.();
    stop = followThread(db, tenant, phone.value, thread, { onError: (exc) => (status.textContent = `Cannot read messages: ${exc.code || exc.message}`) });
  }

  const form = h(
    "form",
    {
      class: "card sim",
      onsubmit: async (event) => {
        event.preventDefault();
        follow();
        status.textContent = "Sending through the webhook…";
        try {
          const response = await fetch("/api/chat", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ tenant, from: phone.value, text: text.value }),
          });
          const answer = await response.json();
          if (!response.ok) throw new Error(answer.error || `webhook answered ${answer.webhook_status}`);
          status.textContent = "Delivered to the webhook; waiting for the reply…";
          text.value = "";
          text.focus();
        } catch (exc) {
          status.textContent = `Not sent: ${exc.message}`;
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
    h("p", { class: "muted" }, "Only on the local emulators. Messages are signed like Meta's and go through the real webhook; the assistant's reply appears below."),
    form,
    thread,
  );
  document.addEventListener("view-shown", (e) => e.detail === "chat" && follow());
}
