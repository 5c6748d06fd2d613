// HAIPEDIA supervisors' dashboard: a period (WIB days) and channel, the summary, and per panel a chart
// (SVG drawn by the server, at desktop and phone size), its legend, its numbers as a table and a CSV
// download. The period and channel stay in the address, so a view can be shared or reloaded.
"use strict";

const CHANNELS = new Set(["", "whatsapp", "web", "portal", "agent"]);
const DAY_MS = 24 * 3600 * 1000;

// Today in WIB as YYYY-MM-DD.
function todayWib() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Jakarta" }).format(new Date());
}

// `day` (YYYY-MM-DD) moved by `n` days.
function addDays(day, n) {
  return new Date(Date.parse(day + "T00:00:00Z") + n * DAY_MS).toISOString().slice(0, 10);
}

function percent(v) {
  return v === null || v === undefined ? "–" : (v * 100).toLocaleString("id-ID", { maximumFractionDigits: 1 }) + "%";
}

function count(n) {
  return Number(n).toLocaleString("id-ID");
}

// Fills the dates from the period choice (1, 7 or 30 days ending today).
function applyPreset() {
  const choice = $("periode").value;
  if (choice === "custom") return;
  const to = todayWib();
  $("sampai").value = to;
  $("dari").value = addDays(to, 1 - Number(choice));
}

// The query of the current form, e.g. "from=2026-11-24&to=2026-11-30&channel=web".
function query() {
  const q = new URLSearchParams({ from: $("dari").value, to: $("sampai").value });
  if ($("kanal").value) q.set("channel", $("kanal").value);
  return q.toString();
}

// Reads the period and channel from the address, if it names them.
function fromAddress() {
  const q = new URLSearchParams(location.search);
  const from = q.get("from"), to = q.get("to"), channel = q.get("channel") || "";
  if (from && to) {
    $("periode").value = "custom";
    $("dari").value = from;
    $("sampai").value = to;
  } else {
    applyPreset();
  }
  if (CHANNELS.has(channel)) $("kanal").value = channel;
}

function tile(dl, term, value) {
  const div = document.createElement("div");
  const dt = document.createElement("dt");
  dt.textContent = term;
  const dd = document.createElement("dd");
  dd.textContent = value;
  div.append(dt, dd);
  dl.append(div);
}

function showSummary(stats) {
  const t = stats.totals;
  const dl = $("ringkasan");
  dl.replaceChildren();
  tile(dl, "Pertanyaan", count(t.decisions.questions));
  tile(dl, "Dijawab langsung", percent(t.share_answered));
  tile(dl, "Dieskalasi", percent(t.share_escalated));
  tile(dl, "Umpan balik membantu", percent(t.helpful_rate));
  const rated = t.feedback.ratings.reduce((a, b) => a + b, 0);
  const mean = rated ? t.feedback.ratings.reduce((a, n, i) => a + n * (i + 1), 0) / rated : null;
  tile(dl, "Rata-rata penilaian", mean === null ? "–" : mean.toLocaleString("id-ID", { maximumFractionDigits: 2 }) + " dari 5");
  tile(dl, "Generasi baru", String(stats.generations.length));
}

function svgImage(svg, className, alt) {
  const img = document.createElement("img");
  img.className = "chart " + className;
  img.alt = alt;
  img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
  return img;
}

function legend(items) {
  const ul = document.createElement("ul");
  ul.className = "legend";
  for (const item of items) {
    const li = document.createElement("li");
    const swatch = document.createElement("span");
    swatch.className = item.line ? "swatch line" : "swatch";
    swatch.setAttribute("aria-hidden", "true");
    swatch.style.backgroundColor = item.color; // CSSOM, allowed by the page's style-src 'self'
    li.append(swatch, document.createTextNode(item.label));
    ul.append(li);
  }
  return ul;
}

function table(view, title) {
  const wrap = document.createElement("div");
  wrap.className = "table-wrap";
  // a wide table scrolls by itself, by keyboard too
  wrap.tabIndex = 0;
  wrap.setAttribute("role", "region");
  wrap.setAttribute("aria-label", "Tabel: " + title);
  const t = document.createElement("table");
  t.id = "tabel-" + view.id;
  const caption = document.createElement("caption");
  caption.className = "visually-hidden";
  caption.textContent = title;
  const head = document.createElement("tr");
  view.columns.forEach((c, i) => {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = c;
    if (view.numeric[i]) th.className = "num";
    head.append(th);
  });
  const thead = document.createElement("thead");
  thead.append(head);
  const tbody = document.createElement("tbody");
  for (const row of view.rows) {
    const tr = document.createElement("tr");
    row.forEach((v, i) => {
      const td = document.createElement("td");
      td.textContent = v;
      if (view.numeric[i]) td.className = "num";
      tr.append(td);
    });
    tbody.append(tr);
  }
  t.append(caption, thead, tbody);
  wrap.append(t);
  return wrap;
}

function panel(p) {
  const section = document.createElement("section");
  section.className = "card chart-panel";
  section.id = "panel-" + p.id;
  const h2 = document.createElement("h2");
  h2.id = "judul-" + p.id;
  h2.textContent = p.title;
  section.setAttribute("aria-labelledby", h2.id);
  const about = document.createElement("p");
  about.className = "meta";
  about.textContent = p.description;
  section.append(h2, about);
  if (p.chart) {
    const figure = document.createElement("figure");
    const alt = p.title + ". " + p.description + " Angkanya ada di tabel di bawah.";
    figure.append(svgImage(p.chart.wide, "wide", alt), svgImage(p.chart.narrow, "narrow", alt));
    const caption = document.createElement("figcaption");
    caption.append(legend(p.chart.legend));
    figure.append(caption);
    section.append(figure);
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = "Tabel angka";
    details.append(summary, table(p.table, p.title));
    section.append(details);
  } else if (p.table.rows.length) {
    section.append(table(p.table, p.title));
  } else {
    const none = document.createElement("p");
    none.textContent = "Tidak ada pertanyaan yang belum terjawab di periode ini.";
    section.append(none);
  }
  const actions = document.createElement("div");
  actions.className = "actions";
  const csv = document.createElement("button");
  csv.type = "button";
  csv.className = "secondary csv";
  csv.dataset.table = p.id;
  csv.textContent = "Unduh CSV";
  csv.setAttribute("aria-label", "Unduh CSV: " + p.title);
  actions.append(csv);
  if (p.id === "gaps") {
    const link = document.createElement("a");
    link.href = "/admin#celah";
    link.textContent = "Daftar lengkap di halaman editor";
    actions.append(link);
  }
  const status = document.createElement("p");
  status.className = "csv-status";
  status.setAttribute("role", "status");
  section.append(actions, status);
  return section;
}

let loaded = ""; // the query shown, for the CSV downloads

async function load() {
  const status = $("periode-status");
  for (const id of ["dari", "sampai", "kanal"]) $(id).removeAttribute("aria-invalid");
  status.className = "";
  status.textContent = "Memuat…";
  const q = query();
  const { status: code, body } = await api("GET", "/v1/admin/dashboard?" + q);
  if (code !== 200) {
    const message = body.error ? body.error.message : String(code);
    const field = { "from": "dari", "to": "sampai", "channel": "kanal" }[message.split(":")[0]];
    if (field) $(field).setAttribute("aria-invalid", "true");
    status.className = "bad";
    status.textContent = "Tidak dapat ditampilkan: " + message;
    return;
  }
  loaded = q;
  history.replaceState(null, "", "?" + q);
  const s = body.stats;
  const channel = s.channel ? $("kanal").selectedOptions[0].textContent : "semua kanal";
  status.textContent = `${s.from} sampai ${s.to} (WIB), ${channel}: ${count(s.totals.decisions.questions)} pertanyaan `
    + `(dihitung dalam ${s.took_ms < 1 ? "kurang dari 1" : Math.round(s.took_ms)} ms).`;
  showSummary(s);
  $("panels").replaceChildren(...body.panels.map(panel));
}

async function downloadCsv(button) {
  const out = button.closest("section").querySelector(".csv-status");
  const r = await authorized(`/v1/admin/stats.csv?table=${encodeURIComponent(button.dataset.table)}&${loaded}`);
  if (!r.ok) {
    out.className = "csv-status bad";
    out.textContent = "Unduhan gagal (" + r.status + ").";
    return;
  }
  const blob = await r.blob();
  const named = /filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "");
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = named ? named[1] : button.dataset.table + ".csv";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60000);
  out.className = "csv-status ok";
  out.textContent = "CSV diunduh: " + a.download;
}

async function enter() {
  try {
    $("masuk").hidden = true;
    $("panel").hidden = false;
    await load();
  } catch (e) { guard(e); }
}

document.addEventListener("DOMContentLoaded", () => {
  fromAddress();
  $("periode").addEventListener("change", () => { applyPreset(); load().catch(guard); });
  for (const id of ["dari", "sampai"]) $(id).addEventListener("change", () => { $("periode").value = "custom"; });
  $("kanal").addEventListener("change", () => load().catch(guard));
  $("periode-form").addEventListener("submit", (e) => { e.preventDefault(); load().catch(guard); });
  $("panels").addEventListener("click", (e) => {
    const button = e.target.closest("button.csv");
    if (button) downloadCsv(button).catch(guard);
  });
  startSession(enter);
});
