// mentor-match coordinator console: plain fetch() over the /v1/cohorts JSON endpoints.
"use strict";

const SIGNALS = ["similarity", "accessibility", "credibility", "feedback", "stage_fit"];
const SHORT = { accessibility: "access", stage_fit: "stage fit" };
const ACTOR = "coordinator (ui)";
const state = { cohort: null, shortlists: {}, mentorNames: {}, assignment: null };

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

function setStatus(message, kind) {
  const status = $("status");
  status.textContent = message;
  status.className = "status" + (kind ? " " + kind : "");
}

function detailText(detail) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => (d && d.msg ? `${(d.loc || []).join(".")}: ${d.msg}` : JSON.stringify(d))).join("; ");
  }
  return JSON.stringify(detail);
}

async function api(method, path, body) {
  const options = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (err) {
    throw new Error(`network error: ${err.message}`);
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const why = data && data.detail !== undefined ? detailText(data.detail) : response.statusText;
    throw new Error(`${response.status}: ${why}`);
  }
  return data;
}

const pct = (x) => `${Math.round(Math.max(0, Math.min(1, x)) * 100)}%`;
const num = (x) => Number(x).toFixed(3);
const mentorLabel = (id) => (state.mentorNames[id] ? `${state.mentorNames[id]} (${id})` : id);

async function loadCohorts() {
  try {
    const body = await api("GET", "/v1/cohorts");
    const select = $("cohort-select");
    select.replaceChildren();
    if (!body.data.length) {
      select.append(el("option", { value: "", text: "no cohorts yet" }));
      setStatus("No cohorts found: create one with PUT /v1/cohorts/{id}.", "error");
      return;
    }
    for (const c of body.data) {
      const label = `${c.name || c.id} — ${c.mentee_ids.length} mentees, ${c.mentor_ids.length} mentors`;
      select.append(el("option", { value: c.id, text: label }));
    }
    setStatus("Pick a cohort and press Load.");
  } catch (err) {
    setStatus(`Could not list cohorts — ${err.message}`, "error");
  }
}

function signalBars(components) {
  const bars = el("div", { class: "bars", "data-testid": "signal-bars" });
  for (const name of SIGNALS) {
    const comp = components[name] || { value: 0, weight: 0 };
    const label = name.replace("_", " ");
    bars.append(
      el(
        "div",
        { class: "sig" },
        el("div", { class: "sig-label", title: label }, SHORT[name] || label, el("b", { text: pct(comp.value) })),
        el(
          "div",
          {
            class: "bar",
            role: "meter",
            "aria-label": label,
            "aria-valuemin": "0",
            "aria-valuemax": "100",
            "aria-valuenow": String(Math.round(comp.value * 100)),
            "data-testid": "signal-bar",
            "data-signal": name,
            title: `${label}: value ${num(comp.value)} × weight ${num(comp.weight)}`,
          },
          el("span", { style: `width:${pct(comp.value)}` })
        )
      )
    );
  }
  return bars;
}

function renderShortlists(body) {
  const root = $("shortlist");
  root.replaceChildren();
  state.shortlists = {};
  for (const row of body.data) {
    state.shortlists[row.mentee_id] = row.data;
    for (const s of row.data) state.mentorNames[s.mentor_id] = s.mentor_name;
    const list = el("ol");
    for (const s of row.data) {
      list.append(
        el(
          "li",
          {},
          el(
            "div",
            { class: "mentor-line" },
            `${s.mentor_name || s.mentor_id} · ${s.specialty} `,
            el("span", { class: "score", text: `score ${num(s.score)}` })
          ),
          el("p", { class: "expl", text: s.explanation }),
          signalBars(s.components)
        )
      );
    }
    if (!row.data.length) list.append(el("li", { text: "No eligible mentor in this cohort." }));
    root.append(
      el(
        "article",
        { class: "card", "data-testid": "shortlist-card", "data-mentee": row.mentee_id },
        el("h3", { text: `Mentee ${row.mentee_id} — top ${row.count}` }),
        list
      )
    );
  }
  if (!body.data.length) root.append(el("p", { text: "This cohort has no mentees." }));
}

function renderAssignment(a) {
  state.assignment = a;
  const editable = a.status === "draft";
  const obj = a.objectives || {};
  const fmtObj = (m) => (obj[m] ? `${m}: total ${num(obj[m].total)}, min ${num(obj[m].min_score)}` : `${m}: –`);
  $("summary").textContent =
    `Assignment ${a.id} (${a.mode}, ${a.status}) — ${a.pairs.length} pairs · ` +
    `mean ${num(a.mean_score)} · min ${num(a.min_score)} · top-3 share ${pct(a.top3_share)} · ` +
    `objectives — ${fmtObj("total")}; ${fmtObj("fair")}`;

  const tbody = $("pairs").querySelector("tbody");
  tbody.replaceChildren();
  const pairs = [...a.pairs].sort((x, y) => x.mentee_id.localeCompare(y.mentee_id));
  for (const p of pairs) {
    const select = el("select", {
      "data-testid": "override-select",
      "aria-label": `New mentor for ${p.mentee_id}`,
    });
    select.append(el("option", { value: "", text: "— another mentor —" }));
    for (const s of state.shortlists[p.mentee_id] || []) {
      if (s.mentor_id === p.mentor_id) continue;
      select.append(el("option", { value: s.mentor_id, text: `${mentorLabel(s.mentor_id)} · ${num(s.score)}` }));
    }
    const reason = el("input", {
      type: "text",
      placeholder: "reason (required)",
      "data-testid": "override-reason",
      "aria-label": `Reason for overriding ${p.mentee_id}`,
    });
    const button = el("button", { type: "button", "data-testid": "override-button", text: "Override" });
    button.addEventListener("click", () => override(p.mentee_id, select.value, reason.value));
    for (const control of [select, reason, button]) control.disabled = !editable;
    const locked = (a.locked || []).some(([m, t]) => m === p.mentee_id && t === p.mentor_id);
    tbody.append(
      el(
        "tr",
        { "data-testid": "pair-row", "data-mentee": p.mentee_id, "data-mentor": p.mentor_id },
        el("td", { text: p.mentee_id }),
        el(
          "td",
          { "data-testid": "pair-mentor", class: "mentor-cell" },
          mentorLabel(p.mentor_id),
          locked ? el("span", { class: "locked", text: "locked" }) : null
        ),
        el("td", { text: num(p.score) }),
        el("td", { text: p.rank_for_mentee > 0 ? String(p.rank_for_mentee) : "override" }),
        el("td", { class: "expl-cell", text: p.explanation }),
        el("td", { class: "override" }, select, reason, button)
      )
    );
  }
  $("approve").disabled = !editable;
}

async function refreshAudit() {
  if (!state.cohort) return;
  const list = $("audit");
  try {
    const body = await api("GET", `/v1/cohorts/${encodeURIComponent(state.cohort)}/audit`);
    list.replaceChildren();
    for (const e of body.data) {
      const details = e.details && Object.keys(e.details).length ? ` ${JSON.stringify(e.details)}` : "";
      list.append(
        el(
          "li",
          { "data-action": e.action },
          el("span", { class: "action", text: e.action }),
          ` by ${e.actor}${e.reason ? ` — “${e.reason}”` : ""}${details} `,
          el("span", { class: "when", text: e.at })
        )
      );
    }
    if (!body.data.length) list.append(el("li", { text: "No changes recorded yet." }));
  } catch (err) {
    setStatus(`Could not load the audit trail — ${err.message}`, "error");
  }
}

async function loadCohort() {
  const id = $("cohort-select").value;
  if (!id) return;
  state.cohort = id;
  state.assignment = null;
  $("summary").textContent = "";
  $("pairs").querySelector("tbody").replaceChildren();
  $("approve").disabled = true;
  setStatus(`Loading shortlists for ${id}…`);
  try {
    const body = await api("GET", `/v1/cohorts/${encodeURIComponent(id)}/shortlists?k=5`);
    renderShortlists(body);
    $("run").disabled = false;
    const drafts = await api("GET", `/v1/cohorts/${encodeURIComponent(id)}/assignments`);
    if (drafts.data.length) renderAssignment(drafts.data[0]);
    setStatus(`Loaded ${body.count} mentee shortlists for ${id}.`, "ok");
  } catch (err) {
    setStatus(`Could not load ${id} — ${err.message}`, "error");
  }
  await refreshAudit();
}

async function runAssignment() {
  if (!state.cohort) return;
  const mode = $("mode").value;
  $("run").disabled = true;
  setStatus(`Running the ${mode} assignment…`);
  try {
    const a = await api("POST", `/v1/cohorts/${encodeURIComponent(state.cohort)}/assignments`, {
      mode,
      actor: ACTOR,
    });
    renderAssignment(a);
    setStatus(`Draft ${a.id} created with ${a.pairs.length} pairs.`, "ok");
  } catch (err) {
    setStatus(`Assignment failed — ${err.message}`, "error");
  } finally {
    $("run").disabled = false;
  }
  await refreshAudit();
}

async function override(menteeId, mentorId, reason) {
  const a = state.assignment;
  if (!a) return;
  if (!mentorId) {
    setStatus(`Choose another mentor for ${menteeId} first.`, "error");
    return;
  }
  setStatus(`Overriding ${menteeId}…`);
  try {
    const updated = await api(
      "POST",
      `/v1/cohorts/${encodeURIComponent(state.cohort)}/assignments/${encodeURIComponent(a.id)}/override`,
      { mentee_id: menteeId, mentor_id: mentorId, reason, actor: ACTOR }
    );
    renderAssignment(updated);
    setStatus(`${menteeId} now has ${mentorLabel(mentorId)}.`, "ok");
  } catch (err) {
    setStatus(`Override failed — ${err.message}`, "error");
  }
  await refreshAudit();
}

async function approve() {
  const a = state.assignment;
  if (!a) return;
  setStatus(`Approving ${a.id}…`);
  try {
    const updated = await api(
      "POST",
      `/v1/cohorts/${encodeURIComponent(state.cohort)}/assignments/${encodeURIComponent(a.id)}/approve`,
      { actor: ACTOR }
    );
    renderAssignment(updated);
    setStatus(`Assignment ${updated.id} ${updated.status}.`, "ok");
  } catch (err) {
    setStatus(`Approval failed — ${err.message}`, "error");
  }
  await refreshAudit();
}

document.addEventListener("DOMContentLoaded", () => {
  $("load").addEventListener("click", loadCohort);
  $("run").addEventListener("click", runAssignment);
  $("approve").addEventListener("click", approve);
  loadCohorts();
});
