// mentor-match coordinator console: plain fetch() over the /v1 JSON endpoints, signed in
// with an API key's bearer token. The token lives in sessionStorage only: a reload keeps the
// session, closing the tab forgets it.
"use strict";

const SHORT = { accessibility: "access", stage_fit: "stage fit" };
const TOKEN_KEY = "mentor-match.token";
const session = { token: null, me: null };
const state = { cohort: null, shortlists: {}, mentorNames: {}, assignment: null };

const $ = (id) => document.getElementById(id);

/** Thrown by api() when the session ended (401, sign-out) before its answer could be used. */
class SignedOut extends Error {}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    // Through the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
    else if (key === "style") node.style.cssText = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child != null) node.append(child);
  return node;
}

function setMessage(id, message, kind) {
  const node = $(id);
  node.textContent = message;
  node.className = "status" + (kind ? " " + kind : "");
}

const setStatus = (message, kind) => setMessage("status", message, kind);
const setSignInMessage = (message, kind) => setMessage("signin-message", message, kind);

/** Show an action's failure in the status line (nothing when the session has just ended). */
function fail(what, err) {
  if (!(err instanceof SignedOut)) setStatus(`${what} — ${err.message}`, "error");
}

function detailText(detail) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => (d && d.msg ? `${(d.loc || []).join(".")}: ${d.msg}` : JSON.stringify(d))).join("; ");
  }
  return JSON.stringify(detail);
}

/** One HTTP exchange with ``token`` as the bearer; resolves to {status, ok, data, why}. */
async function send(method, path, body, token) {
  const options = { method, headers: { Accept: "application/json", Authorization: `Bearer ${token}` } };
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
  const why = data && data.detail !== undefined ? detailText(data.detail) : response.statusText;
  return { status: response.status, ok: response.ok, data, why };
}

/** A call in the current session: 401 ends the session, other failures throw "status: why". */
async function api(method, path, body) {
  const token = session.token;
  if (!token) throw new SignedOut("not signed in");
  const answer = await send(method, path, body, token);
  if (session.token !== token) throw new SignedOut("the session changed during the request");
  if (answer.status === 401) {
    endSession(`Signed out: the server refused the token (${answer.why}). Sign in again.`, "error");
    throw new SignedOut(answer.why);
  }
  if (!answer.ok) throw new Error(`${answer.status}: ${answer.why}`);
  return answer.data;
}

function resetWorkspace() {
  Object.assign(state, { cohort: null, shortlists: {}, mentorNames: {}, assignment: null });
  $("cohort-select").replaceChildren();
  $("shortlist").replaceChildren();
  $("summary").textContent = "";
  $("pairs").querySelector("tbody").replaceChildren();
  $("audit").replaceChildren();
  $("run").disabled = true;
  $("approve").disabled = true;
  setStatus("");
}

function whoami(me) {
  const reach = me.scopes.length ? me.scopes.join(", ") : me.subject || (me.role === "admin" ? "all cohorts" : "");
  return `Signed in as ${me.role}${reach ? ` (${reach})` : ""}`;
}

function startSession(token, me) {
  session.token = token;
  session.me = me;
  try {
    sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage disabled: the session lasts until the page reloads.
  }
  $("token").value = "";
  $("whoami").textContent = whoami(me);
  setSignInMessage("");
  resetWorkspace();
  $("signin-panel").hidden = true;
  $("session").hidden = false;
  $("workspace").hidden = false;
  loadCohorts();
}

function endSession(message, kind) {
  session.token = null;
  session.me = null;
  try {
    sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Nothing stored.
  }
  resetWorkspace();
  $("workspace").hidden = true;
  $("session").hidden = true;
  $("signin-panel").hidden = false;
  setSignInMessage(message, kind);
  $("token").focus();
}

/** Check ``candidate`` with GET /v1/me and start a session with it. */
async function signIn(candidate, refused = "Sign-in failed") {
  const token = (candidate || "").trim();
  if (!token) {
    setSignInMessage("Enter an API token.", "error");
    return;
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    setSignInMessage(`${refused} — a token has no spaces or non-ASCII characters.`, "error");
    return;
  }
  $("sign-in").disabled = true;
  setSignInMessage("Checking the token…");
  try {
    const answer = await send("GET", "/v1/me", undefined, token);
    if (!answer.ok) {
      if (answer.status === 401) endSession("", "");
      setSignInMessage(`${refused} — ${answer.status}: ${answer.why}`, "error");
      return;
    }
    startSession(token, answer.data);
  } catch (err) {
    setSignInMessage(`${refused} — ${err.message}`, "error");
  } finally {
    $("sign-in").disabled = false;
  }
}

/** A token handed over as ``#token=...`` (e.g. by ``make run``), removed from the address bar. */
function tokenFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get("token");
  if (token === null) return null;
  params.delete("token");
  const rest = params.toString();
  history.replaceState(null, "", location.pathname + location.search + (rest ? `#${rest}` : ""));
  return token;
}

function savedToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
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
      const hint =
        session.me && session.me.role === "coordinator"
          ? `none is in this key's scopes (${session.me.scopes.join(", ")}); ask an admin`
          : "create one with PUT /v1/cohorts/{id}";
      setStatus(`No cohorts found: ${hint}.`, "error");
      return;
    }
    for (const c of body.data) {
      const label = `${c.name || c.id} — ${c.mentee_ids.length} mentees, ${c.mentor_ids.length} mentors`;
      select.append(el("option", { value: c.id, text: label }));
    }
    setStatus("Pick a cohort and press Load.");
  } catch (err) {
    fail("Could not list cohorts", err);
  }
}

function signalBar(name, comp) {
  const label = name.replace("_", " ");
  if (comp.withheld) {
    // Too few mentees rated this mentor: no number, so no one rating can be read off it.
    const why = `${label}: withheld — too few mentees rated this mentor; the program mean stands in`;
    return el(
      "div",
      { class: "sig withheld" },
      el("div", { class: "sig-label", title: label }, SHORT[name] || label, el("b", { text: "withheld" })),
      el("div", {
        class: "bar",
        role: "img",
        "aria-label": `${label}: withheld`,
        "data-testid": "signal-bar",
        "data-signal": name,
        "data-withheld": "true",
        title: why,
      })
    );
  }
  return el(
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
  );
}

function signalBars(components) {
  const bars = el("div", { class: "bars", "data-testid": "signal-bars" });
  // One bar per signal, in the server's order (its signal registry's).
  for (const [name, comp] of Object.entries(components || {})) bars.append(signalBar(name, comp));
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
    fail("Could not load the audit trail", err);
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
    fail(`Could not load ${id}`, err);
  }
  await refreshAudit();
}

async function runAssignment() {
  if (!state.cohort) return;
  const mode = $("mode").value;
  $("run").disabled = true;
  setStatus(`Running the ${mode} assignment…`);
  try {
    const a = await api("POST", `/v1/cohorts/${encodeURIComponent(state.cohort)}/assignments`, { mode });
    renderAssignment(a);
    setStatus(`Draft ${a.id} created with ${a.pairs.length} pairs.`, "ok");
  } catch (err) {
    fail("Assignment failed", err);
  } finally {
    $("run").disabled = !state.cohort;
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
      { mentee_id: menteeId, mentor_id: mentorId, reason }
    );
    renderAssignment(updated);
    setStatus(`${menteeId} now has ${mentorLabel(mentorId)}.`, "ok");
  } catch (err) {
    fail("Override failed", err);
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
      `/v1/cohorts/${encodeURIComponent(state.cohort)}/assignments/${encodeURIComponent(a.id)}/approve`
    );
    renderAssignment(updated);
    setStatus(`Assignment ${updated.id} ${updated.status}.`, "ok");
  } catch (err) {
    fail("Approval failed", err);
  }
  await refreshAudit();
}

document.addEventListener("DOMContentLoaded", () => {
  $("load").addEventListener("click", loadCohort);
  $("run").addEventListener("click", runAssignment);
  $("approve").addEventListener("click", approve);
  $("signin-form").addEventListener("submit", (event) => {
    event.preventDefault();
    signIn($("token").value);
  });
  $("sign-out").addEventListener("click", () => endSession("Signed out.", "ok"));
  const handed = tokenFromFragment();
  const saved = savedToken();
  if (handed !== null) signIn(handed);
  else if (saved) signIn(saved, "Your saved session has ended");
  else $("token").focus();
});
