// mentor-match coordinator console, relationships: the cohort's relationships after the match,
// their check-ins and flags, and a flagged one's three alternates, each of which may replace
// the mentor in one step (POST /v1/relationships/{id}/replace).
// Loaded by ui.html as classic scripts in order: ui-core.js, ui-shortlists.js, ui-assign.js,
// ui-compare.js, ui-dashboard.js, ui-relationships.js, ui.js (exports and start-up, last);
// they share top-level names.
"use strict";

// ==== relationships: the cohort's board, flags, alternates, replace ==========================

const REL_OPEN = ["requested", "accepted", "active"];
const REL_COLUMNS = 6;
const REL_NAME_LOOKUPS = 60; // unknown mentor and mentee names fetched per load, at most
const REL_EXPLANATION = 180; // characters of an alternate's explanation shown (all in its title)

const relState = freshRelationships();

function freshRelationships() {
  return {
    cohort: null, // the cohort the board is of
    generation: -1, // state.generation of the load that filled it
    board: null, // GET /v1/cohorts/{id}/relationships's answer
    inputs: {}, // "relationship id|mentor id" -> the reason typed (kept across re-renders)
    messages: {}, // relationship id -> {text, kind}: the last action's outcome at its row
    busy: new Set(), // relationship ids whose replace is under way (their controls disabled)
  };
}

/** Empty the section (at sign-in, at sign-out). */
function resetRelationships() {
  Object.assign(relState, freshRelationships());
  $("relationships-panel").hidden = true;
  $("relationship-counts").replaceChildren();
  $("relationships-count").textContent = "";
  $("relationships-reload").disabled = true;
  setMessage("relationships-message", "");
  clearRelationshipRows();
}

function clearRelationshipRows() {
  $("relationships")
    .querySelectorAll("tbody")
    .forEach((t) => t.remove());
}

const relSlug = (text) => String(text).replace(/[^A-Za-z0-9_-]/g, "_");
const relKey = (relationshipId, mentorId) => `${relationshipId}|${mentorId}`;
const relIsOpen = (r) => REL_OPEN.includes(r.state);

/** Load (or reload) the board of the cohort the page has loaded. */
async function loadRelationships() {
  if (!state.cohort) return;
  const generation = state.generation;
  const cohort = state.cohort;
  if (relState.cohort !== cohort) Object.assign(relState, freshRelationships(), { cohort });
  relState.generation = generation;
  $("relationships-panel").hidden = false;
  $("relationships-reload").disabled = true;
  setMessage("relationships-message", "");
  $("relationships-count").textContent = `Loading the relationships of ${cohort}…`;
  try {
    const board = await api("GET", cohortPath("/relationships"));
    if (generation !== state.generation) return;
    relState.board = board;
    for (const row of board.data) learnNames(row.alternates);
    keepRelationshipFocus(renderRelationships);
    lookUpRelationshipNames(generation);
  } catch (err) {
    if (err instanceof SignedOut || generation !== state.generation) return;
    relState.board = null;
    clearRelationshipRows();
    $("relationship-counts").replaceChildren();
    $("relationships-count").textContent = "";
    const why = routeMissing(err) ? "this server lists no relationships yet" : err.message;
    setMessage("relationships-message", `Could not load the relationships — ${why}`, "error");
  } finally {
    if (generation === state.generation) $("relationships-reload").disabled = false;
  }
}

/** Load the board afresh, the rows' last messages forgotten (Load, Reload relationships). */
function reloadRelationships() {
  relState.messages = {};
  return loadRelationships();
}

/** Names of the board's mentors and mentees the page does not know yet (a few at a time),
 * then the board drawn again once. */
async function lookUpRelationshipNames(generation) {
  const board = relState.board;
  if (!board) return;
  const wanted = [];
  for (const { relationship: r } of board.data) {
    if (!state.mentorNames[r.mentor_id]) wanted.push(["mentors", r.mentor_id]);
    if (!state.menteeNames[r.mentee_id] && !state.mentees[r.mentee_id]) wanted.push(["mentees", r.mentee_id]);
  }
  const queue = [...new Map(wanted.map((w) => [w.join("/"), w])).values()].slice(0, REL_NAME_LOOKUPS);
  if (!queue.length) return;
  const worker = async () => {
    while (queue.length && generation === state.generation) {
      const [kind, id] = queue.shift();
      try {
        const found = await profile(kind, id);
        if (generation !== state.generation) return;
        if (kind === "mentors") learnNames([{ mentor_id: id, mentor_name: found.name, specialty: found.specialty }]);
        else if (found.name) state.menteeNames[id] = found.name;
      } catch (err) {
        if (err instanceof SignedOut) return;
      }
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  if (generation === state.generation && relState.board === board) keepRelationshipFocus(renderRelationships);
}

/** Run ``render`` and give the focus back to the control with the same id (every control of
 * the section has one). */
function keepRelationshipFocus(render) {
  const active = document.activeElement;
  const id = active && active.id && $("relationships").contains(active) ? active.id : null;
  render();
  const again = id ? $(id) : null;
  if (again && again !== document.activeElement) again.focus();
}

function renderRelationships() {
  const board = relState.board;
  clearRelationshipRows();
  if (!board) return;
  $("relationship-counts").replaceChildren(
    tile("Check-ins due", String(board.due), "relationships-due"),
    tile("Check-ins overdue", String(board.overdue), "relationships-overdue"),
    tile("Flagged", String(board.flagged), "relationships-flagged"),
  );
  const flagged = board.flagged ? ` — flagged first (${board.flagged})` : "";
  $("relationships-count").textContent =
    `${board.count} relationship${board.count === 1 ? "" : "s"} in ${board.cohort_id}${flagged}.`;
  const table = $("relationships");
  for (const row of board.data) table.append(relationshipRow(row));
  if (!board.data.length) {
    table.append(
      el(
        "tbody",
        {},
        el(
          "tr",
          {},
          el("td", {
            colspan: String(REL_COLUMNS),
            class: "hint",
            text: "No relationships yet: they start when a mentee requests a mentor or an assignment is approved.",
          }),
        ),
      ),
    );
  }
}

/** A person's cell: the name (when known) over the id. */
function personCell(testid, name, id) {
  return el(
    "td",
    { "data-testid": testid },
    el("span", { class: "person", text: name }),
    name !== id ? el("span", { class: "id", text: id }) : null,
  );
}

const STATE_WORDS = {
  requested: "Requested",
  accepted: "Accepted — agreement to confirm",
  active: "Active",
  declined: "Declined",
  ended: "Ended",
};

function stateCell(r) {
  const badge = el("span", {
    class: `badge rel-state rel-${r.state}`,
    "data-testid": "relationship-state",
    text: STATE_WORDS[r.state] || r.state,
  });
  const why = r.state === "ended" ? r.ending : r.state === "declined" ? r.decline_reason : null;
  // A mentee's own request says nothing more; the others are a coordinator's (an approved
  // assignment's pair, or a replacement).
  const origin = r.origin === "assignment" ? "requested by the coordinator" : null;
  return el(
    "td",
    { class: "rel-state-cell" },
    badge,
    why ? el("span", { class: "rel-why", "data-testid": "relationship-ending", text: why }) : null,
    origin ? el("span", { class: "rel-why", text: origin }) : null,
  );
}

/** Sides still owing an answer (``open``) and sides that missed one, over the rounds. */
function checkInCounts(r) {
  const rounds = r.check_ins || [];
  const sides = (key) => rounds.reduce((n, c) => n + (c[key] || []).length, 0);
  return {
    rounds: rounds.length,
    answered: rounds.filter((c) => c.status === "answered").length,
    due: relIsOpen(r) ? sides("open") : 0,
    overdue: relIsOpen(r) ? sides("missed") : 0,
  };
}

function checkInCell(r) {
  const c = checkInCounts(r);
  const cell = el("td", { class: "rel-checkins", "data-testid": "relationship-checkins" });
  if (!c.rounds) {
    cell.append(el("span", { class: "none", text: "none yet" }));
    return cell;
  }
  cell.append(el("span", { class: "rel-why", text: `${c.answered} of ${c.rounds} rounds answered by both` }));
  if (c.due) cell.append(el("span", { class: "tag flag", "data-testid": "checkins-due", text: `${c.due} due` }));
  if (c.overdue)
    cell.append(el("span", { class: "tag warn", "data-testid": "checkins-overdue", text: `${c.overdue} overdue` }));
  return cell;
}

function flagCell(r) {
  const flags = r.flags || [];
  if (!flags.length) return el("td", { class: "none", "data-testid": "relationship-flags", text: "—" });
  return el(
    "td",
    { class: "rel-flags", "data-testid": "relationship-flags" },
    el(
      "ul",
      { class: "why" },
      flags.map((f) =>
        el(
          "li",
          { "data-testid": "relationship-flag", "data-kind": f.kind },
          el("span", { class: "tag warn", text: f.kind }),
          " ",
          f.reason,
        ),
      ),
    ),
  );
}

/** One relationship's rows: its line and, when it is flagged and open, its alternates. */
function relationshipRow({ relationship: r, alternates }) {
  const menteeShown = menteeName(r.mentee_id);
  const mentorShown = mentorName(r.mentor_id);
  const main = el(
    "tr",
    { class: `main${(r.flags || []).length ? " flagged" : ""}` },
    personCell("relationship-mentee", menteeShown, r.mentee_id),
    personCell("relationship-mentor", mentorShown, r.mentor_id),
    stateCell(r),
    el("td", { "data-testid": "relationship-next", text: r.next_check_in || "—" }),
    checkInCell(r),
    flagCell(r),
  );
  const body = el(
    "tbody",
    {
      "data-testid": "relationship-row",
      "data-relationship": r.id,
      "data-mentee": r.mentee_id,
      "data-mentor": r.mentor_id,
      "data-state": r.state,
      class: alternates.length ? "open" : "",
    },
    main,
  );
  const message = el("p", {
    class: "status row-msg",
    role: "alert",
    "data-testid": "relationship-message",
    "data-relationship": r.id,
  });
  const stored = relState.messages[r.id];
  if (stored) setMessage(message, stored.text, stored.kind);
  if (alternates.length) {
    body.append(
      el(
        "tr",
        { class: "editor", "data-testid": "alternates-row" },
        el(
          "td",
          { colspan: String(REL_COLUMNS) },
          el("h3", {
            class: "alt-head",
            id: `alternates-${relSlug(r.id)}`,
            text: `Alternates for ${menteeShown} instead of ${mentorShown}`,
          }),
          el(
            "ul",
            { class: "alternates", "aria-labelledby": `alternates-${relSlug(r.id)}` },
            alternates.map((s) => alternateItem(r, s)),
          ),
          message,
        ),
      ),
    );
  } else if (stored) {
    body.append(el("tr", { class: "editor" }, el("td", { colspan: String(REL_COLUMNS) }, message)));
  }
  return body;
}

/** An alternate mentor: name, specialty, fit, a short explanation; a reason and the button. */
function alternateItem(r, s) {
  const key = relKey(r.id, s.mentor_id);
  const name = s.mentor_name || mentorName(s.mentor_id);
  const slug = `${relSlug(r.id)}-${relSlug(s.mentor_id)}`;
  const inputId = `replace-reason-${slug}`;
  const reason = el("input", {
    id: inputId,
    type: "text",
    "data-testid": "replace-reason",
    required: true,
    placeholder: "why (required)",
    autocomplete: "off",
    value: relState.inputs[key] || "",
  });
  const button = el("button", {
    id: `replace-button-${slug}`,
    type: "button",
    "data-testid": "replace-button",
    "aria-label": `Replace with this mentor: ${name}`,
    text: "Replace with this mentor",
  });
  reason.addEventListener("input", () => {
    relState.inputs[key] = reason.value;
    reason.removeAttribute("aria-invalid");
  });
  reason.disabled = button.disabled = relState.busy.has(r.id);
  button.addEventListener("click", () => replaceMentor(r, s, reason));
  return el(
    "li",
    { class: "alternate", "data-testid": "alternate", "data-mentor": s.mentor_id },
    el(
      "div",
      { class: "mentor-line" },
      el("span", { class: "mentor-name", "data-testid": "alternate-name", text: name }),
      el("span", { class: "alt-specialty", "data-testid": "alternate-specialty", text: ` · ${s.specialty}` }),
      fitBadge(fitOf(s)),
    ),
    el("p", {
      class: "expl",
      "data-testid": "alternate-explanation",
      title: s.explanation,
      text: clip(s.explanation || "", REL_EXPLANATION),
    }),
    el("div", { class: "row alt-replace" }, el("label", { for: inputId, text: "Reason" }), reason, button),
  );
}

/** Show an action's outcome at the relationship's row (kept across re-renders). */
function relationshipMessage(relationshipId, text, kind) {
  relState.messages[relationshipId] = { text, kind };
  const node = document.querySelector(
    `[data-testid=relationship-message][data-relationship="${CSS.escape(relationshipId)}"]`,
  );
  if (node) setMessage(node, text, kind);
}

/** End ``r`` and request the alternate ``s`` in one step, with the reason typed next to it. */
async function replaceMentor(r, s, reasonInput) {
  const reason = reasonInput.value.trim();
  const name = s.mentor_name || mentorName(s.mentor_id);
  if (!reason) {
    reasonInput.setAttribute("aria-invalid", "true");
    const why = `Give a reason to replace ${mentorName(r.mentor_id)} with ${name}: it is required`;
    relationshipMessage(r.id, `${why} (it goes into the relationship's history).`, "error");
    reasonInput.focus();
    return;
  }
  const generation = state.generation;
  const busy = relState.busy;
  const setBusy = (on) => {
    if (on) busy.add(r.id);
    else busy.delete(r.id);
    const row = document.querySelector(`[data-testid=relationship-row][data-relationship="${CSS.escape(r.id)}"]`);
    if (row) for (const c of row.querySelectorAll("button, input")) c.disabled = on;
  };
  setBusy(true);
  relationshipMessage(r.id, `Replacing ${mentorName(r.mentor_id)} with ${name}…`);
  let answer;
  try {
    answer = await api("POST", `/v1/relationships/${enc(r.id)}/replace`, { reason, mentor_id: s.mentor_id });
  } catch (err) {
    if (err instanceof SignedOut) return;
    setBusy(false);
    relationshipMessage(r.id, `Not replaced — ${err.message}`, "error");
    fail(`Could not replace ${mentorLabel(r.mentor_id)} for ${menteeLabel(r.mentee_id)}`, err);
    return;
  }
  busy.delete(r.id);
  if (generation !== state.generation) return;
  delete relState.inputs[relKey(r.id, s.mentor_id)];
  relState.messages = {};
  const text =
    `${menteeLabel(r.mentee_id)}: the relationship with ${mentorLabel(r.mentor_id)} is ${answer.ended.state} ` +
    `(${answer.ended.ending}); ${mentorLabel(answer.requested.mentor_id)} is requested.`;
  relState.messages[r.id] = { text, kind: "ok" };
  relState.messages[answer.requested.id] = { text: `Requested instead of ${mentorLabel(r.mentor_id)}.`, kind: "ok" };
  setStatus(text, "ok");
  await loadRelationships();
  // The button is gone with the alternates: the focus goes to the outcome at the old row.
  const outcome = document.querySelector(
    `[data-testid=relationship-message][data-relationship="${CSS.escape(r.id)}"]`,
  );
  if (outcome) {
    outcome.setAttribute("tabindex", "-1");
    outcome.focus();
  }
  await afterChange();
}
