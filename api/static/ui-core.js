// mentor-match coordinator console, core: state, cohort loading; lists: search, filter, sort,
// pages. Loaded by ui.html as classic scripts in order: page-common.js (DOM, HTTP, session,
// shared with the mentee page), ui-core.js, ui-shortlists.js, ui-assign.js, ui-compare.js,
// ui-dashboard.js, ui.js (exports and start-up, last); they share top-level names.
"use strict";

// ==== core: state, workspace, cohorts ========================================================

const SHORT = { accessibility: "access", stage_fit: "stage fit" };
const TOKEN_KEY = "mentor-match.token";
const PAGE_SIZE = 20;
const LOW_FIT = 50;
const PREFETCH_LIMIT = 200; // mentee profiles fetched for names and specialties, at most
const SVG_NS = "http://www.w3.org/2000/svg";

const state = freshState();

function freshState() {
  return {
    cohort: null, // the loaded cohort's id
    cohorts: {}, // id -> cohort record (members)
    shortlists: {}, // mentee id -> suggestions, best first
    shortlistOrder: [], // mentee ids in the server's order
    mentorNames: {},
    mentorSpecialty: {},
    menteeNames: {},
    mentees: {}, // mentee id -> profile (prefetched or fetched for Compare)
    mentors: {}, // mentor id -> profile (fetched for Compare)
    assignments: [], // the cohort's assignments, newest first
    assignment: null, // the one shown
    options: {}, // mentee id -> the options answer for the shown assignment
    openEditors: new Set(), // mentee ids whose "Change mentor" row is open
    expanded: new Set(), // mentee ids whose shortlist is open
    rowMessages: {}, // mentee id -> {text, kind}: the last action's outcome at its row
    inputs: {}, // mentee id -> what was typed in its row (kept across re-renders)
    views: {
      shortlist: { q: "", specialty: "", show: "all", sort: "mentee", page: 0 },
      pairs: { q: "", specialty: "", show: "all", sort: "mentee", page: 0 },
    },
    toSupersede: null, // the approved assignment the approve button's 409 names
    compareOpener: null, // the button that opened Compare (focus returns to it)
    generation: 0, // bumped on every cohort load: late answers of an older load are dropped
  };
}

/** Show an action's failure in the status line (nothing when the session has just ended). */
function fail(what, err) {
  if (!(err instanceof SignedOut)) setStatus(`${what} — ${err.message}`, "error");
}

/** True when ``err`` says the server has no such route (an older server), not a missing object. */
function routeMissing(err) {
  return err instanceof ApiError && (err.status === 405 || (err.status === 404 && err.why === "Not Found"));
}

const enc = encodeURIComponent;
const cohortPath = (rest = "") => `/v1/cohorts/${enc(state.cohort)}${rest}`;
const assignmentPath = (id, rest = "") => cohortPath(`/assignments/${enc(id)}${rest}`);

function resetWorkspace() {
  Object.assign(state, freshState(), { generation: state.generation + 1 });
  $("cohort-select").replaceChildren();
  for (const id of ["dashboard-panel", "shortlist-panel", "assign-panel", "audit-panel"]) $(id).hidden = true;
  $("shortlist").replaceChildren();
  $("dashboard").replaceChildren();
  $("audit").replaceChildren();
  clearAssignment();
  $("run").disabled = true;
  setStatus("");
  if ($("compare").open) $("compare").close();
}

function whoami(me) {
  const reach = me.scopes.length ? me.scopes.join(", ") : me.subject || (me.role === "admin" ? "all cohorts" : "");
  return `Signed in as ${me.role}${reach ? ` (${reach})` : ""}`;
}

const clamp01 = (x) => Math.max(0, Math.min(1, Number(x) || 0));
const pct = (x) => `${Math.round(clamp01(x) * 100)}%`;
const num = (x) => (x === null || x === undefined ? "–" : Number(x).toFixed(3));
const norm = (s) =>
  String(s || "")
    .trim()
    .toLowerCase();
const mentorName = (id) => state.mentorNames[id] || id;
const menteeName = (id) => state.menteeNames[id] || id;
const labelled = (name, id) => (name && name !== id ? `${name} (${id})` : id);
const mentorLabel = (id) => labelled(state.mentorNames[id], id);
const menteeLabel = (id) => labelled(state.menteeNames[id], id);

/** Remember names and specialties from any answer that carries them. */
function learnNames(rows) {
  for (const r of rows || []) {
    if (r.mentor_id && r.mentor_name) state.mentorNames[r.mentor_id] = r.mentor_name;
    if (r.mentor_id && r.specialty) state.mentorSpecialty[r.mentor_id] = r.specialty;
    if (r.mentee_id && r.mentee_name) state.menteeNames[r.mentee_id] = r.mentee_name;
  }
}

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
      state.cohorts[c.id] = c;
      const label = `${c.name || c.id} — ${c.mentee_ids.length} mentees, ${c.mentor_ids.length} mentors`;
      select.append(el("option", { value: c.id, text: label }));
    }
    setStatus("Pick a cohort and press Load.");
  } catch (err) {
    fail("Could not list cohorts", err);
  }
}

async function loadCohort() {
  const id = $("cohort-select").value;
  if (!id) return;
  const cohorts = state.cohorts;
  Object.assign(state, freshState(), { generation: state.generation + 1, cohorts, cohort: id });
  const generation = state.generation;
  clearAssignment();
  $("shortlist").replaceChildren();
  for (const panel of ["dashboard-panel", "shortlist-panel", "assign-panel", "audit-panel"]) $(panel).hidden = false;
  syncToolbars();
  setStatus(`Loading shortlists for ${id}…`);
  try {
    const body = await api("GET", cohortPath("/shortlists?k=5"));
    if (generation !== state.generation) return;
    takeShortlists(body);
    $("run").disabled = false;
    const listed = await api("GET", cohortPath("/assignments"));
    if (generation !== state.generation) return;
    state.assignments = listed.data;
    for (const a of listed.data)
      learnNames([...(a.pairs || []), ...(a.unmatched || []), ...(a.mentors_with_room || [])]);
    if (listed.data.length) renderAssignment(latest(listed.data));
    renderShortlists();
    setStatus(`Loaded ${body.count} mentee shortlists for ${id}.`, "ok");
  } catch (err) {
    fail(`Could not load ${id}`, err);
  }
  await Promise.all([refreshAudit(), refreshDashboard()]);
  prefetchMentees(generation);
}

/** The assignment to show first: the newest; of two made in the same second, a draft before
 * the approved one before a superseded one (the server's times are to the second). */
function latest(assignments) {
  const rank = { draft: 0, approved: 1, superseded: 2 };
  return assignments.reduce((best, x) => {
    const newer = (x.created_at || "").localeCompare(best.created_at || "");
    return newer > 0 || (newer === 0 && (rank[x.status] ?? 3) < (rank[best.status] ?? 3)) ? x : best;
  });
}

/** Fetch the cohort's mentee profiles (names, target specialties) in the background, a few at
 * a time, then re-render the lists once; cohorts over PREFETCH_LIMIT mentees are skipped. */
async function prefetchMentees(generation) {
  const cohort = state.cohorts[state.cohort];
  const ids = cohort ? cohort.mentee_ids : state.shortlistOrder;
  if (!ids.length || ids.length > PREFETCH_LIMIT) return;
  const queue = ids.filter((id) => !state.mentees[id]);
  const worker = async () => {
    while (queue.length && generation === state.generation) {
      const id = queue.shift();
      try {
        const profile = await api("GET", `/v1/mentees/${enc(id)}`);
        if (generation !== state.generation) return;
        state.mentees[id] = profile;
        if (profile.name) state.menteeNames[id] = profile.name;
      } catch (err) {
        if (err instanceof SignedOut) return;
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  if (generation !== state.generation) return;
  keepFocus(renderShortlists);
  keepFocus(renderPairs);
  renderSpecialtyChoices();
}

async function refreshAudit() {
  if (!state.cohort) return;
  const list = $("audit");
  try {
    const body = await api("GET", cohortPath("/audit"));
    list.replaceChildren();
    for (const e of body.data) {
      const details = e.details && Object.keys(e.details).length ? ` ${JSON.stringify(e.details)}` : "";
      list.append(
        el(
          "li",
          { "data-action": e.action },
          el("span", { class: "action", text: e.action }),
          ` by ${e.actor}${e.reason ? ` — “${e.reason}”` : ""}${details} `,
          el("span", { class: "when", text: e.at }),
        ),
      );
    }
    if (!body.data.length) list.append(el("li", { text: "No changes recorded yet." }));
  } catch (err) {
    fail("Could not load the audit trail", err);
  }
}

// ==== lists: search, filter, sort and pages shared by the shortlists and the assignment ======

const SHOW_CHOICES = [
  ["all", "everyone"],
  ["unmatched", "unmatched only"],
  ["flagged", "flagged only"],
];
const SORT_CHOICES = [
  ["mentee", "mentee"],
  ["specialty", "specialty"],
  ["score", "score (best first)"],
];

/** A search box, a specialty filter, a "show" filter and a sort order for ``view``. */
function buildToolbar(rootId, prefix, viewKey, what, onChange) {
  const field = (id, label, control) => el("div", { class: "field" }, el("label", { for: id, text: label }), control);
  const search = el("input", {
    id: `${prefix}-search`,
    type: "search",
    "data-testid": `${prefix}-search`,
    placeholder: "name or id",
    autocomplete: "off",
  });
  const specialty = el("select", { id: `${prefix}-specialty`, "data-testid": `${prefix}-specialty` });
  const show = el("select", { id: `${prefix}-show`, "data-testid": `${prefix}-show` });
  for (const [value, text] of SHOW_CHOICES) show.append(el("option", { value, text }));
  const sort = el("select", { id: `${prefix}-sort`, "data-testid": `${prefix}-sort` });
  for (const [value, text] of SORT_CHOICES) sort.append(el("option", { value, text }));
  const changed = (key, value) => {
    const view = state.views[viewKey]; // looked up now: a cohort load replaces the views
    view[key] = value;
    view.page = 0;
    onChange();
  };
  search.addEventListener("input", () => changed("q", search.value));
  specialty.addEventListener("change", () => changed("specialty", specialty.value));
  show.addEventListener("change", () => changed("show", show.value));
  sort.addEventListener("change", () => changed("sort", sort.value));
  $(rootId).replaceChildren(
    field(`${prefix}-search`, `Search ${what}`, search),
    field(`${prefix}-specialty`, "Specialty", specialty),
    field(`${prefix}-show`, "Show", show),
    field(`${prefix}-sort`, "Sort by", sort),
  );
}

/** Put the toolbars' controls back to the views' state (after a cohort load). */
function syncToolbars() {
  for (const [prefix, key] of [
    ["shortlist", "shortlist"],
    ["pairs", "pairs"],
  ]) {
    const view = state.views[key];
    $(`${prefix}-search`).value = view.q;
    $(`${prefix}-show`).value = view.show;
    $(`${prefix}-sort`).value = view.sort;
  }
  renderSpecialtyChoices();
}

/** Every specialty seen: mentors' (shortlists, assignment) and mentees' targets. */
function renderSpecialtyChoices() {
  const seen = new Set(Object.values(state.mentorSpecialty));
  for (const m of Object.values(state.mentees)) for (const s of m.target_specialties || []) seen.add(s);
  const sorted = [...seen].filter(Boolean).sort((a, b) => a.localeCompare(b));
  for (const [prefix, key] of [
    ["shortlist", "shortlist"],
    ["pairs", "pairs"],
  ]) {
    const select = $(`${prefix}-specialty`);
    const view = state.views[key];
    select.replaceChildren(el("option", { value: "", text: "any specialty" }));
    for (const s of sorted) select.append(el("option", { value: s, text: s }));
    if (view.specialty && !seen.has(view.specialty))
      select.append(el("option", { value: view.specialty, text: view.specialty }));
    select.value = view.specialty;
  }
}

/** Does ``text`` (lower case) occur in any of ``values``? */
const anyIncludes = (values, text) => values.some((v) => norm(v).includes(text));

/** The mentee's target specialties, when their profile is known. */
const targets = (menteeId) => (state.mentees[menteeId] && state.mentees[menteeId].target_specialties) || [];

function matchesSpecialty(menteeId, mentorSpecialties, wanted) {
  if (!wanted) return true;
  const w = norm(wanted);
  return [...targets(menteeId), ...mentorSpecialties].some((s) => norm(s) === w);
}

/** ``items`` kept by the view's search and filters, in its order. */
function filterSort(items, view, describe) {
  const q = norm(view.q);
  const described = new Map(items.map((item) => [item, describe(item)]));
  const kept = items.filter((item) => {
    const d = described.get(item);
    if (q && !anyIncludes(d.words, q)) return false;
    if (!matchesSpecialty(d.menteeId, d.specialties, view.specialty)) return false;
    if (view.show === "unmatched" && !d.unmatched) return false;
    if (view.show === "flagged" && !d.flagged) return false;
    return true;
  });
  const key = (item) => described.get(item);
  const byMentee = (a, b) =>
    norm(key(a).menteeName).localeCompare(norm(key(b).menteeName)) || key(a).menteeId.localeCompare(key(b).menteeId);
  const firstSpecialty = (item) => norm(key(item).specialties[0] || "\uffff");
  const sorters = {
    mentee: byMentee,
    specialty: (a, b) => firstSpecialty(a).localeCompare(firstSpecialty(b)) || byMentee(a, b),
    score: (a, b) => (key(b).score ?? -1) - (key(a).score ?? -1) || byMentee(a, b),
  };
  return kept.sort(sorters[view.sort] || byMentee);
}

/** ``items`` filtered, sorted and cut to the view's page: {rows, total, all, page, pages, start}. */
function page(items, view, describe) {
  const kept = filterSort(items, view, describe);
  const pages = Math.max(1, Math.ceil(kept.length / PAGE_SIZE));
  view.page = Math.max(0, Math.min(view.page, pages - 1));
  const start = view.page * PAGE_SIZE;
  return {
    rows: kept.slice(start, start + PAGE_SIZE),
    total: kept.length,
    all: items.length,
    page: view.page,
    pages,
    start,
  };
}

/** "Showing 1–20 of 35 (100 in all)" and the page buttons under a list. */
function renderPaging(prefix, view, result, noun, rerender) {
  const { total, all, page: at, pages, start, rows } = result;
  const shown = total ? `${start + 1}–${start + rows.length} of ${total}` : `0 of ${total}`;
  $(`${prefix}-count`).textContent = `Showing ${shown} ${noun}${total !== all ? ` (${all} in all)` : ""}.`;
  const nav = $(`${prefix}-pager`);
  nav.replaceChildren();
  if (pages <= 1) return;
  const go = (to) => {
    view.page = to;
    rerender();
    $(`${prefix}-page`).focus();
  };
  const prev = el("button", {
    type: "button",
    class: "secondary",
    "data-testid": `${prefix}-prev`,
    text: "‹ Previous",
  });
  const next = el("button", { type: "button", class: "secondary", "data-testid": `${prefix}-next`, text: "Next ›" });
  prev.disabled = at === 0;
  next.disabled = at >= pages - 1;
  prev.addEventListener("click", () => go(at - 1));
  next.addEventListener("click", () => go(at + 1));
  const label = el("span", {
    id: `${prefix}-page`,
    "data-testid": `${prefix}-page`,
    tabindex: "-1",
    "aria-live": "polite",
    text: `Page ${at + 1} of ${pages}`,
  });
  nav.append(prev, label, next);
}
