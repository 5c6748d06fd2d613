// HAIPEDIA agent search: search as you type, filters, article view with a copyable WhatsApp answer.
"use strict";

const $ = (id) => document.getElementById(id);
const DEBOUNCE_MS = 250;
const TYPE_LABEL = { faq: "FAQ", article: "Artikel" };

let timer = null;
let sequence = 0;
let inflight = null;

function params() {
  return { q: $("q").value.trim(), category: $("kategori").value, type: $("jenis").value };
}

// NIK, phone numbers (long digit runs, spaces and dashes allowed) and e-mail addresses
const PERSONAL_DATA = /(\d[\s.-]?){10,}|[^\s@]+@[^\s@]+/;

function rememberInUrl(p) {
  const url = new URL(window.location.href);
  for (const [k, v] of Object.entries(p)) {
    // a query with personal data is not kept in the address (history, shared links)
    const keep = v && !(k === "q" && PERSONAL_DATA.test(v));
    if (keep) url.searchParams.set(k, v); else url.searchParams.delete(k);
  }
  history.replaceState(history.state, "", url);
}

function setStatus(text) { $("status").textContent = text; }

function clearResults() {
  $("hits").replaceChildren();
  $("kosong").hidden = true;
}

async function search() {
  clearTimeout(timer);
  const p = params();
  rememberInUrl(p);
  if (p.q.length < 2) {
    clearResults();
    setStatus(p.q.length ? "Ketik minimal 2 huruf." : "");
    return;
  }
  const mine = ++sequence;
  if (inflight) inflight.abort();
  inflight = new AbortController();
  const query = new URLSearchParams({ q: p.q, limit: "20" });
  if (p.category) query.set("category", p.category);
  if (p.type) query.set("type", p.type);
  setStatus("Mencari…");
  try {
    const r = await fetch("/v1/search?" + query, { signal: inflight.signal });
    const body = await r.json();
    if (mine !== sequence) return;
    if (!r.ok) {
      clearResults();
      setStatus("Pencarian gagal: " + (body.error && body.error.message || r.status));
      return;
    }
    render(body);
  } catch (e) {
    if (e.name !== "AbortError" && mine === sequence) setStatus("Server tidak dapat dihubungi.");
  }
}

function render(body) {
  const list = $("hits");
  list.replaceChildren(...body.hits.map(hitItem));
  markOpen(openId());
  // No hit, or hits the bot would not answer from: say so and point to escalation.
  $("kosong").hidden = !body.escalate;
  $("draf-hasil").hidden = true;
  $("draf-status").textContent = "";
  const weak = body.hits.length > 0;
  $("kosong-judul").textContent = weak ? "Tidak ada artikel yang cukup cocok" : "Tidak ada artikel yang cocok";
  $("kosong-teks").textContent = (weak
    ? "Hasil di bawah kemungkinan tidak menjawab pertanyaan ini (keyakinan rendah; bot akan mengeskalasikannya). "
      + "Jika tidak ada yang sesuai, jangan menebak: "
    : "HAIPEDIA belum memuat jawaban untuk pertanyaan ini. Jangan menebak: ")
    + "rekam pertanyaan sebagai tiket dan eskalasikan kepada Agen Layer 2 pada direktorat terkait.";
  list.classList.toggle("weak", body.escalate);
  const sure = `keyakinan ${Math.round(body.confidence * 100)}%`;
  setStatus(body.hits.length
    ? `${body.hits.length} hasil, ${sure} (${Math.round(body.took_ms)} ms)`
    : "Tidak ada hasil.");
}

function hitItem(hit) {
  const li = document.createElement("li");
  li.className = "hit";
  const a = document.createElement("a");
  a.href = "#artikel/" + encodeURIComponent(hit.id);
  a.className = "hit-title";
  a.textContent = hit.title;
  const meta = document.createElement("p");
  meta.className = "meta";
  meta.textContent = [hit.category || "Tanpa kategori", TYPE_LABEL[hit.type] || hit.type].join(" · ");
  const snippet = document.createElement("p");
  snippet.className = "snippet";
  // snippet_html is escaped by the server; only <mark> is markup.
  snippet.innerHTML = hit.snippet_html;
  li.append(a, meta, snippet);
  return li;
}

async function loadFacets() {
  try {
    const r = await fetch("/v1/facets");
    if (!r.ok) return;
    const body = await r.json();
    const select = $("kategori");
    const wanted = new URL(window.location.href).searchParams.get("category") || "";
    for (const c of body.categories) {
      const o = new Option(`${c.name} (${c.count})`, c.name);
      select.add(o);
    }
    select.value = wanted;
  } catch (_) { /* the filter stays at "Semua kategori" */ }
}

// ---- article view ----------------------------------------------------------------------------

function inline(parent, text) {
  // **bold** and *bold* become <strong>; everything else stays text.
  const parts = text.split(/(\*\*[^*]+\*\*|\*[^*\s][^*]*\*)/);
  for (const part of parts) {
    if (!part) continue;
    const m = part.match(/^\*\*?([^*]+)\*\*?$/);
    if (m && part.length > 2) {
      const b = document.createElement("strong");
      b.textContent = m[1];
      parent.append(b);
    } else {
      parent.append(part);
    }
  }
}

function renderMarkdown(container, markdown) {
  container.replaceChildren();
  let list = null;
  let para = null;
  const flush = () => { list = null; para = null; };
  for (const raw of markdown.split("\n")) {
    const line = raw.trimEnd();
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    const bullet = line.match(/^\s*(?:[-*]|\d+[.)])\s+(.*)$/);
    if (!line.trim()) { flush(); continue; }
    if (heading) {
      flush();
      const h = document.createElement("h" + Math.min(6, heading[1].length + 2));
      inline(h, heading[2]);
      container.append(h);
    } else if (bullet) {
      para = null;
      if (!list) {
        list = document.createElement(/^\s*\d/.test(line) ? "ol" : "ul");
        container.append(list);
      }
      const li = document.createElement("li");
      inline(li, bullet[1]);
      list.append(li);
    } else if (para) {
      para.append(" ");
      inline(para, line.trim());
    } else {
      list = null;
      para = document.createElement("p");
      inline(para, line.trim());
      container.append(para);
    }
  }
}

function markOpen(id) {
  for (const a of document.querySelectorAll(".hit-title")) {
    const open = id !== null && a.getAttribute("href") === "#artikel/" + encodeURIComponent(id);
    a.closest(".hit").classList.toggle("open", open);
    if (open) a.setAttribute("aria-current", "true"); else a.removeAttribute("aria-current");
  }
}

async function openArticle(id) {
  document.body.classList.add("reading");
  markOpen(id);
  const view = $("artikel");
  view.hidden = false;
  $("salin-status").textContent = "";
  $("artikel-judul").textContent = "Memuat…";
  try {
    const r = await fetch("/v1/articles/" + encodeURIComponent(id));
    const a = await r.json();
    if (!r.ok) {
      $("artikel-judul").textContent = "Artikel tidak ditemukan";
      $("artikel-meta").textContent = a.error ? a.error.message : "";
      $("artikel-isi").replaceChildren();
      $("wa").value = "";
      return;
    }
    $("artikel-judul").textContent = a.title;
    const meta = [a.category || "Tanpa kategori", TYPE_LABEL[a.type] || a.type];
    if (a.updated) meta.push("diperbarui " + a.updated);
    meta.push("id " + a.id);
    $("artikel-meta").textContent = meta.join(" · ");
    renderMarkdown($("artikel-isi"), a.body);
    $("wa").value = a.whatsapp;
    const questions = $("artikel-pertanyaan");
    questions.hidden = a.questions.length === 0;
    questions.querySelector("ul").replaceChildren(...a.questions.map((q) => {
      const li = document.createElement("li");
      li.textContent = q;
      return li;
    }));
  } catch (_) {
    $("artikel-judul").textContent = "Server tidak dapat dihubungi.";
  }
  $("artikel-judul").focus();
}

function closeArticle() {
  document.body.classList.remove("reading");
  markOpen(null);
  $("artikel").hidden = true;
}

function openId() {
  const m = window.location.hash.match(/^#artikel\/(.+)$/);
  return m ? decodeURIComponent(m[1]) : null;
}

function fromHash() {
  const id = openId();
  if (id !== null) openArticle(id);
  else closeArticle();
}

function back(event) {
  if (event) event.preventDefault();
  const id = openId();
  history.pushState(null, "", window.location.pathname + window.location.search);
  closeArticle();
  const link = document.querySelector(`.hit-title[href="#artikel/${CSS.escape(encodeURIComponent(id))}"]`);
  (link || $("q")).focus();
}

// ---- ticket draft for a question HAIPEDIA cannot answer ---------------------------------------

function ticketText(e) {
  const lines = [`Subjek: ${e.subject}`, `Kronologi: ${e.chronology}`];
  // the service is only guessed when the evidence supports it; otherwise the agent picks it
  lines.push(e.service
    ? `Perkiraan layanan: ${e.service} (norma waktu ${e.sla_working_hours} jam kerja)`
    : "Perkiraan layanan: belum dapat ditentukan (pilih layanan saat membuat tiket)");
  lines.push("", e.steps, "", e.service_hours);
  if (e.outside_service_hours) lines.push("Pertanyaan ini masuk di luar jam layanan.");
  return lines.join("\n");
}

// Why the bot decided as it did, from the answer's `decided_by` (see the README's decision rules).
function reasonText(a) {
  const d = a.decided_by || {};
  if (d.signal === "route" && a.route) {
    const s = a.route.signal || {};
    const why = {
      examples: () => `; model menu ${Math.round(s.probability * 100)}%, contoh terdekat "${s.example}"`,
      selection: () => "; dipilih dengan nomor menu",
      identifier: () => "; dari ID atau nomor dalam pesan",
    }[s.by];
    return ` (Menu ${a.route.number} – ${a.route.name}${why ? why() : ""})`;
  }
  if (d.signal === "detail_not_stated") return ` (entri teratas tidak menyebut "${d.gap.asked}" yang ditanyakan)`;
  if (d.signal === "confidence") return ` (keyakinan ${Math.round(a.confidence * 100)}%)`;
  return "";
}

// Asks the answer API as the agent channel: the question is recorded for the editors' gap list
// and comes back with the ticket prefill (subject, masked chronology, likely service and its SLA).
async function draftTicket() {
  const question = $("q").value.trim();
  const status = $("draf-status");
  if (!question) return;
  status.textContent = "Menyiapkan draf…";
  try {
    const r = await fetch("/v1/answer", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question, channel: "web" }),
    });
    const a = await r.json();
    if (!r.ok) { status.textContent = "Gagal: " + (a.error ? a.error.message : r.status); return; }
    if (!a.escalation) {
      const label = { answer: "menjawab", clarify: "menawarkan pilihan", route: "mengarahkan ke menu" };
      status.textContent = `Bot akan ${label[a.decision] || a.decision} untuk pertanyaan ini${reasonText(a)}; periksa hasil di bawah.`;
      $("draf-hasil").hidden = true;
      return;
    }
    $("draf-teks").value = ticketText(a.escalation);
    proposal = { question, request_id: a.request_id };
    $("usul-status").textContent = "";
    $("draf-hasil").hidden = false;
    status.textContent = "Draf tiket siap.";
  } catch (_) {
    status.textContent = "Server tidak dapat dihubungi.";
  }
}

// The escalated question a FAQ proposal is about (set when its ticket draft is made).
let proposal = null;

// Sends the agent's answer to an escalated question to the editors as a FAQ draft.
async function propose() {
  const answer = $("usul-jawaban").value.trim();
  const status = $("usul-status");
  if (!proposal) return;
  if (!answer) {
    status.textContent = "Tulis dulu jawaban yang Anda berikan.";
    $("usul-jawaban").focus();
    return;
  }
  try {
    const r = await fetch("/v1/drafts", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...proposal, answer }),
    });
    const d = await r.json();
    if (!r.ok) { status.textContent = "Gagal: " + (d.error ? d.error.message : r.status); return; }
    status.textContent = `Usulan #${d.id} terkirim ke editor. Terima kasih.`;
    $("usul-jawaban").value = "";
  } catch (_) {
    status.textContent = "Server tidak dapat dihubungi.";
  }
}

async function copyFrom(textarea, status, done) {
  try {
    await navigator.clipboard.writeText(textarea.value);
    status.textContent = done;
  } catch (_) {
    textarea.select();
    status.textContent = document.execCommand("copy") ? done : "Gagal menyalin: pilih teks lalu tekan Ctrl+C.";
  }
}

// ---- wiring ----------------------------------------------------------------------------------

document.addEventListener("DOMContentLoaded", () => {
  const url = new URL(window.location.href);
  $("q").value = url.searchParams.get("q") || "";
  $("jenis").value = url.searchParams.get("type") || "";
  $("q").addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, DEBOUNCE_MS);
  });
  $("cari").addEventListener("submit", (e) => { e.preventDefault(); search(); });
  $("kategori").addEventListener("change", search);
  $("jenis").addEventListener("change", search);
  $("kembali").addEventListener("click", back);
  $("salin").addEventListener("click", () => copyFrom($("wa"), $("salin-status"), "Jawaban tersalin."));
  $("draf").addEventListener("click", draftTicket);
  $("usul").addEventListener("submit", (e) => { e.preventDefault(); propose(); });
  $("draf-salin").addEventListener("click", () => copyFrom($("draf-teks"), $("draf-status"), "Draf tiket tersalin."));
  window.addEventListener("hashchange", fromHash);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !$("artikel").hidden) back(e);
    const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName);
    if (e.key === "/" && !typing) { e.preventDefault(); $("q").focus(); }
  });
  loadFacets().then(() => { if ($("q").value.trim()) search(); });
  fromHash();
  if (!window.location.hash) $("q").focus();
});
