// Requests: the journal (method, path, status, account, duration, the rule that answered), the admin API's filters;
// a row opens the request and response bodies.
import * as api from "./api.js";
import { h, httpBadge, linkRow, pretty, replace, table, when } from "./dom.js";

export function mount(root, ctx) {
  const params = { path: "", method: "", status: "", api_id: "", ...ctx.params };
  const list = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  const detail = h("div", {});
  let openId = params.open || null;
  let next = null;
  const more = h("button", { type: "button", hidden: true, onclick: () => load(next) }, "Older");

  const field = (name, label, el) => {
    el.value = params[name] || "";
    el.addEventListener(el.tagName === "SELECT" ? "change" : "input", () => {
      params[name] = el.value.trim();
      ctx.setParams(clean(params));
      refresh();
    });
    return h("label", {}, label, el);
  };
  const methods = ["", "GET", "POST", "PUT", "DELETE"].map((m) => h("option", { value: m }, m || "any"));

  replace(root, h("h1", {}, "Requests"),
    h("form", { class: "filters", role: "search", onsubmit: (e) => e.preventDefault() },
      field("path", "Path (exact, or prefix*)", h("input", { type: "search", placeholder: "/api/*" })),
      field("method", "Method", h("select", {}, methods)),
      field("status", "Status (201 or 4xx)", h("input", { type: "search", size: 5 })),
      field("api_id", "Account (X-API-ID)", h("input", { type: "search" }))),
    list, more, detail);

  let rows = [];
  async function load(cursor) {
    let page;
    try {
      page = await api.call("GET", `/__admin/requests${api.qs({ ...clean(params), limit: 200, cursor })}`);
    } catch (err) {
      replace(list, h("p", { class: "error" }, err.message));
      return;
    }
    rows = cursor ? rows.concat(page.data) : page.data;
    next = page.next;
    more.hidden = !next;
    if (!rows.length) replace(list, h("p", { class: "muted" }, "No calls journaled (yet)."));
    else replace(list, table(["Status", "Method", "Path", "Account", "Took", "Rule", "When"], rows.map(row)));
    showDetail();
  }
  const refresh = () => load(null);

  function row(r) {
    return linkRow(() => { openId = String(r.id); params.open = openId; ctx.setParams(clean(params)); showDetail(); }, [
      h("td", {}, httpBadge(r.status)), h("td", { class: "mono" }, r.method),
      h("td", { class: "mono clip", title: r.path }, r.path, r.query ? `?${r.query}` : ""),
      h("td", { class: "clip" }, r.api_id || ""), h("td", {}, `${r.duration_ms} ms`),
      h("td", { class: "mono rule" }, r.rule || h("span", { class: "muted" }, "none")),
      h("td", {}, when(r.time)),
    ], { dataset: { request: r.id } });
  }

  function showDetail() {
    const r = rows.find((x) => String(x.id) === String(openId));
    if (!r) { replace(detail); return; }
    replace(detail, h("section", { class: "panel request-detail" },
      h("h2", {}, `#${r.id} `, h("span", { class: "mono" }, `${r.method} ${r.path}`), " ", httpBadge(r.status)),
      h("p", {}, when(r.time), ` · ${r.duration_ms} ms · rule: `, h("span", { class: "mono" }, r.rule || "none"),
        r.job_id ? [" · job ", h("a", { href: `#/jobs/${encodeURIComponent(r.job_id)}`, class: "mono" }, r.job_id)] : ""),
      h("h3", {}, "Request headers"), h("pre", {}, pretty(r.headers)),
      h("h3", {}, "Request body", r.body_truncated ? " (truncated)" : ""), h("pre", {}, pretty(r.body)),
      h("h3", {}, "Response body", r.response_truncated ? " (first 64 KiB)" : ""), h("pre", {}, pretty(r.response_body))));
  }

  refresh();
  return { refresh, wants: (e) => e.kind === "journal.entry" || e.kind === "state.reset" };
}

function clean(params) {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v));
}
