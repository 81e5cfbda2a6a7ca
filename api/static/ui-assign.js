// mentor-match coordinator console, the assignment: panels, overrides, swaps, approval.
// Loaded by ui.html as classic scripts in order: ui-core.js, ui-shortlists.js, ui-assign.js,
// ui-compare.js, ui-dashboard.js, ui.js (exports and start-up, last); they share top-level names.
"use strict";

// ==== assignment: the draft, its panels, overrides, swaps, approval ===========================

const STATUS_WORDS = { draft: "Draft — not yet approved", approved: "Approved", superseded: "Superseded" };

function clearAssignment() {
  state.assignment = null;
  $("summary").textContent = "";
  $("pairs")
    .querySelectorAll("tbody")
    .forEach((t) => t.remove());
  $("pairs-count").textContent = "";
  $("pairs-pager").replaceChildren();
  $("assignment-select").replaceChildren();
  $("assignment-status").hidden = true;
  $("approve").disabled = true;
  hideApproveBox();
  for (const id of ["unmatched-panel", "room-panel", "not-honoured-panel"]) $(id).hidden = true;
  for (const id of ["assignment-export-message", "shortlists-export-message"]) setMessage(id, "");
  syncExportButtons();
}

/** Put ``a`` in the cohort's list of assignments (replacing the one with its id). */
function keepAssignment(a) {
  const at = state.assignments.findIndex((x) => x.id === a.id);
  if (at >= 0) state.assignments[at] = a;
  else state.assignments.unshift(a);
}

function renderAssignmentChoices() {
  const select = $("assignment-select");
  select.replaceChildren();
  for (const x of state.assignments) {
    const text = `${x.created_at || ""} · ${x.mode} · ${x.status} · ${x.pairs.length} pairs (${x.id})`;
    select.append(el("option", { value: x.id, text }));
  }
  if (state.assignment) select.value = state.assignment.id;
}

function renderAssignment(a) {
  if (!state.assignment || state.assignment.id !== a.id) {
    state.openEditors.clear();
    state.rowMessages = {};
    state.inputs = {};
  }
  state.options = {};
  state.assignment = a;
  keepAssignment(a);
  learnNames([...a.pairs, ...(a.unmatched || []), ...(a.mentors_with_room || [])]);
  const editable = a.status === "draft";
  if (a.mode === "total" || a.mode === "fair") $("mode").value = a.mode;
  const badge = $("assignment-status");
  badge.hidden = false;
  badge.textContent = STATUS_WORDS[a.status] || a.status;
  badge.className = `badge badge-${a.status}`;
  badge.dataset.status = a.status;
  renderAssignmentChoices();

  const obj = a.objectives || {};
  const fmtObj = (m) => (obj[m] ? `${m}: total ${num(obj[m].total)}, min ${num(obj[m].min_score)}` : `${m}: –`);
  const unmatched = (a.unmatched || []).length;
  $("summary").textContent =
    `Assignment ${a.id} (${a.mode}, ${a.status}) — ${a.pairs.length} pairs` +
    (unmatched ? ` · ${unmatched} without a mentor` : "") +
    ` · mean ${num(a.mean_score)} · min ${num(a.min_score)} · top-3 share ${pct(a.top3_share)} · ` +
    `objectives — ${fmtObj("total")}; ${fmtObj("fair")}`;
  renderSidePanels(a);
  $("approve").disabled = !editable;
  if (!editable) hideApproveBox();
  syncExportButtons();
  renderSpecialtyChoices();
  renderPairs();
}

function renderSidePanels(a) {
  const fill = (panelId, listId, rows, item) => {
    $(panelId).hidden = !rows.length;
    $(listId).replaceChildren(...rows.map(item));
  };
  const editable = a.status === "draft";
  fill("unmatched-panel", "unmatched", a.unmatched || [], (u) => {
    const li = el(
      "li",
      { "data-testid": "unmatched-item", "data-mentee": u.mentee_id },
      el("b", { text: labelled(u.mentee_name || state.menteeNames[u.mentee_id], u.mentee_id) }),
      ` — ${u.reason}`,
    );
    if (editable) {
      const go = el("button", {
        type: "button",
        class: "secondary small",
        "data-testid": "unmatched-assign",
        text: "Assign a mentor…",
      });
      go.addEventListener("click", () => revealRow(u.mentee_id));
      li.append(" ", go);
    }
    return li;
  });
  fill("room-panel", "room", a.mentors_with_room || [], (m) =>
    el(
      "li",
      { "data-testid": "room-item", "data-mentor": m.mentor_id },
      el("b", { text: labelled(m.mentor_name || state.mentorNames[m.mentor_id], m.mentor_id) }),
      m.specialty ? ` · ${m.specialty}` : "",
      ` — ${m.free} free place${m.free === 1 ? "" : "s"}`,
    ),
  );
  fill("not-honoured-panel", "not-honoured", a.not_honoured || [], (n) =>
    el(
      "li",
      { "data-testid": "not-honoured-item", "data-mentee": n.mentee_id, "data-mentor": n.mentor_id },
      el("span", { class: "tag warn", text: n.kind }),
      " ",
      el("b", { text: `${menteeLabel(n.mentee_id)} ↔ ${mentorLabel(n.mentor_id)}` }),
      ` — ${n.reason}`,
    ),
  );
}

/** The rows of the assignment table: every pair, then every mentee without a mentor. */
function pairItems(a) {
  const items = a.pairs.map((p) => ({ kind: "pair", menteeId: p.mentee_id, pair: p }));
  for (const u of a.unmatched || []) items.push({ kind: "unmatched", menteeId: u.mentee_id, unmatched: u });
  return items;
}

function pairFit(p) {
  if (typeof p.fit === "number") return Math.round(p.fit);
  const fromShortlist = fitOf(entryFor(p.mentee_id, p.mentor_id));
  if (fromShortlist !== null) return fromShortlist;
  const opts = state.options[p.mentee_id];
  const option = opts && opts.data ? opts.data.find((o) => o.mentor_id === p.mentor_id) : null;
  return option ? fitOf(option) : null;
}

const pairGaps = (p) => (Array.isArray(p.gaps) ? p.gaps : gapsOf(entryFor(p.mentee_id, p.mentor_id)));
const pairSpecialty = (p) => p.specialty || state.mentorSpecialty[p.mentor_id] || "";

function pairFlags(item) {
  if (item.kind === "unmatched") return ["unmatched"];
  const p = item.pair;
  const flags = [];
  const fit = pairFit(p);
  if (fit !== null && fit < LOW_FIT) flags.push(`low fit ${fit}%`);
  if (!(p.rank_for_mentee >= 1 && p.rank_for_mentee <= 3)) {
    flags.push(p.rank_for_mentee > 0 ? `rank ${p.rank_for_mentee}` : "outside shortlist");
  }
  if (pairGaps(p).length) flags.push("gaps");
  return flags;
}

function describePair(item) {
  const id = item.menteeId;
  const p = item.pair;
  const name = item.kind === "pair" ? p.mentee_name || menteeName(id) : item.unmatched.mentee_name || menteeName(id);
  return {
    menteeId: id,
    menteeName: name,
    words: p ? [id, name, p.mentor_id, p.mentor_name || mentorName(p.mentor_id)] : [id, name],
    specialties: p ? [pairSpecialty(p)] : [],
    unmatched: item.kind === "unmatched",
    flagged: pairFlags(item).length > 0,
    score: p ? p.score : null,
  };
}

function renderPairs() {
  const table = $("pairs");
  table.querySelectorAll("tbody").forEach((t) => t.remove());
  const a = state.assignment;
  if (!a) return;
  const view = state.views.pairs;
  const result = page(pairItems(a), view, describePair);
  for (const item of result.rows) table.append(pairRow(item, a));
  if (!result.total) {
    table.append(
      el(
        "tbody",
        {},
        el("tr", {}, el("td", { colspan: "8", class: "hint", text: "No row matches the search and filters." })),
      ),
    );
  }
  renderPaging("pairs", view, result, "rows", renderPairs);
}

/** One mentee's rows: the pair (or "no mentor") and, when open, its editor. */
function pairRow(item, a) {
  const id = item.menteeId;
  const p = item.pair;
  const editable = a.status === "draft";
  const name = describePair(item).menteeName;
  const locked = p && (a.locked || []).some(([m, t]) => m === p.mentee_id && t === p.mentor_id);
  const open = editable && state.openEditors.has(id);
  const editorId = `editor-${id.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const actions = el("td", { class: "actions" });
  if (p) {
    const compare = el("button", {
      type: "button",
      class: "secondary small",
      "data-testid": "compare-button",
      text: "Compare",
      "aria-label": `Compare ${name} with ${p.mentor_name || mentorName(p.mentor_id)}`,
    });
    compare.addEventListener("click", () => openCompare(id, p.mentor_id, compare));
    actions.append(compare);
  }
  if (editable) {
    const toggle = el("button", {
      type: "button",
      class: "secondary small",
      "data-testid": "edit-toggle",
      "aria-expanded": String(open),
      "aria-controls": editorId,
      text: p ? "Change mentor…" : "Assign mentor…",
    });
    toggle.addEventListener("click", () => {
      if (state.openEditors.has(id)) state.openEditors.delete(id);
      else state.openEditors.add(id);
      renderPairs();
      const again = document.querySelector(`tbody[data-mentee="${CSS.escape(id)}"] [data-testid=edit-toggle]`);
      if (again) again.focus();
    });
    actions.append(toggle);
  }
  const flags = pairFlags(item).map((f) => el("span", { class: "tag flag", "data-testid": "flag", text: f }));
  let main;
  if (p) {
    const rank = p.rank_for_mentee > 0 ? String(p.rank_for_mentee) : "—";
    main = el(
      "tr",
      { class: "main" },
      el(
        "td",
        { "data-testid": "pair-mentee" },
        el("span", { class: "person", text: name }),
        name !== id ? el("span", { class: "id", text: id }) : null,
      ),
      el(
        "td",
        { "data-testid": "pair-mentor", class: "mentor-cell" },
        el("span", { class: "person", text: p.mentor_name || mentorName(p.mentor_id) }),
        el("span", { class: "id", text: p.mentor_id }),
        locked ? el("span", { class: "locked", text: "locked" }) : null,
      ),
      el("td", { "data-testid": "pair-specialty", text: pairSpecialty(p) }),
      el("td", { "data-testid": "pair-score", text: num(p.score) }),
      el("td", { "data-testid": "pair-fit" }, fitBadge(pairFit(p)) || "–"),
      el("td", {
        "data-testid": "pair-rank",
        class: "num",
        title: p.rank_for_mentee > 0 ? "position in the mentee's shortlist" : "not in the mentee's shortlist",
        text: rank,
      }),
      el("td", { class: "expl-cell" }, el("div", { text: p.explanation }), reasonList([], pairGaps(p)), flags),
      actions,
    );
  } else {
    main = el(
      "tr",
      { class: "main unmatched" },
      el(
        "td",
        { "data-testid": "pair-mentee" },
        el("span", { class: "person", text: name }),
        name !== id ? el("span", { class: "id", text: id }) : null,
      ),
      el("td", { "data-testid": "pair-mentor", class: "mentor-cell none", text: "— no mentor —" }),
      el("td", {}),
      el("td", { text: "–" }),
      el("td", { text: "–" }),
      el("td", { "data-testid": "pair-rank", class: "num", text: "—" }),
      el("td", { class: "expl-cell", text: item.unmatched.reason }, " ", flags),
      actions,
    );
  }
  const body = el(
    "tbody",
    {
      "data-testid": p ? "pair-row" : "unmatched-row",
      "data-mentee": id,
      "data-mentor": p ? p.mentor_id : "",
      "data-rank": p ? String(p.rank_for_mentee) : "",
      class: open ? "open" : "",
    },
    main,
  );
  if (open) body.append(editorRow(item, editorId, name));
  return body;
}

function editorRow(item, editorId, name) {
  const id = item.menteeId;
  const saved = (state.inputs[id] = state.inputs[id] || {});
  const slug = editorId.slice("editor-".length);
  const message = el("p", { class: "status row-msg", role: "alert", "data-testid": "row-message", "data-mentee": id });
  const stored = state.rowMessages[id];
  if (stored) setMessage(message, stored.text, stored.kind);

  const select = el("select", { id: `override-${slug}`, "data-testid": "override-select", "data-loaded": "false" });
  select.append(el("option", { value: "", text: "loading eligible mentors…" }));
  const reason = el("input", {
    id: `reason-${slug}`,
    type: "text",
    "data-testid": "override-reason",
    required: true,
    placeholder: "reason (required)",
    value: saved.reason || "",
  });
  const change = el("button", {
    type: "button",
    "data-testid": "override-button",
    text: item.pair ? "Change mentor" : "Assign mentor",
  });
  select.addEventListener("change", () => (saved.mentor = select.value));
  reason.addEventListener("input", () => (saved.reason = reason.value));
  change.addEventListener("click", () => override(id, select.value, reason.value, change));
  const changeBox = el(
    "fieldset",
    { class: "edit-box", "data-testid": "change-box" },
    el("legend", { text: item.pair ? `Change ${name}'s mentor` : `Assign a mentor to ${name}` }),
    el("label", { for: select.id, text: "Mentor with a free place" }),
    select,
    el("label", { for: reason.id, text: "Reason" }),
    reason,
    change,
  );
  fillOptions(id, select, saved);

  const boxes = [changeBox];
  const a = state.assignment;
  if (item.pair) {
    const swapSelect = el("select", { id: `swap-${slug}`, "data-testid": "swap-select" });
    swapSelect.append(el("option", { value: "", text: "— pick a mentee —" }));
    const others = a.pairs.filter((q) => q.mentee_id !== id);
    const seen = new Set();
    for (const q of others) {
      if (seen.has(q.mentee_id)) continue;
      seen.add(q.mentee_id);
      const label = `${q.mentee_name || menteeName(q.mentee_id)} (now with ${q.mentor_name || mentorName(q.mentor_id)})`;
      swapSelect.append(el("option", { value: q.mentee_id, text: label }));
    }
    swapSelect.value = saved.swapWith || "";
    const swapReason = el("input", {
      id: `swap-reason-${slug}`,
      type: "text",
      "data-testid": "swap-reason",
      required: true,
      placeholder: "reason (required)",
      value: saved.swapReason || "",
    });
    const swapButton = el("button", { type: "button", "data-testid": "swap-button", text: "Swap mentors" });
    swapSelect.addEventListener("change", () => (saved.swapWith = swapSelect.value));
    swapReason.addEventListener("input", () => (saved.swapReason = swapReason.value));
    swapButton.addEventListener("click", () => swap(id, swapSelect.value, swapReason.value, swapButton));
    boxes.push(
      el(
        "fieldset",
        { class: "edit-box", "data-testid": "swap-box" },
        el("legend", { text: `Swap with… (${name} and the other mentee exchange mentors)` }),
        el("label", { for: swapSelect.id, text: "Other mentee" }),
        swapSelect,
        el("label", { for: swapReason.id, text: "Reason" }),
        swapReason,
        swapButton,
      ),
    );
  }
  return el(
    "tr",
    { class: "editor", id: editorId, "data-testid": "pair-editor" },
    el("td", { colspan: "8" }, el("div", { class: "editor-grid" }, boxes, message)),
  );
}

/** GET …/options for the mentee (cached per assignment); on a server without the route, the
 * mentee's shortlist stands in. */
async function loadOptions(menteeId) {
  const a = state.assignment;
  let body;
  try {
    body = await api("GET", assignmentPath(a.id, `/options?mentee_id=${enc(menteeId)}`));
    learnNames(body.data);
  } catch (err) {
    if (!routeMissing(err)) throw err;
    const current = a.pairs.filter((p) => p.mentee_id === menteeId).map((p) => p.mentor_id);
    const data = (state.shortlists[menteeId] || []).map((s) => ({
      mentor_id: s.mentor_id,
      mentor_name: s.mentor_name,
      specialty: s.specialty,
      score: s.score,
      fit: s.fit,
      rank: s.rank,
      free: null,
      current: current.includes(s.mentor_id),
    }));
    body = { mentee_id: menteeId, data, count: data.length, fallback: true };
  }
  if (state.assignment === a) state.options[menteeId] = body;
  return body;
}

/** Fill the row's mentor choice: at once from the cache, else when the options arrive. */
async function fillOptions(menteeId, select, saved) {
  if (state.options[menteeId]) return showOptions(state.options[menteeId], select, saved);
  try {
    const body = await loadOptions(menteeId);
    if (select.isConnected) showOptions(body, select, saved);
  } catch (err) {
    if (err instanceof SignedOut || !select.isConnected) return;
    select.replaceChildren(el("option", { value: "", text: "could not load mentors" }));
    select.dataset.loaded = "error";
    rowMessage(menteeId, `Could not list mentors — ${err.message}`, "error");
  }
}

function showOptions(body, select, saved) {
  const others = body.data.some((o) => !o.current);
  select.replaceChildren(
    el("option", { value: "", text: others ? "— choose a mentor —" : "— no other mentor has a free place —" }),
  );
  for (const o of body.data) {
    const fit = fitOf(o);
    const parts = [o.mentor_name || o.mentor_id, o.specialty, fit !== null ? `fit ${fit}%` : `score ${num(o.score)}`];
    if (o.free !== null && o.free !== undefined) parts.push(`${o.free} free`);
    const option = el("option", {
      value: o.mentor_id,
      text: parts.join(" · ") + (o.current ? " (current)" : ""),
      "data-free": o.free ?? "",
    });
    option.disabled = Boolean(o.current);
    select.append(option);
  }
  if (saved.mentor && body.data.some((o) => o.mentor_id === saved.mentor && !o.current)) select.value = saved.mentor;
  select.dataset.loaded = body.fallback ? "fallback" : "true";
  if (body.fallback) select.title = "This server lists no options: showing the mentee's shortlist.";
}

/** Run ``render`` and give the focus back to the same control of the same mentee. */
function keepFocus(render) {
  const active = document.activeElement;
  const holder = active && active.dataset && active.dataset.testid ? active.closest("[data-mentee]") : null;
  const key = holder ? [holder.dataset.mentee, active.dataset.testid, holder.dataset.testid] : null;
  render();
  if (!key) return;
  const again = document.querySelector(
    `[data-testid="${key[2]}"][data-mentee="${CSS.escape(key[0])}"] [data-testid="${key[1]}"]`,
  );
  if (again && again !== document.activeElement) again.focus();
}

/** Show an action's outcome at the mentee's row (kept across re-renders). */
function rowMessage(menteeId, text, kind) {
  state.rowMessages[menteeId] = { text, kind };
  const node = document.querySelector(`[data-testid=row-message][data-mentee="${CSS.escape(menteeId)}"]`);
  if (node) setMessage(node, text, kind);
}

/** Show the row of ``menteeId`` (its page, filters cleared if they hide it) with its editor open. */
function revealRow(menteeId) {
  const view = state.views.pairs;
  const items = pairItems(state.assignment);
  let kept = filterSort(items, view, describePair);
  if (!kept.some((item) => item.menteeId === menteeId)) {
    Object.assign(view, { q: "", specialty: "", show: "all" });
    syncToolbars();
    kept = filterSort(items, view, describePair);
  }
  const index = kept.findIndex((item) => item.menteeId === menteeId);
  view.page = Math.max(0, Math.floor(index / PAGE_SIZE));
  state.openEditors.add(menteeId);
  renderPairs();
  const select = document.querySelector(`tbody[data-mentee="${CSS.escape(menteeId)}"] [data-testid=override-select]`);
  if (select) {
    select.scrollIntoView({ block: "center" });
    select.focus();
  }
}

/** Disable the controls of a row while its request runs. */
function busy(button, on) {
  const box = button.closest("tr") || button.parentElement;
  for (const c of box.querySelectorAll("button, select, input")) c.disabled = on;
}

async function afterChange() {
  state.mentors = {}; // free places change with approvals: Compare fetches mentors afresh
  await Promise.all([refreshAudit(), refreshDashboard()]);
}

async function override(menteeId, mentorId, reason, button) {
  const a = state.assignment;
  if (!a) return;
  if (!mentorId) return rowMessage(menteeId, "Choose a mentor from the list first.", "error");
  if (!reason.trim())
    return rowMessage(menteeId, "Give a reason: a change of mentor needs one (it goes into the audit trail).", "error");
  busy(button, true);
  rowMessage(menteeId, `Changing ${menteeName(menteeId)}'s mentor…`);
  try {
    const updated = await api("POST", assignmentPath(a.id, "/override"), {
      mentee_id: menteeId,
      mentor_id: mentorId,
      reason,
    });
    state.inputs[menteeId] = {};
    state.rowMessages[menteeId] = { text: `${menteeName(menteeId)} now has ${mentorLabel(mentorId)}.`, kind: "ok" };
    renderAssignment(updated);
    renderShortlists();
    setStatus(`${menteeLabel(menteeId)} now has ${mentorLabel(mentorId)}.`, "ok");
  } catch (err) {
    if (err instanceof SignedOut) return;
    busy(button, false);
    rowMessage(menteeId, `Not changed — ${err.message}`, "error");
    return;
  }
  await afterChange();
}

async function swap(menteeA, menteeB, reason, button) {
  const a = state.assignment;
  if (!a) return;
  if (!menteeB) return rowMessage(menteeA, "Pick the mentee to swap mentors with first.", "error");
  if (!reason.trim())
    return rowMessage(menteeA, "Give a reason: a swap needs one (it goes into the audit trail).", "error");
  busy(button, true);
  rowMessage(menteeA, "Swapping…");
  try {
    const updated = await api("POST", assignmentPath(a.id, "/swap"), { mentee_a: menteeA, mentee_b: menteeB, reason });
    const mentorOf = (m) => (updated.pairs.find((p) => p.mentee_id === m) || {}).mentor_id;
    const text =
      `Swapped: ${menteeName(menteeA)} now has ${mentorName(mentorOf(menteeA))}, ` +
      `${menteeName(menteeB)} has ${mentorName(mentorOf(menteeB))}.`;
    state.inputs[menteeA] = {};
    state.rowMessages[menteeA] = { text, kind: "ok" };
    state.rowMessages[menteeB] = { text, kind: "ok" };
    renderAssignment(updated);
    renderShortlists();
    setStatus(text, "ok");
  } catch (err) {
    if (err instanceof SignedOut) return;
    busy(button, false);
    rowMessage(
      menteeA,
      `Not swapped — ${routeMissing(err) ? "this server cannot swap pairs yet" : err.message}`,
      "error",
    );
    return;
  }
  await afterChange();
}

function hideApproveBox() {
  $("approve-box").hidden = true;
  $("supersede-row").hidden = true;
  setMessage("approve-message", "");
  state.toSupersede = null;
}

function showApproveBox(text, kind, approved) {
  $("approve-box").hidden = false;
  setMessage("approve-message", text, kind);
  state.toSupersede = approved || null;
  $("supersede-row").hidden = !approved;
  $("supersede").disabled = false;
}

async function runAssignment() {
  if (!state.cohort) return;
  const mode = $("mode").value;
  $("run").disabled = true;
  hideApproveBox();
  setStatus(`Running the ${mode} assignment…`);
  try {
    const a = await api("POST", cohortPath("/assignments"), { mode });
    renderAssignment(a);
    renderShortlists();
    const missing = (a.unmatched || []).length;
    setStatus(
      `Draft ${a.id} created with ${a.pairs.length} pairs${missing ? `; ${missing} mentees without a mentor` : ""}.`,
      "ok",
    );
  } catch (err) {
    fail("Assignment failed", err);
  } finally {
    $("run").disabled = !state.cohort;
  }
  await afterChange();
}

async function approve() {
  const a = state.assignment;
  if (!a) return;
  hideApproveBox();
  $("approve").disabled = true;
  setStatus(`Approving ${a.id}…`);
  try {
    const updated = await api("POST", assignmentPath(a.id, "/approve"));
    renderAssignment(updated);
    setStatus(`Assignment ${updated.id} ${updated.status}.`, "ok");
  } catch (err) {
    if (err instanceof SignedOut) return;
    $("approve").disabled = false;
    setStatus("");
    let approved = null;
    if (err.status === 409) approved = await findApproved(a.id).catch(() => null);
    const hint =
      approved && !err.message.includes(approved.id)
        ? ` Assignment ${approved.id} is approved: supersede it first.`
        : "";
    showApproveBox(`Not approved — ${err.message}.${hint}`, "error", approved);
    if (approved) $("supersede-reason").focus();
    return;
  }
  await afterChange();
}

/** The cohort's approved assignment other than ``exceptId`` (the list fetched afresh). */
async function findApproved(exceptId) {
  const listed = await api("GET", cohortPath("/assignments"));
  for (const x of listed.data) keepAssignment(x);
  renderAssignmentChoices();
  return listed.data.find((x) => x.status === "approved" && x.id !== exceptId) || null;
}

async function supersedeThenApprove() {
  const a = state.assignment;
  const old = state.toSupersede;
  if (!a || !old) return;
  const reason = $("supersede-reason").value;
  if (!reason.trim()) {
    setMessage(
      "approve-message",
      "Give a reason for superseding the approved assignment (it goes into the audit trail).",
      "error",
    );
    $("supersede-reason").focus();
    return;
  }
  $("supersede").disabled = true;
  setMessage("approve-message", `Superseding ${old.id}…`);
  try {
    const superseded = await api("POST", assignmentPath(old.id, "/supersede"), { reason });
    keepAssignment(superseded);
    const updated = await api("POST", assignmentPath(a.id, "/approve"));
    $("supersede-reason").value = "";
    renderAssignment(updated);
    hideApproveBox();
    setStatus(`Assignment ${old.id} superseded; ${updated.id} ${updated.status}.`, "ok");
  } catch (err) {
    if (err instanceof SignedOut) return;
    $("supersede").disabled = false;
    renderAssignmentChoices();
    const why = routeMissing(err) ? "this server cannot supersede assignments yet" : err.message;
    setMessage("approve-message", `Not done — ${why}`, "error");
  }
  await afterChange();
}
