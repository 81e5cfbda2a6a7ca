// mentor-match coordinator console, compare: a mentee and a mentor side by side.
// Loaded by ui.html as classic scripts in order: ui-core.js, ui-shortlists.js, ui-assign.js,
// ui-compare.js, ui-dashboard.js, ui.js (exports and start-up, last); they share top-level names.
"use strict";

// ==== compare: a mentee and a mentor side by side, matched items highlighted =================

const FIELD_NAMES = {
  specialty: "specialty",
  interest: "interests",
  research: "research areas",
  bio: "biography",
  publication: "publications",
  item: "work",
  text: "profile",
  goal: "goals",
};

/** A profile (``kind`` "mentees" or "mentors"), fetched once per cohort load. */
async function profile(kind, id) {
  const cache = kind === "mentees" ? state.mentees : state.mentors;
  if (!cache[id]) cache[id] = await api("GET", `/v1/${kind}/${enc(id)}`);
  return cache[id];
}

/** Does the matched ``text`` stand for the profile ``item``? The same text, a chunk of a long
 * item (the server matches long texts in chunks), or the item with its subspecialties. */
function matchesItem(item, text) {
  const x = norm(item);
  const y = norm(text);
  if (!x || !y) return false;
  return x === y || (y.length >= 12 && x.includes(y)) || y.startsWith(`${x} (`);
}

/** Free places of ``mentor`` now, and after the shown draft (null when it does not say). */
function freePlaces(mentor) {
  const now = (mentor.capacity ?? 0) - (mentor.current_mentees ?? 0) - (mentor.placed_mentees ?? 0);
  const a = state.assignment;
  let after = null;
  if (a && a.status === "draft" && Array.isArray(a.mentors_with_room)) {
    const room = a.mentors_with_room.find((m) => m.mentor_id === mentor.id);
    after = room ? room.free : a.pairs.some((p) => p.mentor_id === mentor.id) ? 0 : null;
  }
  return { now, after };
}

/** A list of ``values``; items matched (``side`` of the matches) or shared are highlighted. */
function compareList(values, matches, side, shared, placed) {
  if (!values || !values.length) return el("p", { class: "none", text: "—" });
  return el(
    "ul",
    { class: "compare-items" },
    values.map((value) => {
      const hits = matches.map((m, i) => (matchesItem(value, m[side]) ? i : -1)).filter((i) => i >= 0);
      hits.forEach((i) => placed.add(i));
      const isShared = shared && shared.has(norm(value));
      if (!hits.length && !isShared) return el("li", { text: value });
      const mark = el(
        "mark",
        { class: hits.length ? "match" : "shared", "data-testid": hits.length ? "match-mark" : "shared-mark" },
        value,
      );
      const notes = hits.map((i) =>
        el("sup", { class: "match-no", "aria-label": `match ${i + 1}`, text: String(i + 1) }),
      );
      return el(
        "li",
        {},
        mark,
        notes,
        isShared && !hits.length ? el("span", { class: "visually-hidden", text: " (in both profiles)" }) : null,
      );
    }),
  );
}

function compareField(label, content) {
  return [el("dt", { text: label }), el("dd", {}, content)];
}

function compareView(mentee, mentor, suggestion, fitFallback) {
  const matches = (suggestion && suggestion.matches) || [];
  const offers = new Set((mentor.offers || []).map(norm));
  const sharedOffers = new Set((mentee.seeking || []).map(norm).filter((x) => offers.has(x)));
  const targetSet = new Set((mentee.target_specialties || []).map(norm));
  const sharedSpecialty = new Set(targetSet.has(norm(mentor.specialty)) ? [norm(mentor.specialty)] : []);
  const menteePlaced = new Set();
  const mentorPlaced = new Set();
  const menteeCol = el(
    "section",
    { class: "compare-col", "data-testid": "compare-mentee", "aria-label": "Mentee" },
    el(
      "h3",
      {},
      el("span", { class: "role", text: "Mentee " }),
      mentee.name || mentee.id,
      el("span", { class: "id", text: mentee.id }),
    ),
    el(
      "dl",
      {},
      compareField("Stage", mentee.stage || "—"),
      compareField(
        "Target specialties",
        compareList(mentee.target_specialties, matches, "mentee_text", sharedSpecialty, menteePlaced),
      ),
      compareField("Interests", compareList(mentee.interests, matches, "mentee_text", null, menteePlaced)),
      compareField("Goals", compareList(mentee.goals, matches, "mentee_text", null, menteePlaced)),
      compareField("Seeking", compareList(mentee.seeking, matches, "mentee_text", sharedOffers, menteePlaced)),
    ),
  );
  const free = freePlaces(mentor);
  const freeText =
    `${free.now} now` +
    (free.after !== null ? `, ${free.after} after this draft` : "") +
    ` (capacity ${mentor.capacity ?? "–"})`;
  const mentorCol = el(
    "section",
    { class: "compare-col", "data-testid": "compare-mentor", "aria-label": "Mentor" },
    el(
      "h3",
      {},
      el("span", { class: "role", text: "Mentor " }),
      mentor.name || mentor.id,
      el("span", { class: "id", text: mentor.id }),
    ),
    el(
      "dl",
      {},
      compareField(
        "Specialty",
        compareList(
          [mentor.specialty, ...(mentor.subspecialties || [])].filter(Boolean),
          matches,
          "mentor_text",
          sharedSpecialty,
          mentorPlaced,
        ),
      ),
      compareField("Offers", compareList(mentor.offers, matches, "mentor_text", sharedOffers, mentorPlaced)),
      compareField("Interests", compareList(mentor.interests, matches, "mentor_text", null, mentorPlaced)),
      compareField("Research areas", compareList(mentor.research_areas, matches, "mentor_text", null, mentorPlaced)),
      compareField("Free places", el("span", { "data-testid": "compare-free", text: freeText })),
    ),
  );
  // Matched mentor texts from fields not listed above (biography, publications, work).
  const elsewhere = matches.map((m, i) => [m, i]).filter(([, i]) => !mentorPlaced.has(i));
  if (elsewhere.length) {
    mentorCol.append(
      el("h4", { text: "Also matched in the mentor's profile" }),
      el(
        "ul",
        { class: "compare-items" },
        elsewhere.map(([m, i]) =>
          el(
            "li",
            {},
            el("mark", { class: "match", "data-testid": "match-mark" }, m.mentor_text),
            el("sup", { class: "match-no", text: String(i + 1) }),
            el("span", { class: "field", text: ` (${FIELD_NAMES[m.mentor_field] || m.mentor_field})` }),
          ),
        ),
      ),
    );
  }
  const fit = suggestion ? fitOf(suggestion) : fitFallback;
  const fitBox = el(
    "section",
    { class: "compare-fit", "data-testid": "compare-fit", "aria-label": "Fit" },
    el(
      "h3",
      {},
      "Fit ",
      fit !== null ? fitBadge(fit) : el("span", { class: "hint", text: "not given by this server" }),
      suggestion
        ? el("span", {
            class: "score",
            text: ` score ${num(suggestion.score)}, rank ${suggestion.rank} in the shortlist`,
          })
        : null,
    ),
    fit !== null
      ? el(
          "div",
          {
            class: "bar big",
            role: "meter",
            "aria-label": "fit",
            "aria-valuemin": "0",
            "aria-valuemax": "100",
            "aria-valuenow": String(fit),
          },
          el("span", { style: `width:${fit}%` }),
        )
      : null,
    suggestion
      ? reasonList(suggestion.reasons || [], gapsOf(suggestion))
      : el("p", {
          class: "hint",
          text: "This mentor is not in the mentee's shortlist, so no reasons or matched items were computed for the pair.",
        }),
    matches.length
      ? el(
          "div",
          {},
          el("h4", { text: "Matched items" }),
          el(
            "ol",
            { class: "match-list", "data-testid": "match-list" },
            matches.map((m) =>
              el(
                "li",
                {},
                el("mark", { class: "match", text: m.mentee_text }),
                " ↔ ",
                el("mark", { class: "match", text: m.mentor_text }),
                el("span", {
                  class: "field",
                  text: ` (${FIELD_NAMES[m.mentor_field] || m.mentor_field}, similarity ${pct(m.similarity)})`,
                }),
              ),
            ),
          ),
        )
      : null,
  );
  return el(
    "div",
    {},
    el("div", { class: "compare-grid" }, menteeCol, mentorCol),
    fitBox,
    el(
      "p",
      { class: "hint legend" },
      el("mark", { class: "match", text: "matched" }),
      " the suggestion's matched texts (numbered); ",
      el("mark", { class: "shared", text: "shared" }),
      " the same specialty or offer on both sides.",
    ),
  );
}

async function openCompare(menteeId, mentorId, opener) {
  const dialog = $("compare");
  const body = $("compare-body");
  state.compareOpener = opener || null;
  $("h-compare").textContent = `Compare ${menteeName(menteeId)} and ${mentorName(mentorId)}`;
  body.replaceChildren(el("p", { class: "hint", text: "Loading both profiles…" }));
  if (!dialog.open) dialog.showModal();
  try {
    const [mentee, mentor] = await Promise.all([profile("mentees", menteeId), profile("mentors", mentorId)]);
    if (!dialog.open) return;
    const suggestion = entryFor(menteeId, mentorId);
    const pair =
      state.assignment && state.assignment.pairs.find((p) => p.mentee_id === menteeId && p.mentor_id === mentorId);
    body.replaceChildren(compareView(mentee, mentor, suggestion, pair ? pairFit(pair) : null));
    $("compare-close").focus();
  } catch (err) {
    if (err instanceof SignedOut) return;
    body.replaceChildren(
      el("p", {
        class: "status error",
        role: "alert",
        "data-testid": "compare-message",
        text: `Could not load the profiles — ${err.message}`,
      }),
    );
  }
}
