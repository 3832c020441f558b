// Contacts: every customer (tenants/{T}/customers/{customer_key}) with name, number or username,
// language, tags, marketing opt-out, first and last seen, orders, bookings and lifetime value;
// search, tag and language filters, tags edited by staff, tag rules (owners), and a CSV export of
// what is shown. Orders and bookings come from commerce's collections, matched by customer_key.
import { addDoc, collection, deleteDoc, doc, limit, onSnapshot, orderBy, query, serverTimestamp } from "firebase/firestore";
import { watchCollection } from "../live.js";
import { formatDateTime, formatMoney, h, toDate } from "../format.js";
import { mountCustomerPanel } from "./customer.js";
import { CLOSED_BOOKING } from "./deals.js";

export const CSV_COLUMNS = ["name", "whatsapp", "username", "language", "tags", "opted_out", "first_seen", "last_seen", "orders", "bookings", "lifetime_value"];

/** One CSV field: quoted when it holds a comma, quote or line break; formulas neutralised. */
export function csvField(value) {
  let text = value === null || value === undefined ? "" : String(value);
  // A spreadsheet must not run a customer's name as a formula; a phone number stays as it is.
  if (/^[=+\-@]/.test(text) && !/^\+\d+$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows) {
  return [CSV_COLUMNS.join(","), ...rows.map((r) => CSV_COLUMNS.map((c) => csvField(r[c])).join(","))].join("\r\n") + "\r\n";
}

/** All tags of a contact: set by staff and by rules. */
export const allTags = (c) => [...new Set([...(c.tags || []), ...(c.rule_tags || [])])];

/**
 * One contact from the customer's conversation (name, number or WhatsApp user id, username,
 * language, last message, opt-out) and their customer record (tags, rule tags, opt-out, items),
 * both keyed by customer_key: the same merge as shared/broadcasts/segment.merge_contact.
 */
export function mergeContact(conversation, record) {
  const conv = conversation || {};
  const rec = record || {};
  return { ...conv, ...rec, opted_out: Boolean(conv.opted_out || rec.opted_out), last_seen_at: rec.last_seen_at || conv.last_inbound_at };
}

/** Every contact, live: calls onChange(Map key -> contact) after each change. */
export function watchContacts({ db, lite, tenant }, onChange, onError) {
  const conversations = new Map();
  const records = new Map();
  const contacts = new Map();
  const apply = (map) => (changes) => {
    for (const c of changes) {
      if (c.type === "removed") map.delete(c.id);
      else map.set(c.id, c.data);
      const merged = conversations.has(c.id) || records.has(c.id) ? mergeContact(conversations.get(c.id), records.get(c.id)) : null;
      if (merged) contacts.set(c.id, merged);
      else contacts.delete(c.id);
    }
    onChange(contacts);
  };
  watchCollection({ db, lite, path: `tenants/${tenant}/conversations`, apply: apply(conversations), onError });
  watchCollection({ db, lite, path: `tenants/${tenant}/customers`, apply: apply(records), onError });
  return contacts;
}

export function mountContacts(section, session) {
  const { db, tenant, role, uid } = session;
  const base = `tenants/${tenant}`;
  const orders = new Map(); // customer_key -> { count, value: {cur: minor} }
  const bookings = new Map(); // customer_key -> { count, upcoming }
  let selected = null;

  const error = h("p", { class: "error", role: "alert", hidden: true });
  const summary = h("p", { class: "summary", "aria-live": "polite" }, "Loading contacts…");
  const search = h("input", { id: "contacts-search", type: "search", placeholder: "Name, number or username", autocomplete: "off" });
  const tagFilter = h("select", { id: "contacts-tag", "aria-label": "Tag" });
  const langFilter = h("select", { id: "contacts-language", "aria-label": "Language" });
  const optFilter = h("select", { id: "contacts-optout", "aria-label": "Marketing" }, h("option", { value: "" }, "Subscribed and opted out"), h("option", { value: "in" }, "Subscribed only"), h("option", { value: "out" }, "Opted out only"));
  const exportButton = h("button", { type: "button", id: "contacts-export" }, "Export CSV");
  const body = h("tbody");
  const table = h(
    "table",
    { class: "contacts-table", "aria-labelledby": "contacts-h" },
    h("thead", {}, h("tr", {}, ...["Name", "WhatsApp", "Language", "Tags", "Marketing", "First seen", "Last seen", "Orders", "Bookings", "Lifetime value"].map((t, i) => h("th", { scope: "col", class: i >= 7 ? "num" : i === 5 || i === 2 ? "wide-only" : null }, t)))),
    body,
  );
  const panel = h("aside", { class: "customer-pane card", "aria-label": "Contact" });
  const customerPanel = mountCustomerPanel(panel, session);
  const rules = h("ul", { class: "rules" });
  const ruleForm = ruleEditor();
  section.replaceChildren(
    h("div", { class: "view-head" }, h("h2", { id: "contacts-h" }, "Contacts"), exportButton),
    error,
    summary,
    h("div", { class: "filters" }, search, tagFilter, langFilter, optFilter),
    h("div", { class: "contacts" }, h("div", { class: "table-scroll", tabindex: "0", role: "region", "aria-label": "Contacts, scrollable" }, table), panel),
    h("details", { class: "card", id: "tag-rules" }, h("summary", {}, h("h3", {}, "Automatic tags")), h("p", { class: "muted" }, "A rule tags every customer who asked about or bought an item; broadcasts can then go to that tag."), rules, ruleForm),
  );
  const fail = (what) => (exc) => {
    error.hidden = false;
    error.textContent = `Cannot ${what}: ${exc.code || exc.message}`;
  };

  function row(key, c) {
    const o = orders.get(key) || { count: 0, value: {} };
    const b = bookings.get(key) || { count: 0, upcoming: 0 };
    return {
      key,
      name: c.profile_name || c.name || "",
      whatsapp: c.wa_id ? `+${c.wa_id}` : "",
      username: c.username || "",
      language: c.language || "",
      tags: allTags(c).join(" "),
      opted_out: c.opted_out ? "yes" : "no",
      first_seen: toDate(c.first_seen_at || c.session_started_at)?.toISOString() || "",
      last_seen: toDate(c.last_seen_at)?.toISOString() || "",
      orders: o.count,
      bookings: b.count,
      lifetime_value: Object.entries(o.value).map(([cur, v]) => formatMoney(v, cur)).join(" + "),
      raw: c,
    };
  }

  function filtered() {
    const q = search.value.trim().toLowerCase();
    const digits = q.replace(/[^\d]/g, "");
    return [...customers]
      .map(([key, c]) => row(key, c))
      .filter((r) => {
        if (q && !`${r.name} ${r.username}`.toLowerCase().includes(q) && !(digits.length >= 3 && r.whatsapp.includes(digits))) return false;
        if (tagFilter.value && !allTags(r.raw).includes(tagFilter.value)) return false;
        if (langFilter.value && r.language !== langFilter.value) return false;
        if (optFilter.value === "in" && r.raw.opted_out) return false;
        if (optFilter.value === "out" && !r.raw.opted_out) return false;
        return true;
      })
      .sort((a, b) => (toDate(b.raw.last_seen_at)?.getTime() || 0) - (toDate(a.raw.last_seen_at)?.getTime() || 0));
  }

  function options(select, values, all) {
    const current = select.value;
    select.replaceChildren(h("option", { value: "" }, all), ...values.map((v) => h("option", { value: v, selected: v === current }, v)));
  }

  function render() {
    const all = [...customers.values()];
    options(tagFilter, [...new Set(all.flatMap(allTags))].sort(), "Any tag");
    options(langFilter, [...new Set(all.map((c) => c.language).filter(Boolean))].sort(), "Any language");
    const rows = filtered();
    const optedOut = all.filter((c) => c.opted_out).length;
    summary.textContent = `${customers.size} contacts, ${optedOut} opted out of broadcasts; ${rows.length} shown.`;
    // The first 500 matches are drawn; search or filter to find the others (the export has all).
    body.replaceChildren(
      ...(rows.length
        ? rows.slice(0, 500).map((r) =>
            h(
              "tr",
              { dataset: { key: r.key }, class: r.key === selected ? "selected" : null },
              h("th", { scope: "row" }, h("button", { type: "button", class: "link", onclick: () => select(r.key) }, r.name || r.whatsapp || r.key)),
              h("td", {}, [r.whatsapp, r.username ? `@${r.username}` : ""].filter(Boolean).join(" ")),
              h("td", { class: "wide-only" }, r.language.toUpperCase()),
              h("td", {}, h("span", { class: "tags" }, ...allTags(r.raw).map((t) => h("span", { class: "tag" }, t)))),
              h("td", {}, r.raw.opted_out ? h("span", { class: "badge out" }, "opted out") : "subscribed"),
              h("td", { class: "wide-only" }, formatDateTime(r.first_seen)),
              h("td", {}, formatDateTime(r.last_seen)),
              h("td", { class: "num" }, String(r.orders)),
              h("td", { class: "num" }, String(r.bookings)),
              h("td", { class: "num" }, r.lifetime_value || "—"),
            ),
          )
        : [h("tr", {}, h("td", { colspan: "10", class: "empty" }, customers.size ? "No contact matches." : "No contacts yet: customers appear here after their first message."))]),
    );
  }

  function select(key) {
    selected = key;
    customerPanel.show(key, null);
    render();
  }

  for (const el of [search, tagFilter, langFilter, optFilter]) el.addEventListener(el === search ? "input" : "change", render);
  exportButton.addEventListener("click", () => {
    const blob = new Blob([toCsv(filtered())], { type: "text/csv;charset=utf-8" });
    const a = h("a", { href: URL.createObjectURL(blob), download: `contacts-${tenant}-${new Date().toISOString().slice(0, 10)}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });

  let customers = new Map();
  watchContacts(
    session,
    (contacts) => {
      customers = contacts;
      render();
    },
    fail("read contacts"),
  );
  onSnapshot(
    query(collection(db, `${base}/orders`), orderBy("created_at", "desc"), limit(5000)),
    (snap) => {
      orders.clear();
      for (const d of snap.docs) {
        const o = d.data();
        if (!o.customer_key) continue;
        const entry = orders.get(o.customer_key) || { count: 0, value: {} };
        entry.count += 1;
        if (!["cancelled", "canceled", "refunded", "rejected"].includes(o.status)) {
          const cur = o.currency || "USD";
          entry.value[cur] = (entry.value[cur] || 0) + Number(o.total_minor || 0);
        }
        orders.set(o.customer_key, entry);
      }
      render();
    },
    () => {},
  );
  onSnapshot(
    query(collection(db, `${base}/bookings`), orderBy("created_at", "desc"), limit(5000)),
    (snap) => {
      bookings.clear();
      for (const d of snap.docs) {
        const b = d.data();
        if (!b.customer_key) continue;
        const entry = bookings.get(b.customer_key) || { count: 0, upcoming: 0 };
        entry.count += 1;
        entry.upcoming += CLOSED_BOOKING.has(b.status) ? 0 : 1;
        bookings.set(b.customer_key, entry);
      }
      render();
    },
    () => {},
  );

  // Tag rules: "asked for SKU" / "bought SKU" -> tag. Owners edit them; everyone sees them.
  onSnapshot(
    query(collection(db, `${base}/tag_rules`), orderBy("created_at")),
    (snap) =>
      rules.replaceChildren(
        ...(snap.empty
          ? [h("li", { class: "muted" }, "No automatic tags yet.")]
          : snap.docs.map((d) => {
              const r = d.data();
              return h("li", { dataset: { rule: d.id } }, `Customers who ${r.when === "bought" ? "bought" : "asked about"} ${r.sku} get the tag `, h("span", { class: "tag" }, r.tag), role === "owner" ? h("button", { type: "button", class: "link", onclick: () => deleteDoc(doc(db, `${base}/tag_rules/${d.id}`)).catch(fail("delete the rule")) }, "remove") : null);
            })),
      ),
    fail("read tag rules"),
  );

  function ruleEditor() {
    if (role !== "owner") return h("p", { class: "muted" }, "Only the shop owner can add automatic tags.");
    const when = h("select", { id: "rule-when", "aria-label": "When" }, h("option", { value: "asked" }, "asked about"), h("option", { value: "bought" }, "bought"));
    const sku = h("input", { id: "rule-sku", placeholder: "item code (SKU)", required: true, maxlength: "120" });
    const tag = h("input", { id: "rule-tag", placeholder: "tag", required: true, maxlength: "40" });
    const status = h("span", { class: "muted", role: "status" });
    return h(
      "form",
      {
        class: "filters",
        onsubmit: async (event) => {
          event.preventDefault();
          try {
            await addDoc(collection(db, `${base}/tag_rules`), { tag: tag.value.trim().toLowerCase().replace(/\s+/g, "-"), when: when.value, sku: sku.value.trim(), created_by: uid, created_at: serverTimestamp() });
            tag.value = "";
            sku.value = "";
            status.textContent = "Added: customers are tagged within a few minutes.";
          } catch (exc) {
            status.textContent = `Not added: ${exc.code || exc.message}`;
          }
        },
      },
      h("span", {}, "Customers who"),
      when,
      sku,
      h("span", {}, "get the tag"),
      tag,
      h("button", { type: "submit" }, "Add rule"),
      status,
    );
  }
}
