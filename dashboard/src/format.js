// Formatting helpers: money from integer minor units, times, numbers. Pure functions.

const fractionDigits = new Map();

/** Minor units of an ISO 4217 currency in one major unit's fraction (JPY 0, USD 2, KWD 3). */
export function currencyDigits(currency) {
  if (!fractionDigits.has(currency)) {
    let digits = 2;
    try {
      digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
    } catch {
      digits = 2; // an unknown code: show it with two decimals rather than fail the row
    }
    fractionDigits.set(currency, digits);
  }
  return fractionDigits.get(currency);
}

const moneyFormats = new Map();

export function formatMoney(minor, currency) {
  if (minor === null || minor === undefined || !Number.isFinite(Number(minor))) return "—";
  const code = (currency || "USD").toUpperCase();
  const digits = currencyDigits(code);
  if (!moneyFormats.has(code)) {
    try {
      moneyFormats.set(code, new Intl.NumberFormat(undefined, { style: "currency", currency: code }));
    } catch {
      moneyFormats.set(code, { format: (v) => `${v.toFixed(digits)} ${code}` });
    }
  }
  return moneyFormats.get(code).format(Number(minor) / 10 ** digits);
}

/** A Firestore Timestamp, Date, ISO string or epoch millis as a Date (or null). */
export function toDate(value) {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value.toDate === "function") return value.toDate();
  if (typeof value === "number") return new Date(value);
  if (typeof value === "string") {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto", style: "short" });

export function timeAgo(value, now = Date.now()) {
  const d = toDate(value);
  if (!d) return "—";
  const seconds = Math.round((d.getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return relative.format(seconds, "second");
  if (abs < 2700) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 79200) return relative.format(Math.round(seconds / 3600), "hour");
  return relative.format(Math.round(seconds / 86400), "day");
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatDateTime(value) {
  const d = toDate(value);
  return d ? dateTime.format(d) : "—";
}

const plain = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

export function formatNumber(value) {
  return value === null || value === undefined || !Number.isFinite(Number(value)) ? "—" : plain.format(Number(value));
}

export function formatPercent(ratio) {
  return ratio === null || ratio === undefined ? "—" : `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)}%`;
}

/** Escapes text for inclusion in HTML built as a string (the large catalog table does that). */
export function esc(value) {
  return String(value ?? "")
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/** Tiny element builder: h("button", { class: "x", onclick }, "text", child). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}
