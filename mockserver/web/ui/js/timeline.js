// One job's life: its states with times and durations, its stream as a waterfall, each webhook event with every
// attempt, the calls about it, the rule that shaped it; and the actions (advance, release, redeliver).
import * as api from "./api.js";
import { badge, duration, h, httpBadge, pretty, replace, table, toast, toMs, when } from "./dom.js";

export function mount(root, ctx) {
  const id = ctx.parts[1];
  const out = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  replace(root, h("p", {}, h("a", { href: "#/jobs" }, "← Jobs")), out);

  async function refresh() {
    let t;
    try {
      t = await api.get(`/__admin/jobs/${encodeURIComponent(id)}/timeline`);
    } catch (err) {
      replace(out, h("p", { class: "error" }, err.status === 404 ? `No job ${id} (it may have been reset).` : err.message));
      return;
    }
    const open = [...out.querySelectorAll("details[open]")].map((d) => d.dataset.key);
    replace(out, header(t), actions(t, refresh), states(t), stream(t, refresh), hooks(t, refresh), calls(t));
    for (const d of out.querySelectorAll("details")) if (open.includes(d.dataset.key)) d.open = true;
  }

  refresh();
  return { refresh, wants: (e) => e.job_id === id || e.kind === "state.reset" || e.kind === "clock.moved" };
}

function header(t) {
  const j = t.job;
  return h("section", { class: "panel" },
    h("h1", {}, "Job ", h("span", { class: "mono" }, j.id), " ", badge(j.status)),
    h("dl", { class: "kv" },
      h("dt", {}, "Account"), h("dd", {}, t.account),
      h("dt", {}, "Family"), h("dd", {}, t.family === "sse" ? "/sse/ (Gemini)" : "/api/"),
      h("dt", {}, "Model"), h("dd", { class: "mono" }, j.model_name),
      h("dt", {}, "Scenario rule"), h("dd", { class: "mono rule" }, t.rule || "none (default behaviour)"),
      h("dt", {}, "Credits used"), h("dd", {}, j.credits_used),
      j.failed_reason ? [h("dt", {}, "Failed reason"), h("dd", { class: "error" }, j.failed_reason)] : null),
    j.response_text !== null && j.response_text !== undefined
      ? h("details", { open: true, dataset: { key: "answer" } }, h("summary", {}, "Response text"), h("pre", {}, j.response_text)) : null,
    h("details", { dataset: { key: "request" } }, h("summary", {}, "Request"),
      h("pre", {}, pretty({ messages: j.messages, config: j.config, system_instruction: j.system_instruction }))));
}

function actions(t, refresh) {
  const j = t.job;
  if (j.status === "done" || j.status === "failed") return null;
  const text = h("input", { type: "text", placeholder: "response text (optional)", "aria-label": "Response text" });
  const reason = h("input", { type: "text", placeholder: "failed reason (optional)", "aria-label": "Failed reason" });
  const run = (body) => async () => {
    try {
      await api.post(`/__admin/jobs/${encodeURIComponent(j.id)}/advance`, body);
      refresh();
    } catch (err) { toast(err.message); }
  };
  return h("section", { class: "panel" }, h("h2", {}, "Advance"),
    h("div", { class: "row" },
      j.status === "pending" ? h("button", { onclick: run({ status: "running" }), class: "primary" }, "→ running") : null,
      h("span", { class: "row" }, text,
        h("button", { onclick: () => run(text.value ? { status: "done", response_text: text.value } : { status: "done" })() },
          "→ done")),
      h("span", { class: "row" }, reason,
        h("button", { class: "danger",
          onclick: () => run(reason.value ? { status: "failed", failed_reason: reason.value } : { status: "failed" })() },
        "→ failed"))));
}

function states(t) {
  const created = t.events.find((e) => e.kind === "job.created");
  const reached = { pending: created ? created.at * 1000 : toMs(t.job.created_at) };
  for (const e of t.events) {
    if (e.kind === "job.transition") reached[e.data.status] = e.at * 1000;
  }
  if (!(t.job.status in reached)) reached[t.job.status] = toMs(t.job.updated_at);
  const end = t.job.status === "failed" ? "failed" : "done";
  const order = ["pending", "running", end];
  const steps = order.map((s, i) => {
    const at = reached[s] ?? null;
    const next = order.slice(i + 1).map((n) => reached[n]).find((v) => v !== undefined) ?? null;
    return h("div", { class: `step ${s} ${at !== null ? "reached" : ""}`, dataset: { state: s } },
      badge(s), " ", at !== null ? when(at / 1000) : h("span", { class: "muted" }, "not yet"),
      at !== null && next !== null ? h("div", { class: "dur" }, `${s} for ${duration(at, next)}`) : null);
  });
  return h("section", { class: "panel" }, h("h2", {}, "States"), h("div", { class: "lifeline" }, steps));
}

function stream(t, refresh) {
  const opened = t.events.find((e) => e.kind === "stream.opened");
  if (!opened && !t.stream) return null;
  const chunks = t.events.filter((e) => e.kind === "stream.chunk");
  const planned = t.stream ? t.stream.chunks : opened ? opened.data.chunks : chunks.length;
  const gated = t.stream ? t.stream.gated : opened && opened.data.gated;
  const released = t.stream ? t.stream.released : null;
  const start = opened ? opened.at : chunks.length ? chunks[0].at : 0;
  const last = chunks.length ? chunks[chunks.length - 1].at : start;
  const span = Math.max(last - start, 0.001);
  const rows = [];
  for (let i = 0; i < Math.max(planned, chunks.length); i += 1) {
    const c = chunks.find((e) => e.data.index === i);
    if (c) {
      const left = ((c.at - start) / span) * 70;
      rows.push(h("span", { class: "mono" }, `#${i}`), h("span", {}, badge("sent")),
        h("div", { class: "bar", style: `margin-left:${left.toFixed(1)}%`, title: `${c.data.text}` },
          `+${duration(start * 1000, c.at * 1000)} ${JSON.stringify(c.data.text)}`));
    } else if (t.stream) {
      const waiting = gated && (released === null || i >= released);
      rows.push(h("span", { class: "mono" }, `#${i}`), h("span", {}, badge(waiting ? "held" : "pending")),
        h("div", { class: `bar ${waiting ? "held" : ""}` }, waiting ? "held until released" : "due"));
    }
  }
  const releases = t.events.filter((e) => e.kind === "stream.released");
  const send = (body) => async () => {
    try {
      await api.post(`/__admin/streams/${encodeURIComponent(t.job.id)}/release`, body);
      refresh();
    } catch (err) { toast(err.message); }
  };
  return h("section", { class: "panel stream" }, h("h2", {}, "Stream"),
    h("p", { class: "muted" }, `${chunks.length} of ${planned} chunks sent`,
      gated ? ` · held for releases (manual timing): ${released ?? 0} released` : "",
      t.stream ? " · open" : " · closed",
      releases.length ? ` · ${releases.length} release(s)` : ""),
    t.stream && gated ? h("div", { class: "row" },
      h("button", { class: "primary", onclick: send({ chunks: 1 }) }, "Release 1 chunk"),
      h("button", { onclick: send({}) }, "Release all")) : null,
    h("div", { class: "waterfall", role: "list" }, rows));
}

function hooks(t, refresh) {
  if (!t.webhooks.length && !t.job.webhook_url) return null;
  const redeliver = (d) => async () => {
    try {
      await api.post(`/__admin/webhooks/${encodeURIComponent(d.delivery_id)}/redeliver`);
      toast("Redelivery queued.", true);
      refresh();
    } catch (err) { toast(err.message); }
  };
  return h("section", { class: "panel webhooks" }, h("h2", {}, "Webhooks"),
    t.webhooks.length ? t.webhooks.map((d) => delivery(d, redeliver(d))) : h("p", { class: "muted" }, "None sent yet."));
}

export function delivery(d, onRedeliver) {
  const faults = Object.entries(d.faults || {}).filter(([, v]) => v && v !== "0" && v !== 0)
    .map(([k, v]) => (v === true ? k : `${k} ${v}`));
  return h("div", { class: "delivery", dataset: { delivery: d.delivery_id } },
    h("h3", {}, badge(d.event), " → ", badge(d.state), " ", h("span", { class: "mono muted" }, d.target)),
    h("p", { class: "muted" }, `created `, when(d.created_at), faults.length ? ` · faults: ${faults.join(", ")}` : "",
      d.error ? h("span", { class: "error" }, ` · ${d.error}`) : ""),
    d.attempts.length ? table(["#", "At", "Status", "Took", "Error", "Next retry"], d.attempts.map((a) => h("tr", {},
      h("td", {}, a.attempt, a.duplicate ? " (dup)" : ""), h("td", {}, when(a.at)),
      h("td", {}, a.status_code ? httpBadge(a.status_code) : badge("failed")),
      h("td", {}, `${a.duration_ms} ms`), h("td", { class: "error" }, a.error || ""),
      h("td", {}, a.next_retry_at ? when(a.next_retry_at) : "—"))), { class: "attempts" })
      : h("p", { class: "muted" }, "No attempt yet."),
    onRedeliver ? h("button", { onclick: onRedeliver, class: "redeliver" }, "Redeliver") : null);
}

function calls(t) {
  return h("section", { class: "panel calls" }, h("h2", {}, "Calls about this job"),
    t.requests.length ? t.requests.map((r) => h("details", { dataset: { key: `r${r.id}` } },
      h("summary", {}, httpBadge(r.status), " ", h("span", { class: "mono" }, `${r.method} ${r.path}`), " ",
        when(r.time), ` · ${r.duration_ms} ms`, r.rule ? h("span", { class: "mono" }, ` · rule ${r.rule}`) : ""),
      h("h3", {}, "Request body"), h("pre", {}, pretty(r.body)),
      h("h3", {}, "Response body"), h("pre", {}, pretty(r.response_body))))
      : h("p", { class: "muted" }, "None in the journal."));
}
