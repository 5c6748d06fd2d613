// HAIPEDIA editors' session, shared by the editors' page and the supervisors' dashboard: the token is
// asked once and kept for the browser tab (sessionStorage); API calls carry it as a bearer token.
"use strict";

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = "haipedia-admin-token";

class Unauthorized extends Error {}

// fetch() with the tab's token; a 401 throws Unauthorized.
async function authorized(path, init = {}) {
  const token = sessionStorage.getItem(TOKEN_KEY) || "";
  init.headers = Object.assign({ Authorization: "Bearer " + token }, init.headers || {});
  const r = await fetch(path, init);
  if (r.status === 401) throw new Unauthorized("Token salah atau kedaluwarsa.");
  return r;
}

async function api(method, path, payload) {
  const init = { method, headers: {} };
  if (payload !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(payload);
  }
  const r = await authorized(path, init);
  const body = await r.json().catch(() => ({}));
  if (r.status === 403 && body.error && body.error.code === "admin_disabled") {
    throw new Unauthorized("Halaman editor dimatikan: server berjalan tanpa token editor.");
  }
  return { status: r.status, body };
}

// An RFC 3339 UTC time as Jakarta time, e.g. "28/11/2026 23.50.58 WIB".
function wib(utc) {
  const d = new Date(utc);
  if (isNaN(d)) return utc;
  return d.toLocaleString("id-ID", { timeZone: "Asia/Jakarta" }) + " WIB";
}

function showLogin(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  $("panel").hidden = true;
  $("masuk").hidden = false;
  $("masuk-status").textContent = message || "";
  $("token").value = "";
  $("token").focus();
}

function guard(e) {
  if (e instanceof Unauthorized) showLogin(e.message);
  else throw e;
}

// Wires the login form (#masuk-form, #token) and the logout button (#keluar); `enter` opens the
// panel, at once when the tab already holds a token.
function startSession(enter) {
  $("masuk-form").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    enter();
  });
  $("keluar").addEventListener("click", () => showLogin("Anda sudah keluar."));
  if (sessionStorage.getItem(TOKEN_KEY)) enter();
  else $("token").focus();
}
