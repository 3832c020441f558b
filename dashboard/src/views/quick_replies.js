// Saved answers per tenant (tenants/{T}/quick_replies/{id}: shortcut, text): typing `/` in the
// reply box lists them, filtered by what follows; Enter or a click puts the text in the box.
import { addDoc, collection, deleteDoc, doc, onSnapshot, orderBy, query, serverTimestamp } from "firebase/firestore";
import { h } from "../format.js";

export function matchQuickReplies(all, typed) {
  const q = typed.replace(/^\//, "").trim().toLowerCase();
  return all.filter((r) => !q || r.shortcut.toLowerCase().includes(q) || r.text.toLowerCase().includes(q)).slice(0, 8);
}

export function attachQuickReplies(textarea, { db, tenant, uid }) {
  const path = `tenants/${tenant}/quick_replies`;
  let all = [];
  let active = 0;
  const popup = h("ul", { class: "quick-popup", role: "listbox", id: "quick-replies", hidden: true, "aria-label": "Saved answers" });
  textarea.setAttribute("aria-controls", "quick-replies");
  textarea.after(popup);
  const saved = h("ul", { class: "quick-list" });
  const shortcut = h("input", { id: "qr-shortcut", placeholder: "shortcut, e.g. hours", maxlength: "40", required: true });
  const text = h("textarea", { id: "qr-text", rows: "2", placeholder: "We are open 9–6, Monday to Saturday.", maxlength: "1024", required: true });
  const status = h("p", { class: "muted", role: "status" });
  const form = h(
    "form",
    {
      class: "quick-add",
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await addDoc(collection(db, path), { shortcut: shortcut.value.trim().replace(/^\//, ""), text: text.value.trim(), updated_by: uid, updated_at: serverTimestamp() });
          shortcut.value = "";
          text.value = "";
          status.textContent = "Saved.";
        } catch (exc) {
          status.textContent = `Not saved: ${exc.code || exc.message}`;
        }
      },
    },
    h("label", { for: "qr-shortcut" }, "Shortcut"),
    shortcut,
    h("label", { for: "qr-text" }, "Answer"),
    text,
    h("button", { type: "submit" }, "Save answer"),
    status,
  );
  const manager = h("details", { class: "quick-manager" }, h("summary", {}, "Saved answers (type / in the box to use one)"), saved, form);

  onSnapshot(query(collection(db, path), orderBy("shortcut")), (snap) => {
    all = snap.docs.map((d) => ({ id: d.id, ...d.data() }));
    saved.replaceChildren(
      ...(all.length
        ? all.map((r) => h("li", {}, h("strong", {}, `/${r.shortcut}`), " ", h("span", {}, r.text), " ", h("button", { type: "button", class: "link", "aria-label": `Delete /${r.shortcut}`, onclick: () => deleteDoc(doc(db, `${path}/${r.id}`)) }, "delete")))
        : [h("li", { class: "muted" }, "No saved answers yet.")]),
    );
  });

  function choices() {
    const value = textarea.value;
    return value.startsWith("/") && !value.includes("\n") ? matchQuickReplies(all, value) : [];
  }
  function render() {
    const found = choices();
    popup.hidden = found.length === 0;
    active = Math.min(active, Math.max(0, found.length - 1));
    popup.replaceChildren(
      ...found.map((r, i) =>
        h("li", { role: "option", id: `qr-opt-${i}`, "aria-selected": String(i === active), class: i === active ? "active" : "", onmousedown: (e) => (e.preventDefault(), use(r)) }, h("strong", {}, `/${r.shortcut}`), " ", h("span", { class: "muted" }, r.text)),
      ),
    );
    if (found.length) textarea.setAttribute("aria-activedescendant", `qr-opt-${active}`);
    else textarea.removeAttribute("aria-activedescendant");
  }
  function use(r) {
    textarea.value = r.text;
    popup.hidden = true;
    textarea.focus();
  }
  textarea.addEventListener("input", () => {
    active = 0;
    render();
  });
  textarea.addEventListener("keydown", (event) => {
    const found = choices();
    if (popup.hidden || !found.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : found.length - 1)) % found.length;
      render();
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      use(found[active]);
    } else if (event.key === "Escape") {
      popup.hidden = true;
    }
  });
  textarea.addEventListener("blur", () => setTimeout(() => (popup.hidden = true), 100));
  return { manager };
}
