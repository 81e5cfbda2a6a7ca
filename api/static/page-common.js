// mentor-match pages, common part: DOM helpers, HTTP over the /v1 JSON endpoints with a
// bearer token, and the session (sign-in, sign-out, the token kept in sessionStorage only:
// a reload keeps the session, closing the tab forgets it). Loaded first, as a classic
// script, by ui.html (the coordinator console) and mentee.html (the mentee page); the page's
// own scripts share its top-level names and call startSignIn() once the page has loaded.
"use strict";

// ==== DOM ====================================================================================

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    // Through the CSSOM: the page's Content-Security-Policy refuses inline style attributes.
    else if (key === "style") node.style.cssText = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) if (child != null && child !== false) node.append(child);
  return node;
}

const MESSAGE_KINDS = ["error", "ok", "warn"];

/** Put ``message`` in the status line ``node`` (an element or its id); ``kind`` one of
 * MESSAGE_KINDS, or none. The node's other classes stay. */
function setMessage(node, message, kind) {
  const target = typeof node === "string" ? $(node) : node;
  const keep = [...target.classList].filter((c) => c !== "status" && !MESSAGE_KINDS.includes(c));
  target.textContent = message;
  target.className = ["status", ...keep, kind].filter(Boolean).join(" ");
}

const setStatus = (message, kind) => setMessage("status", message, kind);
const setSignInMessage = (message, kind) => setMessage("signin-message", message, kind);

// ==== HTTP ===================================================================================

/** Thrown by api() when the session ended (401, sign-out) before its answer could be used. */
class SignedOut extends Error {}

/** A refused request: ``status`` is the HTTP status, the message "status: why"; ``detail``
 * the answer's own (a 422's list, kept for field-level display). */
class ApiError extends Error {
  constructor(status, why, detail) {
    super(`${status}: ${why}`);
    this.status = status;
    this.why = why;
    this.detail = detail;
  }
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

/** The session's token, checked again after an await: throws SignedOut if it changed. */
function sameSession(token) {
  if (session.token !== token) throw new SignedOut("the session changed during the request");
}

/** A refused call: 401 ends the session (SignedOut), anything else throws ApiError. */
function refused(status, why, detail) {
  if (status === 401) {
    endSession(`Signed out: the server refused the ${signInPage.noun} (${why}). Sign in again.`, "error");
    throw new SignedOut(why);
  }
  throw new ApiError(status, why, detail);
}

/** A call in the current session: 401 ends the session, other failures throw ApiError. */
async function api(method, path, body) {
  const token = session.token;
  if (!token) throw new SignedOut("not signed in");
  const answer = await send(method, path, body, token);
  sameSession(token);
  if (!answer.ok) refused(answer.status, answer.why, answer.data && answer.data.detail);
  return answer.data;
}

// ==== session ================================================================================

/** ``me``: the answer of GET /v1/me for the token signed in with. */
const session = { token: null, me: null };

/** What the page signing in decides; set by startSignIn(). */
const signInPage = {
  tokenKey: null, // the sessionStorage entry of the page's token
  noun: "token", // what the page calls the token in its messages ("token", "key")
  ask: "", // said when Sign in is pressed with nothing typed
  reset: () => {}, // empty the workspace (at sign-in and at sign-out)
  whoami: (who) => "", // the "Signed in as" line for GET /v1/me's answer
  refuse: (who) => "", // why this page turns GET /v1/me's answer away ("" to accept it)
  begin: () => {}, // the first loads of a new session
};

function saveToken(token) {
  try {
    if (token === null) sessionStorage.removeItem(signInPage.tokenKey);
    else sessionStorage.setItem(signInPage.tokenKey, token);
  } catch {
    // Storage disabled: the session lasts until the page reloads.
  }
}

function savedToken() {
  try {
    return sessionStorage.getItem(signInPage.tokenKey);
  } catch {
    return null;
  }
}

function startSession(token, who) {
  session.token = token;
  session.me = who;
  saveToken(token);
  $("token").value = "";
  setSignInMessage("");
  signInPage.reset();
  $("whoami").textContent = signInPage.whoami(who);
  $("signin-panel").hidden = true;
  $("session").hidden = false;
  $("workspace").hidden = false;
  signInPage.begin();
}

function endSession(message, kind) {
  session.token = null;
  session.me = null;
  saveToken(null);
  signInPage.reset();
  $("workspace").hidden = true;
  $("session").hidden = true;
  $("signin-panel").hidden = false;
  setSignInMessage(message, kind);
  $("token").focus();
}

/** Check ``candidate`` with GET /v1/me and start a session with it if the page takes it. */
async function signIn(candidate, refusedText = "Sign-in failed") {
  const noun = signInPage.noun;
  const token = (candidate || "").trim();
  if (!token) {
    setSignInMessage(signInPage.ask, "error");
    return;
  }
  if (!/^[\x21-\x7e]+$/.test(token)) {
    setSignInMessage(`${refusedText} — a ${noun} has no spaces or non-ASCII characters.`, "error");
    return;
  }
  $("sign-in").disabled = true;
  setSignInMessage(`Checking the ${noun}…`);
  try {
    const answer = await send("GET", "/v1/me", undefined, token);
    if (!answer.ok) {
      if (answer.status === 401) endSession("", "");
      setSignInMessage(`${refusedText} — ${answer.status}: ${answer.why}`, "error");
      return;
    }
    const why = signInPage.refuse(answer.data);
    if (why) {
      endSession("", "");
      setSignInMessage(why, "error");
      return;
    }
    startSession(token, answer.data);
  } catch (err) {
    setSignInMessage(`${refusedText} — ${err.message}`, "error");
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

/** Take the page's choices (see signInPage), wire the sign-in form and Sign out, and sign in
 * with the token handed over in the address or kept from before this reload, if any. */
function startSignIn(choices) {
  Object.assign(signInPage, choices);
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
}
