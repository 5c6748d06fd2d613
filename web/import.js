// HAIPEDIA editors' page, importing a document: send the file, show the entries the import would
// write, then send it again to write them. Uses $, TOKEN_KEY, Unauthorized and guard from
// session.js, findEntries from admin.js (loaded first).
"use strict";

const IMPORT_ACTION = {
  create: "baru", update: "diperbarui", unchanged: "tidak berubah", remove: "dihapus (bagian lama)",
};

// The document last shown, sent again by "Simpan entri".
let shown = null;

async function sendDocument(file, category, apply) {
  const params = new URLSearchParams({ name: file.name, apply: String(apply) });
  if (category) params.set("category", category);
  const token = sessionStorage.getItem(TOKEN_KEY) || "";
  const r = await fetch("/v1/admin/import?" + params, {
    method: "POST",
    headers: { Authorization: "Bearer " + token, "Content-Type": "application/octet-stream" },
    body: file,
  });
  const body = await r.json().catch(() => ({}));
  if (r.status === 401) throw new Unauthorized("Token salah atau kedaluwarsa.");
  return { status: r.status, body };
}

function importSay(text, kind) {
  $("impor-status").className = kind || "";
  $("impor-status").textContent = text;
}

function plannedEntry(e) {
  const li = document.createElement("li");
  const title = document.createElement("p");
  title.className = "draft-question";
  title.textContent = `${e.title} (${IMPORT_ACTION[e.action] || e.action})`;
  const meta = document.createElement("p");
  meta.className = "meta";
  meta.textContent = `${e.id} · ${e.path}`;
  li.append(title, meta);
  if (e.text) {
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = "Teks entri";
    const pre = document.createElement("pre");
    pre.className = "draft-answer";
    pre.tabIndex = 0;
    pre.textContent = e.text;
    details.append(summary, pre);
    li.append(details);
  }
  return li;
}

async function importDocument(apply) {
  const file = apply ? shown && shown.file : $("impor-berkas").files[0];
  if (!file) {
    importSay("Pilih dulu dokumennya.", "bad");
    $("impor-berkas").focus();
    return;
  }
  const category = apply ? shown.category : $("impor-kategori").value.trim();
  importSay(apply ? "Menyimpan entri…" : "Membaca dokumen…");
  let answer;
  try {
    answer = await sendDocument(file, category, apply);
  } catch (e) {
    if (e instanceof Unauthorized) throw e;
    importSay("Dokumen tidak terkirim: terlalu besar, atau server tidak dapat dihubungi.", "bad");
    return;
  }
  const { status, body } = answer;
  if (status !== 200) {
    $("impor-rencana").hidden = true;
    shown = null;
    importSay("Tidak dapat diimpor: " + (body.error ? body.error.message : status), "bad");
    return;
  }
  $("impor-entri").replaceChildren(...body.entries.map(plannedEntry));
  const changing = body.entries.filter((e) => e.action !== "unchanged").length;
  if (apply) {
    shown = null;
    $("impor-rencana").hidden = false;
    $("impor-simpan").hidden = true;
    importSay(`${changing} entri disimpan dari ${body.source_file}. Tekan Publikasikan agar bot memakainya.`, "ok");
    await findEntries();
    return;
  }
  shown = { file, category };
  $("impor-rencana").hidden = false;
  $("impor-simpan").hidden = changing === 0;
  importSay(changing === 0
    ? `${body.source_file} sudah diimpor dan tidak berubah: tidak ada yang perlu disimpan.`
    : `${body.source_file} (${body.format}) menjadi ${body.entries.length} entri. Periksa, lalu tekan Simpan entri.`);
}

document.addEventListener("DOMContentLoaded", () => {
  $("impor-form").addEventListener("submit", (e) => { e.preventDefault(); importDocument(false).catch(guard); });
  $("impor-simpan").addEventListener("click", () => importDocument(true).catch(guard));
  $("impor-berkas").addEventListener("change", () => {
    shown = null;
    $("impor-rencana").hidden = true;
    importSay("");
  });
});
