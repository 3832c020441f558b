// Broadcasts: the owner picks an approved template and a segment, sees how many customers it
// reaches per language with a preview, and sends now or at a time. The sending is done by the
// scheduled respond.outreach function (paced, never twice, opted-out never included), not the
// browser; this view only writes tenants/{T}/broadcasts/{id} with status "scheduled" and shows
// each broadcast's progress and delivered/read/replied counts live.
import { addDoc, collection, doc, limit, onSnapshot, orderBy, query, serverTimestamp, Timestamp, updateDoc } from "firebase/firestore";
import { formatDateTime, formatNumber, h, toDate } from "../format.js";
import { allTags, watchContacts } from "./contacts.js";

export const TEMPLATES = { announcement: "announcement — one text, your words (utility/marketing)" };
const LANG_NAME = { en: "English", es: "Español", pt: "Português", fr: "Français", id: "Bahasa Indonesia", hi: "Hindi / Hinglish" };

/** The same rules as shared/broadcasts/segment.py (the server applies them again when sending). */
export function inSegment(c, seg, now = Date.now()) {
  if (!(c.wa_id || c.user_id) || c.opted_out) return false;
  if (seg.tags?.length && !seg.tags.some((t) => allTags(c).includes(t))) return false;
  if (seg.language && c.language !== seg.language) return false;
  if (seg.asked_sku && !(c.asked_skus || []).includes(seg.asked_sku)) return false;
  if (seg.bought_sku && !(c.bought_skus || []).includes(seg.bought_sku)) return false;
  if (seg.seen_within_days) {
    const seen = toDate(c.last_seen_at);
    if (!seen || seen.getTime() < now - seg.seen_within_days * 86400000) return false;
  }
  return true;
}

export function mountBroadcasts(section, session) {
  const { db, tenant, uid, role } = session;
  const base = `tenants/${tenant}`;
  let shopLanguage = "en";
  const error = h("p", { class: "error", role: "alert", hidden: true });
  const list = h("ul", { class: "alerts", "aria-label": "Broadcasts" });
  const fail = (what) => (exc) => {
    error.hidden = false;
    error.textContent = `Cannot ${what}: ${exc.code || exc.message}`;
  };

  const template = h("select", { id: "bc-template" }, ...Object.entries(TEMPLATES).map(([v, l]) => h("option", { value: v }, l)));
  const text = h("textarea", { id: "bc-text", rows: "3", maxlength: "1000", required: true, placeholder: "Black Friday: 20% off everything until Sunday. Reply STOP to stop these messages." });
  const tags = h("select", { id: "bc-tags", multiple: true, size: "4", "aria-describedby": "bc-tags-hint" });
  const language = h("select", { id: "bc-language" });
  const asked = h("input", { id: "bc-asked", placeholder: "item code", maxlength: "120" });
  const bought = h("input", { id: "bc-bought", placeholder: "item code", maxlength: "120" });
  const seen = h("input", { id: "bc-seen", type: "number", min: "1", max: "365", placeholder: "days" });
  const when = h("input", { id: "bc-when", type: "datetime-local" });
  const count = h("p", { class: "summary", id: "bc-count", role: "status", "aria-live": "polite" });
  const previews = h("div", { class: "previews", "aria-label": "Preview per language" });
  const status = h("p", { class: "muted", role: "status" });
  const form = h(
    "form",
    { class: "card form-grid", id: "broadcast-form" },
    h("label", { for: "bc-template" }, "Approved template"),
    template,
    h("label", { for: "bc-text" }, "Message"),
    text,
    h("fieldset", { class: "form-grid" }, h("legend", {}, "Who gets it (opted-out customers never do)"),
      h("label", { for: "bc-tags" }, "Tags (any of)"), tags, h("small", { id: "bc-tags-hint", class: "muted" }, "none selected: every tag"),
      h("label", { for: "bc-language" }, "Language"), language,
      h("label", { for: "bc-asked" }, "Asked about item"), asked,
      h("label", { for: "bc-bought" }, "Bought item"), bought,
      h("label", { for: "bc-seen" }, "Wrote in the last … days"), seen),
    h("label", { for: "bc-when" }, "Send at (your time; empty = now)"),
    when,
    count,
    previews,
    h("button", { type: "submit", class: "primary", id: "bc-send" }, "Send broadcast"),
    status,
  );
  section.replaceChildren(
    h("h2", { id: "broadcasts-h" }, "Broadcasts"),
    error,
    role === "owner" ? form : h("p", { class: "card muted" }, "Only the shop owner can send broadcasts. You can follow them below."),
    h("h3", {}, "Sent and scheduled"),
    list,
  );

  function segment() {
    const seg = {};
    const chosen = [...tags.selectedOptions].map((o) => o.value);
    if (chosen.length) seg.tags = chosen;
    if (language.value) seg.language = language.value;
    if (asked.value.trim()) seg.asked_sku = asked.value.trim();
    if (bought.value.trim()) seg.bought_sku = bought.value.trim();
    if (Number(seen.value) > 0) seg.seen_within_days = Number(seen.value);
    return seg;
  }

  function refreshPreview() {
    const all = [...customers.values()];
    const current = [...tags.selectedOptions].map((o) => o.value);
    const tagValues = [...new Set(all.flatMap(allTags))].sort();
    if (tags.options.length !== tagValues.length) tags.replaceChildren(...tagValues.map((t) => h("option", { value: t, selected: current.includes(t) }, t)));
    const langValue = language.value;
    const langs = [...new Set(all.map((c) => c.language || shopLanguage))].sort();
    language.replaceChildren(h("option", { value: "" }, "Any language"), ...langs.map((l) => h("option", { value: l, selected: l === langValue }, LANG_NAME[l] || l)));
    const seg = segment();
    const members = all.filter((c) => inSegment(c, seg));
    const byLang = {};
    for (const c of members) byLang[c.language || shopLanguage] = (byLang[c.language || shopLanguage] || 0) + 1;
    const optedOut = all.filter((c) => c.opted_out).length;
    count.textContent = `Reaches ${formatNumber(members.length)} customer${members.length === 1 ? "" : "s"}` + (optedOut ? ` (${optedOut} opted out, never included)` : "");
    count.dataset.count = String(members.length);
    previews.replaceChildren(
      ...Object.entries(byLang).map(([lang, n]) =>
        h("div", { class: "card", dataset: { lang } }, h("strong", {}, `${LANG_NAME[lang] || lang} · ${n}`), h("p", { class: "preview-bubble" }, text.value || "…"), h("small", { class: "muted" }, `template “${template.value}”, language ${lang}`)),
      ),
    );
  }
  for (const el of [text, tags, language, asked, bought, seen, template]) el.addEventListener("input", refreshPreview);
  for (const el of [tags, language]) el.addEventListener("change", refreshPreview);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = text.value.trim();
    if (!message) return;
    const at = when.value ? new Date(when.value) : new Date();
    try {
      await addDoc(collection(db, `${base}/broadcasts`), {
        name: message.slice(0, 40),
        template: template.value,
        text: message,
        segment: segment(),
        send_at: Timestamp.fromDate(at),
        status: "scheduled",
        created_by: uid,
        created_at: serverTimestamp(),
      });
      status.textContent = when.value ? `Scheduled for ${formatDateTime(at)}.` : "Queued: sending starts within a minute, paced to WhatsApp's limits.";
      text.value = "";
      refreshPreview();
    } catch (exc) {
      status.textContent = `Not sent: ${exc.code || exc.message}`;
    }
  });

  const segmentText = (s = {}) =>
    [s.tags?.length ? `tags ${s.tags.join(" or ")}` : null, s.language ? `language ${s.language}` : null, s.asked_sku ? `asked about ${s.asked_sku}` : null, s.bought_sku ? `bought ${s.bought_sku}` : null, s.seen_within_days ? `wrote in the last ${s.seen_within_days} days` : null].filter(Boolean).join(", ") || "every customer";

  onSnapshot(
    query(collection(db, `${base}/broadcasts`), orderBy("created_at", "desc"), limit(50)),
    (snap) =>
      list.replaceChildren(
        ...(snap.empty
          ? [h("li", { class: "muted empty" }, "No broadcasts yet.")]
          : snap.docs.map((d) => {
              const b = d.data();
              const figures = [
                ["Audience", b.audience],
                ["Sent", b.sent],
                ["Skipped (opted out)", b.skipped_opted_out],
                ["Failed", b.failed],
                ["Delivered", b.delivered],
                ["Read", b.read],
                ["Replied", b.replied],
              ];
              return h(
                "li",
                { class: "card", dataset: { id: d.id, status: b.status } },
                h("div", { class: "alert-head" }, h("span", { class: `badge ${b.status === "done" ? "in_stock" : b.status === "cancelled" ? "muted" : "low"}` }, b.status), h("strong", {}, b.name || b.text)),
                h("p", { class: "muted" }, `To ${segmentText(b.segment)} · template “${b.template}” · ${b.status === "scheduled" ? "sends" : "sent"} ${formatDateTime(b.send_at)}`),
                h("dl", { class: "details" }, ...figures.flatMap(([k, v]) => [h("dt", {}, k), h("dd", { dataset: { figure: k.toLowerCase().split(" ")[0] } }, formatNumber(v ?? 0))])),
                role === "owner" && b.status === "scheduled"
                  ? h("button", { type: "button", onclick: () => updateDoc(doc(db, `${base}/broadcasts/${d.id}`), { status: "cancelled" }).catch(fail("cancel")) }, "Cancel")
                  : null,
              );
            })),
      ),
    fail("read broadcasts"),
  );

  onSnapshot(doc(db, base), (snap) => {
    shopLanguage = String(snap.data()?.locale || "en").split("-")[0].toLowerCase();
    refreshPreview();
  });
  let customers = new Map();
  watchContacts(
    session,
    (contacts) => {
      customers = contacts;
      refreshPreview();
    },
    fail("read contacts"),
  );
}
