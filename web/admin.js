// HAIPEDIA editors' page: token once per browser session, status, reindex with progress, rollback, gaps,
// and entries: find, edit with a WhatsApp preview, save (409 shows both versions), retire, history and undo.
"use strict";

// shared with the dashboard (session.js): $, api, wib, showLogin, guard, startSession
const POLL_MS = 250;
const STAGE = {
  loading: "membaca korpus", embedding: "membuat embedding", writing: "menulis indeks",
  switching: "mengaktifkan generasi", done: "selesai",
};

function fact(dl, term, value) {
  const dt = document.createElement("dt");
  dt.textContent = term;
  const dd = document.createElement("dd");
  dd.textContent = value;
  dl.append(dt, dd);
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

// ---- entries -------------------------------------------------------------------------------

const FIELDS = ["id", "title", "type", "category", "tags", "questions", "body"];
const ACTION = {
  save: "disimpan", create: "dibuat", retire: "dipensiunkan", undo: "pembatalan",
  reindex: "indeks ulang", rollback: "rollback",
};
const UNDOABLE = new Set(["save", "create", "retire", "undo"]);
let role = "editor";
let editing = null; // { id, version } of the entry in the form (version null: new or retired)
let conflict = null; // { version, entry } on the server after a 409
let previewTimer = null;

async function loadCategories() {
  const r = await fetch("/v1/facets");
  const facets = await r.json().catch(() => ({ categories: [] }));
  const select = $("entri-kategori");
  const list = $("kategori-daftar");
  for (const c of facets.categories || []) {
    select.append(new Option(c.name, c.name));
    const o = document.createElement("option");
    o.value = c.name;
    list.append(o);
  }
}

let listSeq = 0; // only the newest list request may fill the list

async function findEntries() {
  const seq = ++listSeq;
  const params = new URLSearchParams();
  const q = $("entri-cari").value.trim();
  if (q) params.set("q", q);
  if ($("entri-kategori").value) params.set("category", $("entri-kategori").value);
  if ($("entri-jenis").value) params.set("type", $("entri-jenis").value);
  params.set("limit", "200");
  const { status, body } = await api("GET", "/v1/admin/entries?" + params);
  if (seq !== listSeq) return;
  const out = $("entri-daftar-status");
  if (status !== 200) {
    out.className = "bad";
    out.textContent = "Daftar entri gagal dimuat: " + (body.error ? body.error.message : status);
    return;
  }
  out.className = "";
  out.textContent = body.total === 0 ? "Tidak ada entri yang cocok."
    : `${body.total} entri` + (body.total > body.entries.length ? ` (${body.entries.length} pertama)` : "");
  $("entri-daftar").replaceChildren(...body.entries.map((e) => {
    const li = document.createElement("li");
    const open = document.createElement("button");
    open.type = "button";
    open.className = "entry-open";
    open.dataset.id = e.id;
    open.textContent = e.title || e.id;
    open.disabled = !e.editable;
    open.addEventListener("click", () => openEntry(e.id).catch(guard));
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = [e.id, e.type === "faq" ? "FAQ" : "Artikel", e.category, e.path]
      .filter(Boolean).join(" · ") + (e.editable ? "" : " · berkas JSONL: sunting berkasnya langsung");
    li.append(open, meta);
    return li;
  }));
}

function formInput() {
  const list = (text, sep) => text.split(sep).map((s) => s.trim()).filter(Boolean);
  return {
    title: $("f-title").value,
    type: $("f-type").value,
    category: $("f-category").value.trim() || null,
    tags: list($("f-tags").value, ","),
    questions: list($("f-questions").value, "\n"),
    body: $("f-body").value,
  };
}

function fillForm(entry) {
  $("f-id").value = entry.id || "";
  $("f-title").value = entry.title || "";
  $("f-type").value = entry.type || "faq";
  $("f-category").value = entry.category || "";
  $("f-tags").value = (entry.tags || []).join(", ");
  $("f-questions").value = (entry.questions || []).join("\n");
  $("f-body").value = entry.body || "";
}

function clearProblems() {
  for (const f of FIELDS) {
    $("m-" + f).textContent = "";
    $("f-" + f).removeAttribute("aria-invalid");
  }
}

function showProblem(field, message) {
  const f = FIELDS.includes(field) ? field : "body";
  const out = $("m-" + f);
  out.textContent = out.textContent ? out.textContent + " " + message : message;
  $("f-" + f).setAttribute("aria-invalid", "true");
}

function setEntryStatus(text, kind) {
  $("entri-status").className = kind || "";
  $("entri-status").textContent = text;
}

function showFile(entry) {
  $("entri-berkas").textContent = entry
    ? `Berkas ${entry.path} · versi ${entry.version.slice(0, 12)}` + (entry.updated ? ` · diperbarui ${entry.updated}` : "")
    : "Entri baru: disimpan sebagai <id>.md di folder korpus.";
}

function openForm(title) {
  $("entri-form").hidden = false;
  $("entri-form-judul").textContent = title;
  $("konflik").hidden = true;
  conflict = null;
  clearProblems();
  setEntryStatus("");
}

async function openEntry(id) {
  const { status, body } = await api("GET", "/v1/admin/entries/" + encodeURIComponent(id));
  if (status !== 200) {
    $("entri-daftar-status").className = "bad";
    $("entri-daftar-status").textContent = body.error ? body.error.message : "Entri tidak dapat dibuka.";
    return;
  }
  document.dispatchEvent(new CustomEvent("entry-form-reset"));
  openForm("Sunting entri: " + (body.title || body.id));
  editing = { id: body.id, version: body.version };
  fillForm(body);
  $("f-id").readOnly = true;
  showFile(body);
  preview();
  await loadHistory();
  $("f-title").focus();
}

// Opens an empty form, or one filled from `prefill` (a gap question or an agent's draft).
function newEntry(prefill) {
  openForm(prefill && prefill.heading ? prefill.heading : "Entri baru");
  editing = { id: null, version: null };
  fillForm({ type: "faq", ...(prefill && prefill.entry) });
  $("f-id").readOnly = false;
  showFile(null);
  $("riwayat").tBodies[0].replaceChildren();
  $("riwayat").hidden = true;
  $("riwayat-status").textContent = "Belum ada riwayat.";
  $("pratinjau-wa").textContent = "";
  $("f-id").focus();
}

function closeEntry() {
  $("entri-form").hidden = true;
  document.dispatchEvent(new CustomEvent("entry-form-reset"));
  editing = null;
  $("entri-cari").focus();
}

async function saveEntry() {
  if (!editing) return;
  clearProblems();
  $("konflik").hidden = true;
  const id = $("f-id").value.trim();
  if (!id) {
    showProblem("id", "Isi id entri.");
    $("f-id").focus();
    return;
  }
  const input = formInput();
  if (editing.version) input.version = editing.version;
  setEntryStatus("Menyimpan…");
  const { status, body } = await api("PUT", "/v1/admin/entries/" + encodeURIComponent(id), input);
  if (status === 200 || status === 201) {
    editing = { id: body.id, version: body.version };
    conflict = null;
    $("f-id").readOnly = true;
    showFile(body);
    $("entri-form-judul").textContent = "Sunting entri: " + body.title;
    setEntryStatus((status === 201 ? "Entri baru tersimpan" : "Tersimpan")
      + ". Tekan Publikasikan agar bot memakainya.", "ok");
    document.dispatchEvent(new CustomEvent("entry-saved", { detail: body }));
    await loadHistory();
    await findEntries();
  } else if (status === 409 && body.current) {
    conflict = body.current;
    $("konflik-anda").textContent = entryText({ id, ...input });
    $("konflik-server").textContent = body.current.entry
      ? entryText(body.current.entry) : "(entri sudah dipensiunkan di server)";
    $("konflik").hidden = false;
    setEntryStatus("Belum tersimpan: entri berubah sejak Anda membukanya. Bandingkan kedua versi.", "bad");
    $("konflik-muat").focus();
  } else if (status === 422 && body.problems) {
    for (const p of body.problems) showProblem(p.field, p.message);
    setEntryStatus("Belum tersimpan: perbaiki isian yang ditandai.", "bad");
    const first = FIELDS.find((f) => $("f-" + f).getAttribute("aria-invalid") === "true");
    if (first) $("f-" + first).focus();
  } else if (status === 400 && body.error && body.error.code === "invalid_id") {
    showProblem("id", body.error.message);
    setEntryStatus("Belum tersimpan: id tidak valid.", "bad");
    $("f-id").focus();
  } else {
    setEntryStatus("Gagal menyimpan: " + (body.error ? body.error.message : status), "bad");
  }
}

// An entry as the reviewer reads it in the conflict view.
function entryText(e) {
  return [
    "Judul: " + (e.title || ""),
    "Jenis: " + (e.type || ""),
    "Kategori: " + (e.category || "-"),
    "Tag: " + (e.tags || []).join(", "),
    "Frasa: " + (e.questions || []).join(" | "),
    "",
    (e.body || "").trim(),
  ].join("\n");
}

function useServerVersion() {
  if (!conflict || !conflict.entry) {
    editing.version = null;
    $("konflik").hidden = true;
    return;
  }
  fillForm(conflict.entry);
  editing.version = conflict.version;
  showFile(conflict.entry);
  $("konflik").hidden = true;
  conflict = null;
  setEntryStatus("Versi server dimuat.", "");
  preview();
}

async function retireEntry() {
  if (!editing || !editing.id || !editing.version) return;
  const button = $("entri-pensiun");
  if (button.dataset.confirm !== "1") {
    button.dataset.confirm = "1";
    button.textContent = "Yakin? Klik lagi untuk memensiunkan";
    return;
  }
  button.dataset.confirm = "";
  button.textContent = "Pensiunkan entri";
  const { status, body } = await api("DELETE", "/v1/admin/entries/" + encodeURIComponent(editing.id));
  if (status === 200) {
    editing.version = null;
    showFile(null);
    setEntryStatus("Entri dipensiunkan (berkasnya dihapus). Batalkan lewat riwayat bila keliru.", "ok");
    await loadHistory();
    await findEntries();
  } else {
    setEntryStatus("Gagal memensiunkan: " + (body.error ? body.error.message : status), "bad");
  }
}

function schedulePreview() {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(preview, 300);
}

async function preview() {
  try {
    const { status, body } = await api("POST", "/v1/admin/preview", formInput());
    $("pratinjau-wa").textContent = status === 200 ? body.whatsapp : "";
  } catch (e) { guard(e); }
}

async function loadHistory() {
  const id = editing && (editing.id || $("f-id").value.trim());
  if (!id) return;
  const { status, body } = await api("GET", "/v1/admin/changes?entry=" + encodeURIComponent(id));
  const rows = status === 200 ? body.changes : [];
  $("riwayat").tBodies[0].replaceChildren(...rows.map((c) => {
    const tr = document.createElement("tr");
    const cell = (text) => { const td = document.createElement("td"); td.textContent = text; return td; };
    let what = `#${c.id} ${ACTION[c.action] || c.action}`;
    if (c.undoes) what += ` (membatalkan #${c.undoes})`;
    if (c.undone_by) what += ` · dibatalkan oleh #${c.undone_by}`;
    const act = document.createElement("td");
    if (role === "admin" && UNDOABLE.has(c.action) && !c.undone_by) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "secondary undo";
      b.textContent = "Batalkan";
      b.setAttribute("aria-label", `Batalkan perubahan #${c.id}`);
      b.addEventListener("click", () => undo(c.id).catch(guard));
      act.append(b);
    }
    tr.append(cell(wib(c.at)), cell(c.who), cell(what), act);
    return tr;
  }));
  $("riwayat").hidden = rows.length === 0;
  $("riwayat-status").className = "";
  $("riwayat-status").textContent = rows.length ? "" : "Belum ada riwayat.";
}

async function undo(changeId) {
  const { status, body } = await api("POST", `/v1/admin/changes/${changeId}/undo`);
  const out = $("riwayat-status");
  if (status !== 200) {
    out.className = "bad";
    out.textContent = "Tidak dapat dibatalkan: " + (body.error ? body.error.message : status);
    return;
  }
  out.className = "ok";
  const id = editing.id;
  if (body.after === null) {
    editing.version = null;
    showFile(null);
    await loadHistory();
    out.textContent = `Perubahan #${changeId} dibatalkan: berkas entri dihapus.`;
  } else {
    await openEntry(id);
    $("riwayat-status").className = "ok";
    $("riwayat-status").textContent = `Perubahan #${changeId} dibatalkan.`;
  }
  await findEntries();
}

async function enter() {
  try {
    const status = await loadStatus();
    const me = await api("GET", "/v1/admin/whoami");
    role = me.body.role || "editor";
    $("masuk").hidden = true;
    $("panel").hidden = false;
    loadCategories();
    await findEntries();
    document.dispatchEvent(new CustomEvent("editor-ready"));
    if (status.last_job && status.last_job.state === "running") follow(status.last_job);
  } catch (e) { guard(e); }
}

document.addEventListener("DOMContentLoaded", () => {
  $("reindex").addEventListener("click", reindex);
  $("rollback").addEventListener("click", rollback);
  $("entri-cari-form").addEventListener("submit", (e) => { e.preventDefault(); findEntries().catch(guard); });
  $("entri-kategori").addEventListener("change", () => findEntries().catch(guard));
  $("entri-jenis").addEventListener("change", () => findEntries().catch(guard));
  $("entri-baru").addEventListener("click", () => {
    document.dispatchEvent(new CustomEvent("entry-form-reset"));
    newEntry();
  });
  $("entri-publikasi").addEventListener("click", reindex);
  $("entri-form").addEventListener("submit", (e) => { e.preventDefault(); saveEntry().catch(guard); });
  $("entri-form").addEventListener("input", schedulePreview);
  $("entri-pensiun").addEventListener("click", () => retireEntry().catch(guard));
  $("entri-tutup").addEventListener("click", closeEntry);
  $("konflik-muat").addEventListener("click", useServerVersion);
  $("konflik-timpa").addEventListener("click", () => {
    editing.version = conflict ? conflict.version : null;
    saveEntry().catch(guard);
  });
  startSession(enter);
});
