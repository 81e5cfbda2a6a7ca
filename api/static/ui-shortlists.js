// mentor-match coordinator console, shortlists.
// Loaded by ui.html as classic scripts in order: ui-core.js, ui-shortlists.js, ui-assign.js,
// ui-compare.js, ui-dashboard.js, ui.js (exports and start-up, last); they share top-level names.
"use strict";

// ==== shortlists ==============================================================================

function takeShortlists(body) {
  state.shortlists = {};
  state.shortlistOrder = [];
  for (const row of body.data) {
    state.shortlists[row.mentee_id] = row.data;
    state.shortlistOrder.push(row.mentee_id);
    if (row.mentee_name) state.menteeNames[row.mentee_id] = row.mentee_name;
    learnNames(row.data);
  }
  renderSpecialtyChoices();
}

/** A suggestion's fit 0–100 (null when the server gives none). */
const fitOf = (s) => (s && typeof s.fit === "number" ? Math.round(s.fit) : null);
const gapsOf = (s) => (s && Array.isArray(s.gaps) ? s.gaps : []);

/** The shortlist entry of ``mentorId`` for ``menteeId``, if any. */
const entryFor = (menteeId, mentorId) =>
  (state.shortlists[menteeId] || []).find((s) => s.mentor_id === mentorId) || null;

/** Mentee ids that have a mentor in the shown assignment. */
function assignedMentees() {
  const a = state.assignment;
  return new Set(a ? a.pairs.map((p) => p.mentee_id) : []);
}

function shortlistFlags(menteeId) {
  const list = state.shortlists[menteeId] || [];
  const best = list[0];
  const flags = [];
  if (!best) flags.push("no eligible mentor");
  else {
    const fit = fitOf(best);
    if (fit !== null && fit < LOW_FIT) flags.push(`low fit ${fit}%`);
    if (gapsOf(best).length) flags.push("gaps");
  }
  return flags;
}

function describeShortlist(menteeId, assigned) {
  const list = state.shortlists[menteeId] || [];
  const names = list.flatMap((s) => [s.mentor_id, s.mentor_name || ""]);
  return {
    menteeId,
    menteeName: menteeName(menteeId),
    words: [menteeId, menteeName(menteeId), ...names],
    specialties: [...targets(menteeId), ...list.map((s) => s.specialty)],
    unmatched: state.assignment ? !assigned.has(menteeId) : false,
    flagged: shortlistFlags(menteeId).length > 0,
    score: list.length ? list[0].score : null,
  };
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
      }),
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
      el("span", { style: `width:${pct(comp.value)}` }),
    ),
  );
}

function signalBars(components) {
  const bars = el("div", { class: "bars", "data-testid": "signal-bars" });
  // One bar per signal, in the server's order (its signal registry's).
  for (const [name, comp] of Object.entries(components || {})) bars.append(signalBar(name, comp));
  return bars;
}

/** "82% fit" as a coloured badge (nothing when the server gives no fit). */
function fitBadge(fit) {
  if (fit === null) return null;
  const level = fit >= 70 ? "good" : fit >= LOW_FIT ? "fair" : "low";
  return el("span", { class: `fit fit-${level}`, "data-testid": "fit", text: `${fit}% fit` });
}

function reasonList(reasons, gaps) {
  if (!reasons.length && !gaps.length) return null;
  return el(
    "ul",
    { class: "why" },
    reasons.map((r) =>
      el(
        "li",
        { class: "reason", "data-testid": "reason" },
        el("span", { class: "tick", "aria-hidden": "true", text: "✓ " }),
        r,
      ),
    ),
    gaps.map((g) =>
      el(
        "li",
        { class: "gap", "data-testid": "gap" },
        el("span", { class: "visually-hidden", text: "Gap: " }),
        el("span", { class: "cross", "aria-hidden": "true", text: "✗ " }),
        g,
      ),
    ),
  );
}

function suggestionItem(menteeId, s) {
  const compare = el("button", {
    type: "button",
    class: "secondary small",
    "data-testid": "compare-button",
    "aria-label": `Compare ${menteeName(menteeId)} with ${s.mentor_name || s.mentor_id}`,
    text: "Compare",
  });
  compare.addEventListener("click", () => openCompare(menteeId, s.mentor_id, compare));
  return el(
    "li",
    { class: "suggestion", "data-testid": "suggestion", "data-mentor": s.mentor_id },
    el(
      "div",
      { class: "mentor-line" },
      el("span", { class: "mentor-name", text: `${s.mentor_name || s.mentor_id} · ${s.specialty} ` }),
      fitBadge(fitOf(s)),
      el("span", { class: "score", text: ` score ${num(s.score)}` }),
      compare,
    ),
    suggestionWhy(s),
    signalBars(s.components),
  );
}

const quote = (text) => `“${text.length > 90 ? `${text.slice(0, 89)}…` : text}”`;

/** Why a mentor is suggested: the matched texts, then the strengths (✓) and gaps (✗); a server
 * without those lists gives its one-paragraph explanation instead. */
function suggestionWhy(s) {
  const reasons = s.reasons || [];
  const gaps = gapsOf(s);
  if (!reasons.length && !gaps.length) return el("p", { class: "expl", text: s.explanation });
  const matches = (s.matches || []).map((m) =>
    el(
      "li",
      { class: "match-line" },
      quote(m.mentee_text),
      " ↔ ",
      quote(m.mentor_text),
      el("span", { class: "field", text: ` (${FIELD_NAMES[m.mentor_field] || m.mentor_field})` }),
    ),
  );
  return el(
    "div",
    { class: "expl", title: s.explanation },
    matches.length ? el("ul", { class: "why matches", "aria-label": "Matched texts" }, matches) : null,
    reasonList(reasons, gaps),
  );
}

function shortlistCard(menteeId, assigned) {
  const list = state.shortlists[menteeId] || [];
  const flags = shortlistFlags(menteeId);
  const best = list[0];
  const a = state.assignment;
  const pair = a ? a.pairs.find((p) => p.mentee_id === menteeId) : null;
  const summary = el(
    "summary",
    { "data-testid": "shortlist-summary" },
    el("span", { class: "mentee-name", text: menteeLabel(menteeId) }),
    el("span", {
      class: "summary-detail",
      text: best ? ` — best: ${best.mentor_name || best.mentor_id} (${best.specialty})` : " — no eligible mentor",
    }),
    best ? fitBadge(fitOf(best)) : null,
    pair ? el("span", { class: "tag assigned", text: `assigned: ${mentorName(pair.mentor_id)}` }) : null,
    a && !assigned.has(menteeId) ? el("span", { class: "tag warn", text: "unmatched" }) : null,
    flags.map((f) => el("span", { class: "tag flag", "data-testid": "flag", text: f })),
  );
  const details = el(
    "details",
    { class: "card", "data-testid": "shortlist-card", "data-mentee": menteeId, open: state.expanded.has(menteeId) },
    summary,
  );
  // The list is built on first opening: a 100-mentee page stays light.
  const fill = () => {
    if (details.querySelector("ol")) return;
    const ol = el(
      "ol",
      { class: "suggestions" },
      list.map((s) => suggestionItem(menteeId, s)),
    );
    if (!list.length) ol.append(el("li", { text: "No eligible mentor in this cohort." }));
    details.append(el("p", { class: "hint", text: `Top ${list.length} for ${menteeLabel(menteeId)}` }), ol);
  };
  details.addEventListener("toggle", () => {
    if (details.open) {
      state.expanded.add(menteeId);
      fill();
    } else state.expanded.delete(menteeId);
  });
  if (details.open) fill();
  return details;
}

function renderShortlists() {
  const root = $("shortlist");
  const view = state.views.shortlist;
  const assigned = assignedMentees();
  const result = page(state.shortlistOrder, view, (id) => describeShortlist(id, assigned));
  root.replaceChildren();
  const toggleAll = (open) => () => {
    for (const id of result.rows) open ? state.expanded.add(id) : state.expanded.delete(id);
    renderShortlists();
  };
  if (result.rows.length) {
    const expand = el("button", {
      type: "button",
      class: "secondary small",
      "data-testid": "expand-all",
      text: "Open all on this page",
    });
    const collapse = el("button", {
      type: "button",
      class: "secondary small",
      "data-testid": "collapse-all",
      text: "Close all",
    });
    expand.addEventListener("click", toggleAll(true));
    collapse.addEventListener("click", toggleAll(false));
    root.append(el("div", { class: "row list-actions" }, expand, collapse));
  }
  for (const id of result.rows) root.append(shortlistCard(id, assigned));
  if (!state.shortlistOrder.length) root.append(el("p", { text: "This cohort has no mentees." }));
  else if (!result.total) root.append(el("p", { class: "hint", text: "No mentee matches the search and filters." }));
  renderPaging("shortlist", view, result, "mentees", renderShortlists);
}
