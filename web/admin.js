// HAIPEDIA editors' page: token once per browser session, status, reindex with progress, rollback, gaps.
"use strict";

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = "haipedia-admin-token";
const POLL_MS = 250;
const STAGE = {
  loading: "membaca korpus", embedding: "membuat embedding", writing: "menulis indeks",
  switching: "mengaktifkan generasi", done: "selesai",
};

class Unauthorized extends Error {}

async function api(method, path) {
  const token = sessionStorage.getItem(TOKEN_KEY) || "";
  const r = await fetch(path, { method, headers: { Authorization: "Bearer " + token } });
  const body = await r.json().catch(() => ({}));
  if (r.status === 401) throw new Unauthorized("Token salah atau kedaluwarsa.");
  if (r.status === 403) {
    throw new Unauthorized("Halaman editor dimatikan: server berjalan tanpa token admin (HAIPEDIA_ADMIN_TOKEN).");
  }
  return { status: r.status, body };
}

function fact(dl, term, value) {
  const dt = document.createElement("dt");
  dt.textContent = term;
  const dd = document.createElement("dd");
  dd.textContent = value;
  dl.append(dt, dd);
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

async function loadStatus() {
  const { body } = await api("GET", "/v1/admin/status");
  const m = body.manifest;
  const dl = $("generasi");
  dl.replaceChildren();
  fact(dl, "Generasi aktif", String(m.generation));
  fact(dl, "Dibangun", wib(m.created_at));
  fact(dl, "Entri", `${m.counts.entries} (${m.counts.articles} artikel, ${m.counts.faqs} FAQ)`);
  fact(dl, "Passage", String(m.counts.passages));
  fact(dl, "Model", m.model_id);
  fact(dl, "Generasi di disk", body.generations.join(", "));
  if (body.last_job) fact(dl, "Indeks ulang terakhir", jobSummary(body.last_job));
  return body;
}

function jobSummary(job) {
  if (job.state === "running") return `berjalan (${STAGE[job.stage] || job.stage})`;
  if (job.state === "succeeded") return `berhasil, generasi ${job.generation} aktif`;
  return "gagal: " + (job.error || "tanpa keterangan");
}

function showJob(job) {
  $("job").hidden = false;
  const progress = $("job-progress");
  const status = $("job-status");
  const total = job.embedded_total;
  if (job.state === "running") {
    if (total > 0) { progress.max = total; progress.value = job.embedded_done; }
    else progress.removeAttribute("value");
    const counted = total > 0 ? ` — ${job.embedded_done}/${total} passage` : "";
    status.className = "";
    status.textContent = `Indeks ulang #${job.id}: ${STAGE[job.stage] || job.stage}${counted}`;
  } else {
    progress.max = 1;
    progress.value = 1;
    if (job.state === "succeeded") {
      status.className = "ok";
      status.textContent = `Berhasil: generasi ${job.generation} aktif (${job.passages} passage, `
        + `${job.embedded_total} di-embed ulang).`;
    } else {
      status.className = "bad";
      status.textContent = "Gagal: " + (job.error || "tanpa keterangan") + ". Generasi lama tetap dilayani.";
    }
  }
  $("job-problems").replaceChildren(...(job.problems || []).map((p) => {
    const li = document.createElement("li");
    li.textContent = p;
    return li;
  }));
}

async function follow(job) {
  $("reindex").disabled = true;
  $("rollback").disabled = true;
  try {
    while (job.state === "running") {
      showJob(job);
      await new Promise((done) => setTimeout(done, POLL_MS));
      const { status, body } = await api("GET", "/v1/admin/reindex/" + job.id);
      if (status !== 200) break;
      job = body;
    }
    showJob(job);
    await loadStatus();
  } finally {
    $("reindex").disabled = false;
    $("rollback").disabled = false;
  }
}

async function reindex() {
  try {
    $("rollback-status").textContent = "";
    // the previous job's result must not stand for this one while the request is on its way
    $("job").hidden = false;
    $("job-status").className = "";
    $("job-status").textContent = "Memulai indeks ulang…";
    $("job-problems").replaceChildren();
    const { status, body } = await api("POST", "/v1/admin/reindex");
    if (status !== 202 && status !== 409) {
      $("job").hidden = false;
      $("job-status").className = "bad";
      $("job-status").textContent = "Gagal memulai: " + (body.error ? body.error.message : status);
      $("job-problems").replaceChildren();
      return;
    }
    await follow(body); // 202 starts a job; 409 returns the one already running
  } catch (e) { guard(e); }
}

async function rollback() {
  try {
    const { status, body } = await api("POST", "/v1/admin/rollback");
    const out = $("rollback-status");
    if (status === 200) {
      out.className = "ok";
      out.textContent = `Dikembalikan: generasi ${body.generation} aktif (sebelumnya ${body.previous}).`;
      await loadStatus();
    } else {
      out.className = "bad";
      out.textContent = "Rollback gagal: " + (body.error ? body.error.message : status);
    }
  } catch (e) { guard(e); }
}

async function loadGaps() {
  const { body } = await api("GET", "/v1/admin/unanswered");
  const table = $("gap");
  table.tBodies[0].replaceChildren(...body.groups.map((g) => {
    const tr = document.createElement("tr");
    const count = document.createElement("td");
    count.className = "num";
    count.textContent = String(g.count);
    const question = document.createElement("td");
    question.className = "gap-question";
    question.textContent = g.question;
    if (g.examples.length) {
      const ul = document.createElement("ul");
      ul.className = "examples";
      for (const ex of g.examples) {
        const li = document.createElement("li");
        li.textContent = ex;
        ul.append(li);
      }
      question.append(ul);
    }
    const last = document.createElement("td");
    last.textContent = wib(g.last_asked);
    tr.append(count, question, last);
    return tr;
  }));
  table.hidden = body.groups.length === 0;
  $("gap-status").textContent = body.groups.length ? "" : "Belum ada pertanyaan yang belum terjawab.";
}

async function enter() {
  try {
    const status = await loadStatus();
    $("masuk").hidden = true;
    $("panel").hidden = false;
    await loadGaps();
    if (status.last_job && status.last_job.state === "running") follow(status.last_job);
  } catch (e) { guard(e); }
}

document.addEventListener("DOMContentLoaded", () => {
  $("masuk-form").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    enter();
  });
  $("keluar").addEventListener("click", () => showLogin("Anda sudah keluar."));
  $("reindex").addEventListener("click", reindex);
  $("rollback").addEventListener("click", rollback);
  $("gap-muat").addEventListener("click", () => loadGaps().catch(guard));
  if (sessionStorage.getItem(TOKEN_KEY)) enter();
  else $("token").focus();
});
