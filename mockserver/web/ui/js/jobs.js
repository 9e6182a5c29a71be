// Jobs: newest first, filters in the URL (account, status, family, text), counts per status; live from the feed.
import * as api from "./api.js";
import { badge, h, linkRow, replace, table, when } from "./dom.js";

const STATUSES = ["pending", "running", "done", "failed"];

export function mount(root, ctx) {
  const params = { account: "", status: "", family: "", q: "", ...ctx.params };
  const seen = new Set();
  let first = true;
  const counts = h("div", { class: "counts", role: "group", "aria-label": "Jobs per status" });
  const list = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  const more = h("p", { class: "muted" });

  const field = (name, label, el) => {
    el.value = params[name] || "";
    el.name = name;
    el.addEventListener(el.tagName === "SELECT" ? "change" : "input", () => {
      params[name] = el.value.trim();
      ctx.setParams(clean(params));
      refresh();
    });
    return h("label", {}, label, el);
  };
  const options = (values, all) => [h("option", { value: "" }, all), ...values.map((v) => h("option", { value: v }, v))];

  replace(root,
    h("h1", {}, "Jobs"),
    h("form", { class: "filters", role: "search", onsubmit: (e) => e.preventDefault() },
      field("account", "Account (X-API-ID)", h("input", { type: "search", placeholder: "any" })),
      field("status", "Status", h("select", {}, options(STATUSES, "any status"))),
      field("family", "Family", h("select", {}, options(["api", "sse"], "both"))),
      field("q", "Text (id, prompt, answer)", h("input", { type: "search", placeholder: "search" }))),
    counts, list, more);

  async function refresh() {
    let data;
    try {
      data = await api.get(`/__admin/overview/jobs${api.qs({ ...clean(params), limit: 200 })}`);
    } catch (err) {
      replace(list, h("p", { class: "error" }, err.message));
      return;
    }
    replace(counts, h("button", { type: "button", "aria-pressed": String(!params.status),
      onclick: () => setStatus("") }, `all ${Object.values(data.counts).reduce((a, b) => a + b, 0)}`),
    STATUSES.map((s) => h("button", { type: "button", class: `badge s-${s}`, "aria-pressed": String(params.status === s),
      onclick: () => setStatus(s) }, `${s} ${data.counts[s] || 0}`)));
    if (!data.jobs.length) {
      replace(list, h("p", { class: "muted empty" }, "No jobs yet. Create one through the API; it shows up here at once."));
    } else {
      replace(list, table(["Status", "Job", "Account", "Family", h("th", { class: "hide-narrow" }, "Prompt"),
        "Created", h("th", { class: "hide-narrow" }, "Updated"), h("th", { class: "hide-narrow" }, "Rule")],
      data.jobs.map((j) => row(j, !first && !seen.has(j.id)))));
    }
    for (const j of data.jobs) seen.add(j.id);
    first = false;
    more.textContent = data.total > data.jobs.length ? `Showing the newest ${data.jobs.length} of ${data.total}.` : "";
  }

  function setStatus(s) {
    params.status = s;
    root.querySelector("select[name=status]").value = s;
    ctx.setParams(clean(params));
    refresh();
  }

  refresh();
  return {
    refresh,
    wants: (e) => e.kind === "job.created" || e.kind === "job.transition" || e.kind === "state.reset",
  };
}

function row(j, fresh) {
  const open = () => { location.hash = `#/jobs/${encodeURIComponent(j.id)}`; };
  return linkRow(open, [
    h("td", {}, badge(j.status)),
    h("td", { class: "mono" }, h("a", { href: `#/jobs/${encodeURIComponent(j.id)}`, tabindex: "-1" }, j.id.slice(0, 8)),
      j.webhook ? h("span", { class: "muted", title: "has a webhook" }, " ⤴") : ""),
    h("td", { class: "clip" }, j.account),
    h("td", {}, j.family),
    h("td", { class: "clip hide-narrow", title: j.prompt }, j.prompt),
    h("td", {}, when(j.created_at)),
    h("td", { class: "hide-narrow" }, when(j.updated_at)),
    h("td", { class: "hide-narrow mono" }, j.rule || ""),
  ], { class: fresh ? "fresh" : "", dataset: { job: j.id, status: j.status } });
}

function clean(params) {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v));
}
