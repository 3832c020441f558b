// The staff dashboard: one page, a view per tab, every one fed by Firestore onSnapshot listeners.
import "./style.css";
import { h } from "./format.js";
import { loadConfig, openSession } from "./session.js";
import { mountCatalog } from "./views/catalog.js";
import { mountInbox } from "./views/inbox.js";
import { mountAlerts } from "./views/alerts.js";
import { mountKpis } from "./views/kpis.js";
import { mountSimulator } from "./views/simulator.js";
import { mountContacts } from "./views/contacts.js";
import { mountBroadcasts } from "./views/broadcasts.js";
import { mountStatus } from "./views/status.js";
import { mountOrders } from "./views/orders.js";
import { mountBookings } from "./views/bookings.js";

const VIEWS = ["catalog", "inbox", "orders", "bookings", "alerts", "kpis", "chat", "contacts", "broadcasts", "status"];
const conn = document.getElementById("conn");

function show(view) {
  const name = VIEWS.includes(view) ? view : "catalog";
  for (const v of [...VIEWS, "signin"]) document.getElementById(`view-${v}`).hidden = v !== name;
  for (const link of document.querySelectorAll("[data-view]")) {
    if (link.dataset.view === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.dispatchEvent(new CustomEvent("view-shown", { detail: name }));
}

function signInForm(submit) {
  const section = document.getElementById("view-signin");
  const error = h("p", { class: "error", role: "alert" });
  const email = h("input", { id: "signin-email", type: "email", autocomplete: "username", required: true });
  const password = h("input", { id: "signin-password", type: "password", autocomplete: "current-password", required: true });
  const form = h(
    "form",
    {
      class: "card narrow",
      onsubmit: async (event) => {
        event.preventDefault();
        error.textContent = "";
        try {
          await submit(email.value, password.value);
        } catch (exc) {
          error.textContent = `Sign-in failed: ${exc.code || exc.message}`;
        }
      },
    },
    h("h2", { id: "signin-h" }, "Staff sign-in"),
    h("label", { for: "signin-email" }, "Email"),
    email,
    h("label", { for: "signin-password" }, "Password"),
    password,
    h("button", { type: "submit", class: "primary" }, "Sign in"),
    error,
  );
  section.replaceChildren(form);
  for (const v of VIEWS) document.getElementById(`view-${v}`).hidden = true;
  section.hidden = false;
  conn.textContent = "signed out";
}

async function boot() {
  const config = await loadConfig();
  const session = await openSession(config, { onSignInNeeded: signInForm });
  performance.mark("session-open");
  document.getElementById("view-signin").hidden = true;
  document.getElementById("tenant-label").textContent = `· ${session.tenant}${session.role === "agent" ? " · agent" : ""}`;
  document.title = `${session.tenant} — WhatsApp CRM`;
  if (session.signOut) {
    document.querySelector(".top").append(h("button", { class: "link", onclick: session.signOut }, "Sign out"));
  }
  conn.textContent = config.mode === "emulator" ? "live · local emulators" : "live";
  mountCatalog(document.getElementById("view-catalog"), session);
  mountInbox(document.getElementById("view-inbox"), session);
  mountAlerts(document.getElementById("view-alerts"), session);
  mountKpis(document.getElementById("view-kpis"), session);
  mountContacts(document.getElementById("view-contacts"), session);
  mountBroadcasts(document.getElementById("view-broadcasts"), session);
  mountStatus(document.getElementById("view-status"), session);
  mountOrders(document.getElementById("view-orders"), session);
  mountBookings(document.getElementById("view-bookings"), session);
  document.body.dataset.role = session.role;
  if (config.simulator) {
    document.getElementById("nav-chat").hidden = false;
    mountSimulator(document.getElementById("view-chat"), session);
  }
  window.addEventListener("hashchange", () => show(location.hash.slice(1)));
  show(location.hash.slice(1));
  document.body.dataset.ready = "true";
}

window.addEventListener("online", () => (conn.textContent = "live"));
window.addEventListener("offline", () => (conn.textContent = "offline — showing the last data"));

boot().catch((exc) => {
  conn.textContent = "not connected";
  const main = document.getElementById("main");
  main.prepend(h("p", { class: "error card", role: "alert" }, `The dashboard could not start: ${exc.message}`));
});
