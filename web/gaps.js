// HAIPEDIA editors' page, from a gap to an answer: the unanswered groups, each answered in two
// clicks (add the question to an entry picked by search-as-you-type, or start a new FAQ and save
// it), the groups already handled with their entry, and the FAQ drafts agents proposed.
// Uses api, $, wib and guard from session.js, newEntry and openEntry from admin.js (loaded first).
"use strict";

// What the entry form answers when it was opened from a gap group or a draft, or null.
let source = null;

function cell(text, className) {
  const td = document.createElement("td");
  if (className) td.className = className;
  td.textContent = text;
  return td;
}

function button(text, label, onClick, secondary = true) {
  const b = document.createElement("button");
  b.type = "button";
  if (secondary) b.className = "secondary";
  b.textContent = text;
  if (label) b.setAttribute("aria-label", label);
  b.addEventListener("click", () => Promise.resolve(onClick(b)).catch(guard));
  return b;
}

function say(id, text, kind) {
  $(id).className = kind || "";
  $(id).textContent = text;
}

async function loadGaps() {
  const { body } = await api("GET", "/v1/admin/unanswered");
  const table = $("gap");
  table.tBodies[0].replaceChildren(...body.groups.map(gapRow));
  table.hidden = body.groups.length === 0;
  say("gap-status", body.groups.length ? "" : "Belum ada pertanyaan yang belum terjawab.");
  await loadHandled();
}

function gapRow(g) {
  const tr = document.createElement("tr");
  tr.dataset.group = String(g.id);
  const question = cell(g.question, "gap-question");
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
  if (g.entry) {
    const again = document.createElement("p");
    again.className = "meta";
    again.textContent = `Ditanyakan lagi setelah dijawab dengan entri ${g.entry}.`;
    question.append(again);
  }
  const actions = document.createElement("td");
  actions.className = "gap-actions";
  const picker = document.createElement("div");
  picker.className = "gap-picker";
  picker.hidden = true;
  actions.append(
    button("Tambahkan ke entri", `Tambahkan ke entri: "${g.question}" sebagai frasanya`,
      () => togglePicker(picker, g)),
    button("FAQ baru", `FAQ baru dari "${g.question}"`, () => startFaq(g)),
    picker,
  );
  tr.append(cell(String(g.count), "num"), question, cell(wib(g.last_asked)), actions);
  return tr;
}

// The entry picker of one group: search as you type, one click on an entry adds the phrasing.
function togglePicker(picker, g) {
  picker.hidden = !picker.hidden;
  if (picker.hidden) return;
  if (!picker.firstChild) {
    const id = `pilih-${g.id}`;
    const label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = "Cari entri";
    const input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    input.placeholder = "id atau judul entri";
    const list = document.createElement("ul");
    list.className = "gap-choices";
    const status = document.createElement("p");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    let timer = null;
    let seq = 0;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => choices(input.value, list, status, g, ++seq, () => seq).catch(guard), 200);
    });
    picker.append(label, input, list, status);
  }
  picker.querySelector("input").focus();
}

async function choices(q, list, status, g, mine, latest) {
  const params = new URLSearchParams({ limit: "8" });
  if (q.trim()) params.set("q", q.trim());
  const { status: code, body } = await api("GET", "/v1/admin/entries?" + params);
  if (mine !== latest()) return;
  if (code !== 200) {
    status.textContent = "Daftar entri gagal dimuat.";
    return;
  }
  const editable = body.entries.filter((e) => e.editable);
  status.textContent = editable.length ? "" : "Tidak ada entri yang cocok.";
  list.replaceChildren(...editable.map((e) => {
    const li = document.createElement("li");
    li.append(button(`${e.title || e.id} (${e.id})`, null, () => resolve(g, e.id, true), true));
    return li;
  }));
}

async function resolve(g, entry, addPhrasing) {
  const { status, body } = await api("POST", `/v1/admin/unanswered/${g.id}/resolve`,
    { entry, add_phrasing: addPhrasing });
  if (status !== 200) {
    say("gap-status", "Gagal: " + (body.error ? body.error.message : status), "bad");
    return false;
  }
  const how = body.changed ? `ditambahkan sebagai frasa entri ${entry}` : `dijawab dengan entri ${entry}`;
  await loadGaps();
  say("gap-status", `Pertanyaan "${g.question}" ${how}. Tekan Publikasikan agar bot memakainya.`, "ok");
  return true;
}

function startFaq(g) {
  newEntry({
    heading: "FAQ baru dari pertanyaan yang belum terjawab",
    entry: { title: g.question, questions: [g.question, ...g.examples] },
  });
  source = { kind: "gap", group: g };
  $("f-id").focus();
}

async function loadHandled() {
  const { body } = await api("GET", "/v1/admin/unanswered?handled=true&limit=50");
  const table = $("gap-selesai");
  table.tBodies[0].replaceChildren(...body.groups.map((g) => {
    const tr = document.createElement("tr");
    const entry = document.createElement("td");
    entry.append(button(g.entry, `Buka entri ${g.entry}`, () => openEntry(g.entry)));
    tr.append(cell(g.question), entry, cell(g.handled_by || ""), cell(wib(g.handled_at)));
    return tr;
  }));
  table.hidden = body.groups.length === 0;
  say("gap-selesai-status", body.groups.length ? "" : "Belum ada kelompok yang ditangani.");
}

// ---- drafts proposed by agents ---------------------------------------------------------------

async function loadDrafts() {
  const { status, body } = await api("GET", "/v1/admin/drafts");
  if (status !== 200) {
    say("usulan-status", "Usulan gagal dimuat: " + (body.error ? body.error.message : status), "bad");
    return;
  }
  $("usulan").replaceChildren(...body.drafts.map((d) => {
    const li = document.createElement("li");
    li.dataset.draft = String(d.id);
    const q = document.createElement("p");
    q.className = "draft-question";
    q.textContent = d.question;
    const a = document.createElement("pre");
    a.className = "draft-answer";
    a.tabIndex = 0;
    a.textContent = d.answer;
    const meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = `Diusulkan ${wib(d.proposed_at)}`;
    const actions = document.createElement("div");
    actions.className = "actions";
    actions.append(
      button("Buka sebagai FAQ baru", `Buka sebagai FAQ baru: usulan "${d.question}"`, () => startDraft(d), false),
      button("Tolak", `Tolak usulan "${d.question}"`, () => reject(d)),
    );
    li.append(q, a, meta, actions);
    return li;
  }));
  say("usulan-status", body.drafts.length ? `${body.drafts.length} usulan menunggu.` : "Tidak ada usulan yang menunggu.");
}

function startDraft(d) {
  newEntry({
    heading: "FAQ baru dari usulan agen",
    entry: { title: d.question, questions: [d.question], body: d.answer },
  });
  source = { kind: "draft", draft: d };
  $("f-id").focus();
}

async function reject(d) {
  const { status, body } = await api("DELETE", `/v1/admin/drafts/${d.id}`);
  await loadDrafts();
  if (status === 200) say("usulan-status", `Usulan "${d.question}" ditolak.`, "ok");
  else say("usulan-status", "Gagal menolak: " + (body.error ? body.error.message : status), "bad");
}

// A new FAQ written from a gap or a draft was saved: link them.
async function linkSaved(entry) {
  const from = source;
  source = null;
  if (!from) return;
  if (from.kind === "gap") {
    await resolve(from.group, entry.id, false);
  } else {
    const { status, body } = await api("POST", `/v1/admin/drafts/${from.draft.id}/publish`, { entry: entry.id });
    await loadDrafts();
    if (status === 200) say("usulan-status", `Usulan disimpan sebagai entri ${entry.id}. Tekan Publikasikan agar bot memakainya.`, "ok");
    else say("usulan-status", "Usulan belum ditandai: " + (body.error ? body.error.message : status), "bad");
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("gap-muat").addEventListener("click", () => loadGaps().catch(guard));
  $("usulan-muat").addEventListener("click", () => loadDrafts().catch(guard));
  document.addEventListener("editor-ready", () => Promise.all([loadGaps(), loadDrafts()]).catch(guard));
  document.addEventListener("entry-form-reset", () => { source = null; });
  document.addEventListener("entry-saved", (e) => linkSaved(e.detail).catch(guard));
});
