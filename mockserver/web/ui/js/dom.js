// Small DOM and formatting helpers: no framework, every element built with h() (text is never parsed as HTML).

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "style") el.style.cssText = value; // through the CSSOM: the page's CSP forbids style attributes
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function badge(state) {
  const s = state === null || state === undefined ? "none" : String(state);
  return h("span", { class: `badge s-${s}` }, s);
}

export function httpBadge(status) {
  if (status === null || status === undefined) return h("span", { class: "badge" }, "…");
  return h("span", { class: `badge s-${String(status)[0]}xx` }, status);
}

/** Seconds since the epoch (a number) or an ISO string -> milliseconds. */
export function toMs(value) {
  if (value === null || value === undefined) return null;
  return typeof value === "number" ? value * 1000 : Date.parse(value);
}

export function relative(ms, now = Date.now()) {
  if (ms === null || Number.isNaN(ms)) return "";
  const diff = (now - ms) / 1000;
  const past = diff >= 0;
  const a = Math.abs(diff);
  const text = a < 1 ? "now" : a < 60 ? `${Math.round(a)} s` : a < 3600 ? `${Math.round(a / 60)} min`
    : a < 86400 ? `${Math.round(a / 3600)} h` : `${Math.round(a / 86400)} d`;
  return text === "now" ? text : past ? `${text} ago` : `in ${text}`;
}

export function absolute(ms) {
  if (ms === null || Number.isNaN(ms)) return "";
  const d = new Date(ms);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 23)}Z`;
}

/** A time shown both ways; the relative part is refreshed by tickTimes(). */
export function when(value) {
  const ms = toMs(value);
  if (ms === null) return h("span", { class: "muted" }, "—");
  return h("span", { class: "time", title: absolute(ms), dataset: { ms: String(ms) } },
    h("span", { class: "rel" }, relative(ms)), h("small", {}, absolute(ms)));
}

export function tickTimes(root = document) {
  const now = Date.now();
  for (const el of root.querySelectorAll(".time[data-ms] .rel")) {
    el.textContent = relative(Number(el.parentElement.dataset.ms), now);
  }
}

export function duration(fromMs, toMs_) {
  if (fromMs === null || toMs_ === null) return "";
  const s = (toMs_ - fromMs) / 1000;
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 120) return `${s.toFixed(s < 10 ? 2 : 1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function pretty(value) {
  if (value === null || value === undefined) return "(empty)";
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

export function table(headers, rows, opts = {}) {
  return h("div", { class: "table-wrap" }, h("table", { class: opts.class || "" },
    h("thead", {}, h("tr", {}, headers.map((x) => (typeof x === "string" ? h("th", { scope: "col" }, x) : x)))),
    h("tbody", {}, rows)));
}

/** A table row that opens something: clickable and reachable with Tab + Enter. */
export function linkRow(onOpen, cells, attrs = {}) {
  return h("tr", {
    ...attrs, class: `link ${attrs.class || ""}`, tabindex: "0", role: "link",
    onclick: onOpen, onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); onOpen(); } },
  }, cells);
}

let toastTimer = null;
export function toast(message, ok = false) {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.classList.toggle("ok", ok);
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, ok ? 2500 : 7000);
}
