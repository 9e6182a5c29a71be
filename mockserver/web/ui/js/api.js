// The admin API and the event feed, from the mock itself. The token (with --admin-token) lives in sessionStorage
// and goes out as Authorization: Bearer; the feed is read with fetch() and a stream reader so it can send it.

const TOKEN_KEY = "creatify-mock.admin-token";
const listeners = new Set();
let unauthorized = () => {};

export class ApiError extends Error {
  constructor(status, body) {
    super(describe(body) || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

function describe(body) {
  if (!body) return "";
  if (typeof body === "string") return body;
  if (body.detail) return body.detail;
  if (body.error) return body.error;
  return Object.entries(body).map(([k, v]) => `${k}: ${[].concat(v).join(" ")}`).join("\n");
}

export function token() { return sessionStorage.getItem(TOKEN_KEY) || ""; }
export function setToken(value) { sessionStorage.setItem(TOKEN_KEY, value); }
export function onUnauthorized(fn) { unauthorized = fn; }

function headers(extra = {}) {
  const out = { Accept: "application/json", ...extra };
  if (token()) out.Authorization = `Bearer ${token()}`;
  return out;
}

/** A JSON call; state-changing calls always carry Content-Type: application/json (the admin API asks for it). */
export async function call(method, path, body) {
  const init = { method, headers: headers(), cache: "no-store" };
  if (method !== "GET") {
    init.headers["Content-Type"] = "application/json";
    init.body = body === undefined ? "" : JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (response.status === 401) unauthorized();
  if (!response.ok) throw new ApiError(response.status, data);
  return { data, next: response.headers.get("X-Next-Cursor") };
}

export const get = async (path) => (await call("GET", path)).data;
export const post = async (path, body) => (await call("POST", path, body)).data;
export const put = async (path, body) => (await call("PUT", path, body)).data;
export const del = async (path) => (await call("DELETE", path)).data;

export function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

// -- the feed ---------------------------------------------------------------------------------------------------
export function subscribe(fn) { listeners.add(fn); return () => listeners.delete(fn); }

let lastId = null;
let controller = null;

/** Read /__admin/events forever: parse SSE frames, hand each event to the listeners, reconnect with the last id. */
export async function connectFeed(status) {
  for (let attempt = 0; ; attempt += 1) {
    controller = new AbortController();
    try {
      const extra = lastId === null ? {} : { "Last-Event-ID": String(lastId) };
      const response = await fetch("/__admin/events", { headers: headers(extra), signal: controller.signal,
        cache: "no-store" });
      if (response.status === 401) { status("locked"); unauthorized(); return; }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      status("live");
      attempt = 0;
      await readFrames(response.body);
    } catch (err) {
      if (err && err.name === "AbortError") return;
    }
    status("reconnecting");
    await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 5000)));
  }
}

export function disconnectFeed() { if (controller) controller.abort(); }

async function readFrames(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const frame = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      dispatch(frame);
    }
  }
}

function dispatch(frame) {
  let id = null;
  const data = [];
  for (const line of frame.split("\n")) {
    if (line.startsWith("id:")) id = line.slice(3).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
  }
  if (id !== null) lastId = Number(id);
  if (!data.length) return;
  let event;
  try { event = JSON.parse(data.join("\n")); } catch { return; }
  for (const fn of listeners) {
    try { fn(event); } catch (err) { console.error(err); }
  }
}
