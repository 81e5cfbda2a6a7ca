// mentor-match coordinator console, dashboard: inline SVG plots.
// Loaded by ui.html as classic scripts in order: ui-core.js, ui-shortlists.js, ui-assign.js,
// ui-compare.js, ui-dashboard.js, ui.js (exports and start-up, last); they share top-level names.
"use strict";

// ==== dashboard: the cohort's figures as inline SVG plots ====================================

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.setAttribute("class", value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) if (child) node.append(child);
  return node;
}

/** An SVG canvas ``width`` × ``height`` (scaled to its box), described for screen readers. */
function canvas(width, height, name, description) {
  return svg(
    "svg",
    {
      viewBox: `0 0 ${width} ${height}`,
      width: "100%",
      role: "img",
      "aria-label": description,
      "data-testid": "dash-plot",
      "data-plot": name,
      preserveAspectRatio: "xMinYMin meet",
      class: "plot-svg",
    },
    svg("title", { text: description }),
  );
}

/** Horizontal bars on a 0–``max`` scale: rows of {label, value, max, text, cls}. */
function hbars(name, description, rows) {
  const width = 420;
  const labelW = 150;
  const valueW = 70;
  const rowH = 28;
  const span = width - labelW - valueW;
  const plot = canvas(width, rows.length * rowH + 8, name, description);
  rows.forEach((r, i) => {
    const y = 4 + i * rowH;
    const w = r.max > 0 ? clamp01(r.value / r.max) * span : 0;
    plot.append(
      svg("text", { x: labelW - 6, y: y + 15, "text-anchor": "end", class: "plot-text", text: clip(r.label, 22) }),
      svg("rect", { x: labelW, y: y + 4, width: span, height: 14, class: "plot-track" }),
      svg(
        "rect",
        { x: labelW, y: y + 4, width: w, height: 14, class: r.cls || "plot-a", "data-value": r.value },
        svg("title", { text: `${r.label}: ${r.text}` }),
      ),
      svg("text", { x: labelW + span + 6, y: y + 15, class: "plot-text", text: r.text }),
    );
  });
  return plot;
}

const clip = (text, n) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

/** Vertical bars of the mentor-load histogram (load → number of mentors). */
function histogram(loads) {
  const keys = Object.keys(loads)
    .map(Number)
    .sort((a, b) => a - b);
  const counts = keys.map((k) => loads[String(k)] ?? loads[k] ?? 0);
  const most = Math.max(1, ...counts);
  const width = 420;
  const height = 200;
  const left = 34;
  const bottom = 34;
  const plotH = height - bottom - 16;
  const slot = (width - left - 10) / Math.max(1, keys.length);
  const description = `Mentor load: ${keys.map((k, i) => `${counts[i]} mentors with ${k} mentees`).join(", ") || "no mentors"}.`;
  const plot = canvas(width, height, "load", description);
  plot.append(
    svg("line", { x1: left, y1: 16 + plotH, x2: width - 6, y2: 16 + plotH, class: "plot-axis" }),
    svg("text", { x: left - 6, y: 20, "text-anchor": "end", class: "plot-text", text: String(most) }),
    svg("text", { x: left - 6, y: 16 + plotH, "text-anchor": "end", class: "plot-text", text: "0" }),
    svg("text", {
      x: (width + left) / 2,
      y: height - 4,
      "text-anchor": "middle",
      class: "plot-text",
      text: "new mentees per mentor",
    }),
  );
  keys.forEach((k, i) => {
    const h = (counts[i] / most) * plotH;
    const x = left + i * slot + slot * 0.15;
    const w = slot * 0.7;
    plot.append(
      svg(
        "rect",
        { x, y: 16 + plotH - h, width: w, height: h, class: k === 0 ? "plot-b" : "plot-a", "data-value": counts[i] },
        svg("title", { text: `${counts[i]} mentors with ${k} mentees` }),
      ),
      svg("text", {
        x: x + w / 2,
        y: 16 + plotH - h - 3,
        "text-anchor": "middle",
        class: "plot-text",
        text: String(counts[i]),
      }),
      svg("text", { x: x + w / 2, y: 16 + plotH + 14, "text-anchor": "middle", class: "plot-text", text: String(k) }),
    );
  });
  return plot;
}

/** Two bars per specialty: mentees targeting it, and free places (with the mentor count). */
function coverageChart(rows) {
  const width = 420;
  const labelW = 150;
  const valueW = 90;
  const rowH = 30;
  const top = 26;
  const span = width - labelW - valueW;
  const most = Math.max(1, ...rows.flatMap((c) => [c.mentees, c.free_places]));
  const description = `Specialty coverage: ${rows.map((c) => `${c.specialty}: ${c.mentees} mentees targeting it, ${c.mentors} mentors, ${c.free_places} free places`).join("; ") || "none"}.`;
  const plot = canvas(width, top + Math.max(1, rows.length) * rowH + 4, "coverage", description);
  plot.append(
    svg("rect", { x: 10, y: 6, width: 10, height: 10, class: "plot-a" }),
    svg("text", { x: 24, y: 15, class: "plot-text", text: "mentees targeting it" }),
    svg("rect", { x: 190, y: 6, width: 10, height: 10, class: "plot-b" }),
    svg("text", { x: 204, y: 15, class: "plot-text", text: "free places (mentors)" }),
  );
  rows.forEach((c, i) => {
    const y = top + i * rowH;
    const bar = (value, dy, cls, text, what) => [
      svg("rect", { x: labelW, y: y + dy, width: span, height: 10, class: "plot-track" }),
      svg(
        "rect",
        {
          x: labelW,
          y: y + dy,
          width: (Math.max(0, value) / most) * span,
          height: 10,
          class: cls,
          "data-value": value,
        },
        svg("title", { text: `${c.specialty}: ${what}` }),
      ),
      svg("text", { x: labelW + span + 6, y: y + dy + 9, class: "plot-text", text }),
    ];
    plot.append(
      svg("text", { x: labelW - 6, y: y + 17, "text-anchor": "end", class: "plot-text", text: clip(c.specialty, 22) }),
      ...bar(c.mentees, 3, "plot-a", String(c.mentees), `${c.mentees} mentees targeting it`),
      ...bar(
        c.free_places,
        15,
        "plot-b",
        `${c.free_places} (${c.mentors})`,
        `${c.free_places} free places, ${c.mentors} mentors`,
      ),
    );
  });
  if (!rows.length) plot.append(svg("text", { x: labelW, y: top + 18, class: "plot-text", text: "no specialties" }));
  return plot;
}

function figure(title, plot, note) {
  return el(
    "figure",
    { class: "plot", "data-testid": "dash-figure" },
    el("figcaption", { text: title }),
    plot,
    note ? el("p", { class: "hint", text: note }) : null,
  );
}

function renderDashboard(d) {
  const root = $("dashboard");
  const source = d.assignment_id
    ? `Figures of the ${d.status || ""} assignment ${d.assignment_id}; ${d.mentees} mentees, ${d.mentors} mentors.`
    : `Nothing assigned yet; ${d.mentees} mentees, ${d.mentors} mentors.`;
  $("dashboard-source").textContent = source;
  const share = (x) => (x === null || x === undefined ? "–" : pct(x));
  const shares = hbars("shares", `Matched share ${share(d.matched_share)}, top-3 share ${share(d.top3_share)}.`, [
    { label: "matched", value: d.matched_share ?? 0, max: 1, text: share(d.matched_share) },
    { label: "in their top 3", value: d.top3_share ?? 0, max: 1, text: share(d.top3_share) },
  ]);
  const scoreRows = [
    ["mean score", d.mean_score],
    ["fair-mode minimum", d.fair_min],
    ["total-mode minimum", d.total_min],
  ].map(([label, v]) => ({
    label,
    value: v ?? 0,
    max: 1,
    text: v === null || v === undefined ? "–" : num(v),
    cls: label.startsWith("fair") ? "plot-c" : "plot-a",
  }));
  const scores = hbars("scores", `Scores: ${scoreRows.map((r) => `${r.label} ${r.text}`).join(", ")}.`, scoreRows);
  const coverage = (d.specialty_coverage || [])
    .slice()
    .sort((x, y) => y.mentees - x.mentees || x.specialty.localeCompare(y.specialty));
  const shown = coverage.slice(0, 12);
  const coveragePlot = coverageChart(shown);
  const unmatched = d.unmatched || [];
  const list = el(
    "ul",
    { class: "dash-unmatched", "data-testid": "dash-unmatched" },
    unmatched.map((u) => el("li", {}, el("b", { text: labelled(u.mentee_name, u.mentee_id) }), ` — ${u.reason}`)),
  );
  if (!unmatched.length)
    list.append(el("li", { class: "none", text: d.assignment_id ? "Everyone has a mentor." : "—" }));
  root.replaceChildren(
    el(
      "div",
      { class: "tiles" },
      tile("Matched", share(d.matched_share), "dash-matched"),
      tile("Top-3 share", share(d.top3_share), "dash-top3"),
      tile(
        "Fair-mode minimum",
        d.fair_min === null || d.fair_min === undefined ? "–" : num(d.fair_min),
        "dash-fair-min",
      ),
      tile("Without a mentor", String(unmatched.length), "dash-unmatched-count"),
    ),
    el(
      "div",
      { class: "plots" },
      figure("Shares of mentees", shares),
      figure("Scores (0–1)", scores),
      figure("Mentor load", histogram(d.load_histogram || {}), "How many mentors take 0, 1, 2… new mentees."),
      figure(
        "Specialty coverage",
        coveragePlot,
        coverage.length > shown.length ? `The ${shown.length} most wanted of ${coverage.length} specialties.` : null,
      ),
      el("figure", { class: "plot" }, el("figcaption", { text: "Without a mentor" }), list),
    ),
  );
}

function tile(label, value, testid) {
  return el(
    "div",
    { class: "tile", "data-testid": testid },
    el("span", { class: "tile-value", text: value }),
    el("span", { class: "tile-label", text: label }),
  );
}

async function refreshDashboard() {
  if (!state.cohort) return;
  const generation = state.generation;
  try {
    const d = await api("GET", cohortPath("/dashboard"));
    if (generation !== state.generation) return;
    setMessage("dashboard-message", "");
    renderDashboard(d);
  } catch (err) {
    if (err instanceof SignedOut || generation !== state.generation) return;
    $("dashboard").replaceChildren();
    if (routeMissing(err)) $("dashboard-source").textContent = "This server has no dashboard yet.";
    else setMessage("dashboard-message", `Could not load the dashboard — ${err.message}`, "error");
  }
}
