// mentor-match coordinator console: plain fetch() over the /v1 JSON endpoints, signed in
// with an API key's bearer token. The token lives in sessionStorage only: a reload keeps the
// session, closing the tab forgets it.
//
// This file holds the exports and the start-up and loads last; the other sections are in
// page-common.js (DOM, HTTP, session; shared with the mentee page), ui-core.js,
// ui-shortlists.js, ui-assign.js, ui-compare.js, ui-dashboard.js and ui-relationships.js.
"use strict";

// ==== exports: CSV and XLSX downloads carrying the bearer token ==============================

const approvedAssignment = () => state.assignments.find((x) => x.status === "approved") || null;

function syncExportButtons() {
  const shown = Boolean(state.assignment);
  const approved = Boolean(approvedAssignment());
  for (const button of document.querySelectorAll("[data-export]")) {
    const kind = button.dataset.export;
    button.disabled = kind === "assignment" ? !shown : kind === "approved" ? !approved : !state.cohort;
  }
}

function filenameFrom(disposition, fallback) {
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition || "");
  return match ? decodeURIComponent(match[1]) : fallback;
}

async function download(kind, format, button) {
  const messageId = kind === "shortlists" ? "shortlists-export-message" : "assignment-export-message";
  const a = kind === "approved" ? approvedAssignment() : state.assignment;
  let path;
  let name;
  if (kind === "shortlists") {
    path = cohortPath(`/shortlists?k=5&format=${format}`);
    name = `${state.cohort}-shortlists.${format}`;
  } else {
    if (!a) return;
    path = assignmentPath(a.id, `?format=${format}`);
    name = `${state.cohort}-assignment-${a.id}.${format}`;
  }
  const token = session.token;
  if (!token) return;
  button.disabled = true;
  setMessage(messageId, `Preparing ${name}…`);
  try {
    let response;
    try {
      response = await fetch(path, { headers: { Authorization: `Bearer ${token}`, Accept: "*/*" } });
    } catch (err) {
      throw new Error(`network error: ${err.message}`);
    }
    sameSession(token);
    if (!response.ok) {
      const data = await response.json().catch(() => null);
      refused(response.status, data && data.detail !== undefined ? detailText(data.detail) : response.statusText);
    }
    if ((response.headers.get("content-type") || "").includes("json")) {
      throw new Error(`this server does not export ${format.toUpperCase()} here yet`);
    }
    const blob = await response.blob();
    const filename = filenameFrom(response.headers.get("content-disposition"), name);
    const url = URL.createObjectURL(blob);
    const link = el("a", { href: url, download: filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 30_000);
    setMessage(messageId, `Downloaded ${filename}.`, "ok");
  } catch (err) {
    if (err instanceof SignedOut) return;
    setMessage(messageId, `Download failed — ${err.message}`, "error");
  } finally {
    syncExportButtons();
  }
}

// ==== start-up ===============================================================================

document.addEventListener("DOMContentLoaded", () => {
  buildToolbar("shortlist-tools", "shortlist", "shortlist", "mentees or mentors", () => renderShortlists());
  buildToolbar("pairs-tools", "pairs", "pairs", "mentees or mentors", () => renderPairs());
  $("load").addEventListener("click", loadCohort);
  $("load").addEventListener("click", reloadRelationships); // after loadCohort: the cohort is set
  $("relationships-reload").addEventListener("click", reloadRelationships);
  $("run").addEventListener("click", runAssignment);
  $("approve").addEventListener("click", approve);
  $("supersede").addEventListener("click", supersedeThenApprove);
  $("assignment-select").addEventListener("change", () => {
    const chosen = state.assignments.find((x) => x.id === $("assignment-select").value);
    if (chosen) {
      hideApproveBox();
      renderAssignment(chosen);
      renderShortlists();
    }
  });
  for (const button of document.querySelectorAll("[data-export]")) {
    button.addEventListener("click", () => download(button.dataset.export, button.dataset.format, button));
  }
  $("compare-close").addEventListener("click", () => $("compare").close());
  $("compare").addEventListener("close", () => {
    const opener = state.compareOpener;
    state.compareOpener = null;
    if (opener && opener.isConnected) opener.focus();
  });
  startSignIn({
    tokenKey: TOKEN_KEY,
    noun: "token",
    ask: "Enter an API token.",
    reset: () => {
      resetWorkspace();
      resetRelationships();
    },
    whoami,
    refuse: () => "",
    begin: loadCohorts,
  });
});
