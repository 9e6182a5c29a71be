// The dashboard's shell: hash routes (#/jobs, #/jobs/<id>, #/requests, #/webhooks, #/scenarios, #/clock), the token
// prompt, one feed connection shared by every view, and the refresh of relative times.
import * as api from "./api.js";
import { h, replace, tickTimes, toast } from "./dom.js";
import * as jobs from "./jobs.js";
import * as timeline from "./timeline.js";
import * as requests from "./requests.js";
import * as webhooks from "./webhooks.js";
import * as scenarios from "./scenarios.js";
import * as clock from "./clock.js";

const main = document.getElementById("main");
const liveEl = document.getElementById("live");
let current = null;
let locked = false;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "") || "jobs";
  const [path, query = ""] = raw.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { parts, params: Object.fromEntries(new URLSearchParams(query)) };
}

/** Change the current route's query (filters) without leaving the view. */
function setParams(params) {
  const { parts } = parseHash();
  const q = api.qs(params);
  history.replaceState(null, "", `#/${parts.map(encodeURIComponent).join("/")}${q}`);
}

function pick(parts) {
  if (parts[0] === "jobs" && parts[1]) return [timeline, "jobs"];
  return [{ jobs, requests, webhooks, scenarios, clock }[parts[0]] || jobs, parts[0] || "jobs"];
}

function route() {
  if (current && current.unmount) current.unmount();
  current = null;
  const { parts, params } = parseHash();
  const [view, name] = pick(parts);
  for (const a of document.querySelectorAll("nav a")) {
    if (a.dataset.view === name) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (locked) { showLocked(); return; }
  const root = h("div", { class: "view" });
  replace(main, root);
  current = view.mount(root, { parts, params, setParams, refreshSoon });
}

// Views ask for a refresh on the events they care about; a burst of events makes one refresh, and a refresh never
// overlaps the previous one (a busy mock is asked at most once per round trip, not once per event).
let timer = null;
let running = false;
let again = false;
function refreshSoon() {
  if (running) { again = true; return; }
  if (timer) return;
  timer = setTimeout(async () => {
    timer = null;
    if (!current || !current.refresh) return;
    running = true;
    try { await current.refresh(); } finally {
      running = false;
      if (again) { again = false; refreshSoon(); }
    }
  }, 120);
}

api.subscribe((event) => {
  // feed.gap: the page fell behind and events were dropped; whatever the view shows may be stale.
  if (event.kind === "feed.gap" || (current && current.wants && current.wants(event))) refreshSoon();
});

function setLive(state) {
  liveEl.textContent = { live: "live", reconnecting: "reconnecting…", locked: "locked" }[state] || state;
  liveEl.className = `live ${state === "live" ? "on" : state === "locked" ? "off" : ""}`;
  if (state === "live" && current && current.refresh) current.refresh(); // catch up after a reconnect
}

// -- the admin token -------------------------------------------------------------------------------------------
const dialog = document.getElementById("token-dialog");
const input = document.getElementById("token-input");
const tokenError = document.getElementById("token-error");

function showLocked() {
  replace(main, h("section", { class: "panel locked" },
    h("h1", {}, "Admin token needed"),
    h("p", {}, "This mock protects its admin API with a token; nothing is shown without it."),
    h("button", { class: "primary", onclick: askToken }, "Enter the token")));
}

function askToken() {
  tokenError.hidden = !api.token();
  if (!dialog.open) dialog.showModal();
  input.focus();
}

api.onUnauthorized(() => {
  if (locked) return;
  locked = true;
  api.disconnectFeed();
  setLive("locked");
  showLocked();
  askToken();
});

document.getElementById("token-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  api.setToken(input.value.trim());
  if (await unlocked()) {
    dialog.close();
    input.value = "";
    start();
  } else {
    tokenError.hidden = false;
    input.select();
  }
});

async function unlocked() {
  try {
    await api.call("GET", "/__admin/clock");
    return true;
  } catch (err) {
    if (err.status !== 401) toast(`The mock did not answer: ${err.message}`);
    return false;
  }
}

function start() {
  locked = false;
  route();
  api.connectFeed(setLive);
}

window.addEventListener("hashchange", route);
setInterval(() => tickTimes(main), 1000);
document.addEventListener("keydown", (e) => {
  if (e.key === "/" && !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
    const first = main.querySelector("input[type=search], input");
    if (first) { e.preventDefault(); first.focus(); }
  }
});

(async () => {
  // Probe with a call that needs the token (when the mock has one): no data is fetched before it passes.
  locked = true;
  if (await unlocked()) start();
  else { setLive("locked"); showLocked(); askToken(); }
})();
