// System health, live: each part green, amber or red with the reason, from
// tenants/{T}/health/current (written every 2 minutes by respond.outreach from the documents the
// alerts read; `python -m shared.cli status` prints the same). If that document itself stops
// changing, the scheduled job is not running: the view says so.
import { doc, onSnapshot } from "firebase/firestore";
import { formatDateTime, h, timeAgo, toDate } from "../format.js";

const PART = { sheet: "Sheet sync", webhook: "WhatsApp webhook", worker: "Replies", provider: "AI service", rollup: "KPI roll-up" };
const WORD = { green: "working", amber: "look soon", red: "act now", grey: "unknown" };
const STALE_MS = 5 * 60000; // written every 2 minutes

export function mountStatus(section, { db, tenant }) {
  const summary = h("p", { class: "summary", role: "status", "aria-live": "polite" }, "Checking…");
  const list = h("ul", { class: "lights", "aria-label": "Parts of the system" });
  const error = h("p", { class: "error", role: "alert", hidden: true });
  section.replaceChildren(h("h2", { id: "status-h" }, "System status"), error, summary, list);
  let data = null;

  function render() {
    if (!data) {
      summary.textContent = "No health check yet: it runs every 2 minutes with the scheduled jobs.";
      list.replaceChildren();
      return;
    }
    const checked = toDate(data.checked_at);
    const late = !checked || Date.now() - checked.getTime() > STALE_MS;
    const lights = [...(data.lights || [])];
    if (late) lights.unshift({ part: "scheduler", name: "scheduled jobs", level: "red", reason: `the last health check ran ${timeAgo(checked)}: the minute jobs are not running` });
    const worst = lights.reduce((w, l) => (["grey", "green", "amber", "red"].indexOf(l.level) > ["grey", "green", "amber", "red"].indexOf(w) ? l.level : w), "grey");
    summary.textContent = `Overall: ${WORD[worst]} · checked ${timeAgo(checked)} (${formatDateTime(checked)})`;
    summary.dataset.level = worst;
    // A sheet is named by its file or spreadsheet id, not its whole path.
    const short = (name) => String(name).replace(/^sheet\s+/, "").split(/[/:]/).pop();
    list.replaceChildren(
      ...lights.map((l) =>
        h(
          "li",
          { class: `light card lvl-${l.level}`, dataset: { part: l.part, level: l.level } },
          h("span", { class: `lamp ${l.level}`, role: "img", "aria-label": l.level }),
          h("strong", {}, `${["sheet", "provider"].includes(l.part) ? `${PART[l.part]} — ${l.part === "sheet" ? short(l.name) : l.name}` : PART[l.part] || "Scheduled jobs"}: ${WORD[l.level] || l.level}`),
          h("span", { class: "why" }, l.reason),
        ),
      ),
    );
  }

  onSnapshot(
    doc(db, `tenants/${tenant}/health/current`),
    (snap) => {
      data = snap.exists() ? snap.data() : null;
      render();
    },
    (exc) => {
      error.hidden = false;
      error.textContent = `Cannot read the health check: ${exc.code || exc.message}`;
    },
  );
  setInterval(render, 30000); // "checked … ago" and the late-scheduler warning move with the clock
}
