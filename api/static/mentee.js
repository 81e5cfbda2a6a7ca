// mentor-match mentee page: plain fetch() over the /v1 JSON endpoints, signed in with a
// mentee key's bearer token. The token lives in sessionStorage only: a reload keeps the
// session, closing the tab forgets it. The DOM, HTTP and session helpers are the coordinator
// console's, in page-common.js (loaded first).
// The mentee's cohorts and their request in each come from GET /v1/me (at sign-in, on a
// reload, after a request): the server's record, not this tab's memory.
"use strict";

const TOKEN_KEY = "mentor-match.mentee-token";
const K = 10;
const MEMBERS_K = 100; // the API's largest k: enough to learn which suggested mentors are the cohort's

/** The profile form: which record field each control holds, and how. */
const LIST_FIELDS = ["target_specialties", "interests", "goals", "languages", "conflicts"];
const TEXT_FIELDS = ["name", "location", "timezone", "email", "phone"];
const NULLABLE = new Set(["timezone", "email", "phone"]);
const CHOICE_FIELDS = ["seeking", "meeting_modes"];
const FLAG_FIELDS = ["require_meeting_mode", "require_language"];
const SELECT_FIELDS = ["stage"];
const LABELS = {
  name: "Name",
  stage: "Training stage",
  target_specialties: "Target specialties",
  interests: "Interests",
  goals: "Goals",
  seeking: "Looking for",
  meeting_modes: "How you can meet",
  require_meeting_mode: "How you can meet",
  languages: "Languages",
  require_language: "Languages",
  location: "Location",
  timezone: "Time zone",
  email: "E-mail",
  phone: "Phone",
  conflicts: "Mentors not to be matched with",
};
/** Plainer words for a few of the API's 422 messages, by field and error type. */
const FRIENDLY = {
  "email:string_pattern_mismatch": "This is not an e-mail address (like name@example.org)",
  "phone:string_pattern_mismatch": "A phone number has 4 to 40 digits, spaces and + ( ) . / - only",
};
/** The form field that shows a record field's errors (the flags sit inside another's box). */
const HOME = { require_meeting_mode: "meeting_modes", require_language: "languages" };

const EMPTY = () => ({
  profile: null,
  exists: false,
  suggestions: [],
  cohortId: null, // the cohort chosen (one of session.me.cohorts), null when they have none
  linkCohort: null, // the address's ?cohort=, said when it is not one of theirs
  view: "cohort", // "cohort": the chosen cohort's mentors; "all": every suggested mentor
  members: null, // ids of the chosen cohort's mentors among those suggested (null: no cohort)
  names: new Map(), // mentor id -> name, from the suggestions seen
  asked: 0,
});
const state = EMPTY();

const setProfileStatus = (message, kind) => setMessage("profile-status", message, kind);

/** The mentee signed in: ``session.me`` (page-common.js) is GET /v1/me's answer, their
 * subject and ``cohorts`` with their request in each. */
const me = () => (session.me ? session.me.subject : "");
const menteePath = () => `/v1/mentees/${encodeURIComponent(me())}`;

// -- session ------------------------------------------------------------------------------

function whoami() {
  const name = state.profile && state.profile.name;
  return name ? `Signed in as ${name} (mentee ${me()})` : `Signed in as mentee ${me()}`;
}

function resetWorkspace() {
  Object.assign(state, EMPTY(), { asked: state.asked + 1 }); // answers on their way are dropped
  $("profile-form").reset();
  clearFieldMessages();
  renderWarnings([]);
  $("suggestions").replaceChildren();
  setProfileStatus("");
  setStatus("");
  renderCohorts();
}

/** The first loads of a session: the cohort chosen (the address's, when one of theirs),
 * the profile, then the suggestions. */
function beginSession() {
  state.linkCohort = cohortFromUrl();
  chooseCohort(state.linkCohort);
  renderCohorts();
  loadProfile().then((found) => (found ? loadSuggestions() : null));
}

/** Why this page turns away GET /v1/me's answer ``who`` ("" for a mentee key). */
function notAMentee(who) {
  if (who.role === "mentee") return "";
  return (
    `This page is for mentee keys; this is a${who.role === "admin" ? "n" : ""} ` +
    `${who.role} key. Coordinators and admins use the cohort console at /ui.`
  );
}

// -- profile ------------------------------------------------------------------------------

const control = (field) => $(`f-${field}`);
const boxes = (field) => [...$("profile-form").querySelectorAll(`input[type=checkbox][name="${field}"]`)];
const lines = (text) => text.split("\n").map((s) => s.trim()).filter(Boolean);

function fillForm(profile) {
  for (const f of LIST_FIELDS) control(f).value = (profile[f] || []).join("\n");
  for (const f of TEXT_FIELDS) control(f).value = profile[f] || "";
  for (const f of SELECT_FIELDS) if (profile[f]) control(f).value = profile[f];
  for (const f of FLAG_FIELDS) control(f).checked = Boolean(profile[f]);
  for (const f of CHOICE_FIELDS) {
    const chosen = new Set(profile[f] || []);
    for (const box of boxes(f)) box.checked = chosen.has(box.value);
  }
}

/** The record to PUT: the stored profile with the form's fields over it (fields the form
 * does not show are sent back unchanged, so a save never drops them). */
function formRecord() {
  const record = { ...(state.profile || {}) };
  delete record.id; // the path gives it
  for (const f of LIST_FIELDS) record[f] = lines(control(f).value);
  for (const f of TEXT_FIELDS) {
    const value = control(f).value.trim();
    record[f] = value === "" && NULLABLE.has(f) ? null : value;
  }
  for (const f of SELECT_FIELDS) record[f] = control(f).value;
  for (const f of FLAG_FIELDS) record[f] = control(f).checked;
  for (const f of CHOICE_FIELDS) record[f] = boxes(f).filter((b) => b.checked).map((b) => b.value);
  return record;
}

const fieldBox = (field) => $("profile-form").querySelector(`.form-field[data-field="${HOME[field] || field}"]`);

function clearFieldMessages() {
  for (const node of $("profile-form").querySelectorAll(".field-error")) node.remove();
  for (const node of $("profile-form").querySelectorAll("[aria-invalid]")) {
    node.removeAttribute("aria-invalid");
    const ids = (node.getAttribute("aria-describedby") || "").split(" ").filter((i) => i && !i.startsWith("e-"));
    if (ids.length) node.setAttribute("aria-describedby", ids.join(" "));
    else node.removeAttribute("aria-describedby");
  }
  for (const node of $("profile-form").querySelectorAll(".has-warning")) node.classList.remove("has-warning");
}

/** The controls of a field box that describe themselves by its messages. */
function controlsOf(box) {
  return [...box.querySelectorAll("input, select, textarea")];
}

/** Show ``message`` next to ``field``'s control; false when the form has no such field. */
function showFieldError(field, message) {
  const box = fieldBox(field);
  if (!box) return false;
  const home = HOME[field] || field;
  let note = $(`e-${home}`);
  if (!note) {
    note = el("p", { id: `e-${home}`, class: "field-error", "data-testid": `error-${home}`, role: "alert" });
    box.append(note);
  }
  note.textContent = note.textContent ? `${note.textContent} ${message}` : message;
  for (const c of controlsOf(box)) {
    c.setAttribute("aria-invalid", "true");
    const ids = (c.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (!ids.includes(note.id)) c.setAttribute("aria-describedby", [...ids, note.id].join(" "));
  }
  return true;
}

/** A 422's detail entries shown next to the fields they name; the rest as one line. */
function showValidation(detail) {
  const elsewhere = [];
  const named = [];
  for (const d of Array.isArray(detail) ? detail : [{ loc: [], msg: detailText(detail) }]) {
    const loc = (d && d.loc) || [];
    const [where, field, index] = loc;
    const msg = FRIENDLY[`${field}:${d && d.type}`] || String((d && d.msg) || "invalid").replace(/^Value error, /, "");
    const text = typeof index === "number" ? `Line ${index + 1}: ${msg}.` : `${msg}.`;
    if (where === "body" && typeof field === "string" && showFieldError(field, text)) named.push(field);
    else elsewhere.push(loc.length > 1 ? `${loc.slice(1).join(".")}: ${msg}` : msg);
  }
  return { named, elsewhere };
}

/** Read the stored profile into the form; true when there is one. ``quiet`` leaves the
 * profile's status line alone (after a save, which says what happened). */
async function loadProfile(quiet = false) {
  if (!quiet) setProfileStatus("Loading your profile…");
  try {
    const profile = await api("GET", menteePath());
    state.profile = profile;
    state.exists = true;
    fillForm(profile);
    $("whoami").textContent = whoami();
    if (!quiet) setProfileStatus("");
    return true;
  } catch (err) {
    if (err instanceof SignedOut) return false;
    if (err instanceof ApiError && err.status === 404) {
      state.profile = {};
      state.exists = false;
      setProfileStatus("You have no profile yet: fill it in and save to see suggestions.", "ok");
      setStatus("Suggestions appear once your profile is saved.");
      return false;
    }
    setProfileStatus(`Could not load your profile — ${err.message}`, "error");
    return false;
  }
}

async function saveProfile() {
  if (!session.token) return;
  clearFieldMessages();
  const record = formRecord();
  $("save").disabled = true;
  setProfileStatus("Saving…");
  try {
    const result = await api("PUT", menteePath(), record);
    state.profile = { ...record, id: result.id };
    state.exists = true;
    const warnings = result.warnings || [];
    const noted = warnings.length
      ? ` ${warnings.length === 1 ? "One value needs" : `${warnings.length} values need`} a look (below).`
      : "";
    setProfileStatus(`${result.created ? "Profile created" : "Profile saved"}.${noted}`, warnings.length ? "warn" : "ok");
    await loadProfile(true); // the stored form of what was saved (e.g. languages in lower case)
    renderWarnings(warnings);
    await loadSuggestions();
  } catch (err) {
    if (err instanceof SignedOut) return;
    if (err instanceof ApiError && err.status === 422) {
      const { named, elsewhere } = showValidation(err.detail);
      const fields = [...new Set(named.map((f) => LABELS[HOME[f] || f] || f))];
      const parts = [];
      if (fields.length) parts.push(`check ${fields.join(", ")}`);
      if (elsewhere.length) parts.push(elsewhere.join("; "));
      setProfileStatus(`Not saved — ${parts.join(" — ")}.`, "error");
      const first = $("profile-form").querySelector("[aria-invalid=true]");
      if (first) first.focus();
      return;
    }
    setProfileStatus(`Not saved — ${err.message}`, "error");
  } finally {
    $("save").disabled = false;
  }
}

/** Replace the line ``value`` of a list field by ``replacement`` (a warning's "did you mean"). */
function useSuggestion(field, value, replacement) {
  const c = control(field);
  if (!c) return;
  const want = value.trim().toLowerCase();
  const updated = lines(c.value).map((line) => (line.toLowerCase() === want ? replacement : line));
  c.value = updated.join("\n");
  c.focus();
  setProfileStatus(`Changed “${value}” to “${replacement}”: save to keep it.`, "ok");
}

/** Values the server accepted but that are probably not meant as written. */
function renderWarnings(warnings) {
  const root = $("warnings");
  root.replaceChildren();
  for (const node of $("profile-form").querySelectorAll(".has-warning")) node.classList.remove("has-warning");
  root.hidden = !warnings.length;
  if (!warnings.length) return;
  root.append(el("h3", { text: "Please check" }));
  const list = el("ul");
  for (const w of warnings) {
    const box = fieldBox(w.field);
    if (box) box.classList.add("has-warning");
    const label = LABELS[w.field] || w.field;
    const item = el(
      "li",
      { "data-testid": "warning", "data-field": w.field },
      el("b", { text: `${label}: ` }),
      w.message.startsWith(`${w.field}: `) ? w.message.slice(w.field.length + 2) : w.message
    );
    // The message names the values meant; offer each as a one-click fix in the form.
    const options = LIST_FIELDS.includes(w.field) ? w.suggestions || [] : [];
    if (options.length) {
      const fixes = el("span", { class: "did-you-mean" }, " ");
      for (const option of options) {
        const use = el("button", {
          type: "button",
          class: "secondary small",
          "data-testid": "use-suggestion",
          "aria-label": `Use ${option} instead of ${w.value}`,
          text: `Use “${option}”`,
        });
        use.addEventListener("click", () => useSuggestion(w.field, w.value, option));
        fixes.append(use, " ");
      }
      item.append(fixes);
    }
    list.append(item);
  }
  root.append(list);
}

// -- cohorts and requests -----------------------------------------------------------------

const NO_COHORT = "You are not in a cohort yet: your coordinator adds you.";

function cohortFromUrl() {
  return new URLSearchParams(location.search).get("cohort");
}

const myCohorts = () => (session.me && Array.isArray(session.me.cohorts) ? session.me.cohorts : []);
const chosen = () => myCohorts().find((c) => c.id === state.cohortId) || null;
const cohortName = (c) => c.name || c.id;
const mentorName = (id) => state.names.get(id) || id;

/** Choose ``preferred`` when it is one of theirs, else keep the choice, else the first. */
function chooseCohort(preferred) {
  const ids = myCohorts().map((c) => c.id);
  state.cohortId = [preferred, state.cohortId].find((id) => id && ids.includes(id)) || ids[0] || null;
  if (state.cohortId) showCohortInUrl(state.cohortId);
}

/** The chosen cohort in the address (``?cohort=``), so a reload or a bookmark keeps it. */
function showCohortInUrl(id) {
  const params = new URLSearchParams(location.search);
  if (params.get("cohort") === id) return;
  params.set("cohort", id);
  history.replaceState(null, "", `${location.pathname}?${params}${location.hash}`);
}

/** The cohort part of the page: the only cohort's name, a selector among several, or why
 * there is none; the view toggle; the request made in the chosen cohort. */
function renderCohorts() {
  const cohorts = myCohorts();
  const cohort = chosen();
  const signedIn = Boolean(session.me);
  const one = $("cohort-one");
  one.hidden = !(signedIn && cohorts.length === 1);
  one.replaceChildren();
  if (!one.hidden) one.append("Your cohort: ", el("b", { text: cohortName(cohorts[0]) }));
  const select = $("cohort");
  $("cohort-choice").hidden = !(signedIn && cohorts.length > 1);
  select.replaceChildren(...cohorts.map((c) => el("option", { value: c.id, text: cohortName(c) })));
  if (cohort) select.value = cohort.id;
  $("h-cohort").hidden = !cohort;
  $("view").hidden = !cohort;
  for (const radio of $("view").querySelectorAll("input[name=view]")) radio.checked = radio.value === state.view;

  if (!signedIn) setMessage("cohort-message", "");
  else if (!cohorts.length) {
    setMessage(
      "cohort-message",
      `${NO_COHORT} Meanwhile, here are the mentors suggested for you; you can request one once you are in a cohort.`,
      "warn"
    );
  } else if (state.linkCohort && !cohorts.some((c) => c.id === state.linkCohort)) {
    setMessage("cohort-message", `The link names cohort “${state.linkCohort}”, which is not one of yours: showing ${cohortName(cohort)}.`, "warn");
  } else setMessage("cohort-message", "");
  renderMyRequest();
}

/** The request in the chosen cohort, as the server has it (also when its mentor is not among
 * the cards shown). */
function renderMyRequest() {
  const node = $("my-request");
  const cohort = chosen();
  node.hidden = !cohort;
  node.replaceChildren();
  if (!cohort) return;
  const r = cohort.request;
  if (!r) {
    node.append(`You have not requested a mentor in ${cohortName(cohort)} yet: choose one below.`);
    return;
  }
  node.append(
    el("span", { class: "requested-badge", text: "Requested" }),
    ` ${mentorName(r.mentor_id)} in ${cohortName(cohort)}`,
    r.note ? ` — your note: “${r.note}”` : " — no note."
  );
}

/** GET /v1/me again: the cohorts and requests as the server has them now. */
async function refreshMe() {
  const fresh = await api("GET", "/v1/me");
  session.me = fresh;
  chooseCohort(state.cohortId);
  renderCohorts();
  renderRequestStates();
  return fresh;
}

/** Send the request for ``s`` with the note typed in the card's ``parts``. */
async function requestMentor(s, parts) {
  const cohort = chosen();
  if (!cohort) return;
  const label = cohortName(cohort);
  const name = s.mentor_name || s.mentor_id;
  parts.send.disabled = true;
  setMessage(parts.status.id, `Requesting ${name}…`);
  try {
    const body = { mentee_id: me(), mentor_id: s.mentor_id, note: parts.note.value.trim() };
    const answer = await api("POST", `/v1/cohorts/${encodeURIComponent(cohort.id)}/requests`, body);
    closeNote(parts, false);
    setMessage(parts.status.id, "");
    try {
      await refreshMe(); // the request as stored, with the other cohorts' as they are now
    } catch (err) {
      if (err instanceof SignedOut) return;
      // Recorded, but not read back: show what the server answered to the request.
      cohort.request = (answer.data || []).find((r) => r.mentee_id === me()) || body;
      renderMyRequest();
      renderRequestStates();
    }
    setStatus(`Requested ${name} in ${label}. Your coordinator will see it.`, "ok");
  } catch (err) {
    if (err instanceof SignedOut) return;
    const hint =
      err instanceof ApiError && err.status === 404
        ? ` ${name} may have left ${label}, or you may no longer be in it: refresh the suggestions, or ask your coordinator.`
        : "";
    setMessage(parts.status.id, `${name} could not be requested in ${label} (${err.message}).${hint}`, "error");
  } finally {
    parts.send.disabled = false;
  }
}

/** First step of a request: the note field, with Send and Cancel. */
function openNote(parts) {
  if (!chosen()) return;
  setMessage(parts.status.id, "");
  parts.ask.hidden = true;
  parts.compose.hidden = false;
  parts.note.focus();
}

function closeNote(parts, refocus) {
  parts.compose.hidden = true;
  parts.ask.hidden = false;
  if (refocus) parts.ask.focus();
}

/** Why the mentor ``id`` cannot be requested now ("" when they can). */
function whyNot(id) {
  const cohort = chosen();
  if (!cohort) return NO_COHORT;
  if (state.members && state.members.has(id)) return "";
  const label = cohortName(cohort);
  return `${mentorName(id)} is not a mentor of ${label}: you can request only ${label}'s mentors there. Choose “My cohort’s mentors” to see them.`;
}

/** Each card's request area: "Requested" with the note for the mentor requested in the
 * chosen cohort, the button for the others (disabled, saying why, for mentors who cannot be
 * requested there). */
function renderRequestStates() {
  const cohort = chosen();
  const r = cohort && cohort.request;
  for (const card of $("suggestions").querySelectorAll("[data-testid=suggestion-card]")) {
    const id = card.dataset.mentor;
    const requested = Boolean(r && r.mentor_id === id);
    const done = card.querySelector("[data-testid=requested]");
    const ask = card.querySelector(".request-form");
    done.hidden = !requested;
    ask.hidden = requested;
    card.classList.toggle("is-requested", requested);
    if (requested) {
      done.querySelector(".requested-cohort").textContent = `in ${cohortName(cohort)}`;
      const note = done.querySelector("[data-testid=requested-note]");
      note.textContent = r.note ? `Your note: “${r.note}”` : "No note.";
    }
    const why = whyNot(id);
    const button = card.querySelector("[data-testid=request-button]");
    const blocked = card.querySelector("[data-testid=not-requestable]");
    button.textContent = r && !requested && !why ? "Request this mentor instead" : "Request this mentor";
    button.disabled = Boolean(why);
    if (why) button.title = why;
    else button.removeAttribute("title");
    blocked.hidden = !why;
    blocked.textContent = !cohort ? "Requests open once you are in a cohort." : `Not a mentor of ${cohortName(cohort)}: cannot be requested there.`;
    if (why) {
      // A note being written for a mentor who can no longer be requested: put it away.
      card.querySelector(".compose").hidden = true;
      button.hidden = false;
    }
  }
}

// -- suggestions --------------------------------------------------------------------------

function fitMeter(fit) {
  const value = Math.max(0, Math.min(100, Math.round(fit)));
  return el(
    "div",
    { class: "fit-meter", "data-testid": "fit", "data-fit": String(value) },
    el("b", { text: `${value}%` }),
    el("span", { class: "fit-label", text: "fit" }),
    el(
      "div",
      {
        class: "bar",
        role: "meter",
        "aria-label": "Fit",
        "aria-valuemin": "0",
        "aria-valuemax": "100",
        "aria-valuenow": String(value),
      },
      el("span", { style: `width:${value}%` })
    )
  );
}

function bulletList(items, testid) {
  const list = el("ul", { "data-testid": testid });
  for (const item of items) list.append(el("li", { text: item }));
  return list;
}

function suggestionCard(s, index) {
  const name = s.mentor_name || s.mentor_id;
  const slug = `s${index}`; // element ids: by position, since a mentor id may hold any of _ . : @
  const headingId = `m-${slug}`;
  const card = el("article", {
    class: "mentor-card",
    "data-testid": "suggestion-card",
    "data-mentor": s.mentor_id,
    "aria-labelledby": headingId,
  });
  card.append(
    el(
      "div",
      { class: "who" },
      el("h3", { id: headingId, text: `${s.rank}. ${name}` }),
      el("p", { class: "specialty", "data-testid": "specialty", text: s.specialty || "" })
    )
  );
  if (typeof s.fit === "number") card.append(fitMeter(s.fit));
  else card.append(el("p", { class: "score-line", text: `score ${Number(s.score).toFixed(3)}` }));

  const reasons = Array.isArray(s.reasons) ? s.reasons.filter(Boolean) : [];
  card.append(el("h4", { text: "Why they fit" }));
  if (reasons.length) card.append(bulletList(reasons, "reasons"));
  else card.append(el("p", { class: "expl", "data-testid": "reasons", text: s.explanation || "" }));

  if (Array.isArray(s.gaps)) {
    card.append(el("h4", { text: "What may not fit" }));
    if (s.gaps.length) card.append(bulletList(s.gaps, "gaps"));
    else card.append(el("p", { class: "expl", "data-testid": "gaps", text: "No gaps found." }));
  }

  const noteId = `note-${slug}`;
  const parts = {
    ask: el("button", { type: "button", "data-testid": "request-button", text: "Request this mentor" }),
    note: el("textarea", {
      id: noteId,
      rows: "2",
      maxlength: "1000",
      "data-testid": "request-note",
      placeholder: "e.g. what you hope to work on together",
    }),
    send: el("button", { type: "button", "data-testid": "send-request", text: `Send request` }),
    cancel: el("button", { type: "button", class: "secondary", "data-testid": "cancel-request", text: "Cancel" }),
    status: el("p", { id: `req-${slug}`, class: "status", "data-testid": "request-status", role: "status", "aria-live": "polite" }),
    blocked: el("p", { id: `why-${slug}`, class: "not-requestable", "data-testid": "not-requestable", hidden: "" }),
  };
  parts.compose = el(
    "div",
    { class: "compose", hidden: "" },
    el("label", { for: noteId, text: `A note for your coordinator about ${name} (optional)` }),
    parts.note,
    el("div", { class: "row" }, parts.send, parts.cancel)
  );
  parts.ask.setAttribute("aria-describedby", `${parts.blocked.id} ${parts.status.id}`);
  parts.send.setAttribute("aria-describedby", parts.status.id);
  parts.ask.addEventListener("click", () => openNote(parts));
  parts.send.addEventListener("click", () => requestMentor(s, parts));
  parts.cancel.addEventListener("click", () => closeNote(parts, true));
  card.append(
    el("div", { class: "request-form" }, parts.ask, parts.blocked, parts.compose, parts.status),
    el(
      "div",
      { class: "requested", "data-testid": "requested", hidden: "" },
      el("span", { class: "requested-badge", text: "Requested" }),
      " ",
      el("span", { class: "requested-cohort" }),
      el("p", { class: "expl", "data-testid": "requested-note" })
    )
  );
  return card;
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

/** The suggestions for the view chosen: the chosen cohort's mentors (``?cohort=``), or all
 * of them, with the cohort's asked for too so the cards know whom a request may name. */
async function loadSuggestions(retried = false) {
  if (!session.token || !state.exists) return;
  const asked = ++state.asked;
  const cohort = chosen();
  const view = cohort ? state.view : "all";
  const path = (k, only) => `${menteePath()}/suggestions?` + (only ? `cohort=${encodeURIComponent(only.id)}&` : "") + `k=${k}`;
  $("refresh").disabled = true;
  setStatus(view === "cohort" ? `Finding mentors of ${cohortName(cohort)} for you…` : "Finding mentors for you…");
  try {
    let body;
    let members = null;
    if (view === "cohort") {
      body = await api("GET", path(K, cohort));
      members = new Set(body.data.map((s) => s.mentor_id));
    } else if (cohort) {
      const [all, theirs] = await Promise.all([api("GET", path(K, null)), api("GET", path(MEMBERS_K, cohort))]);
      body = all;
      members = new Set(theirs.data.map((s) => s.mentor_id));
    } else {
      body = await api("GET", path(K, null));
    }
    if (asked !== state.asked) return; // a newer request is on its way
    state.suggestions = body.data;
    state.members = members;
    for (const s of body.data) state.names.set(s.mentor_id, s.mentor_name || s.mentor_id);
    $("suggestions").replaceChildren(...body.data.map((s, i) => suggestionCard(s, i)));
    renderMyRequest();
    renderRequestStates();
    if ((body.warnings || []).length) renderWarnings(body.warnings);
    if (!body.data.length) {
      const whose = view === "cohort" ? ` of ${cohortName(cohort)}` : "";
      const more = view === "cohort" ? ", or look at “All mentors”" : "";
      setStatus(`No mentor${whose} fits your profile yet: add interests or goals, or relax the “only mentors who…” options${more}.`, "error");
    } else if (view === "cohort") {
      setStatus(`${plural(body.count, "mentor", "mentors")} of ${cohortName(cohort)} suggested for you, best first.`, "ok");
    } else if (cohort) {
      setStatus(`${plural(body.count, "mentor", "mentors")} suggested for you, best first; only ${cohortName(cohort)}'s can be requested there.`, "ok");
    } else {
      setStatus(`${plural(body.count, "mentor", "mentors")} suggested for you, best first.`, "ok");
    }
  } catch (err) {
    if (err instanceof SignedOut || asked !== state.asked) return;
    if (cohort && err instanceof ApiError && err.status === 404 && !retried) {
      // Taken out of the cohort since sign-in: read the cohorts again, and try once more.
      try {
        await refreshMe();
      } catch (again) {
        if (again instanceof SignedOut) return;
      }
      if (asked === state.asked && state.cohortId !== cohort.id) {
        state.linkCohort = null;
        setMessage("cohort-message", `You are no longer in ${cohortName(cohort)}.`, "warn");
        return loadSuggestions(true);
      }
    }
    setStatus(`Could not load suggestions — ${err.message}`, "error");
  } finally {
    if (asked === state.asked) $("refresh").disabled = false;
  }
}

/** The refresh button: the cohorts from the server again, then the suggestions. */
async function refreshAll() {
  try {
    await refreshMe();
  } catch (err) {
    if (err instanceof SignedOut) return;
    setStatus(`Could not read your cohorts — ${err.message}`, "error");
    return;
  }
  await loadSuggestions();
}

// -- start --------------------------------------------------------------------------------

function fillTimezones() {
  if (typeof Intl.supportedValuesOf !== "function") return;
  const list = $("timezones");
  for (const zone of Intl.supportedValuesOf("timeZone")) list.append(el("option", { value: zone }));
}

document.addEventListener("DOMContentLoaded", () => {
  fillTimezones();
  $("cohort").addEventListener("change", () => {
    state.cohortId = $("cohort").value;
    state.linkCohort = null;
    showCohortInUrl(state.cohortId);
    renderCohorts();
    loadSuggestions();
  });
  $("view").addEventListener("change", (event) => {
    state.view = event.target.value === "all" ? "all" : "cohort";
    loadSuggestions();
  });
  $("refresh").addEventListener("click", refreshAll);
  $("profile-form").addEventListener("submit", (event) => {
    event.preventDefault();
    saveProfile();
  });
  $("revert").addEventListener("click", () => {
    clearFieldMessages();
    if (state.profile) fillForm(state.profile);
    setProfileStatus("Changes undone.", "ok");
  });
  startSignIn({
    tokenKey: TOKEN_KEY,
    noun: "key",
    ask: "Enter your key.",
    reset: resetWorkspace,
    whoami,
    refuse: notAMentee,
    begin: beginSession,
  });
});
