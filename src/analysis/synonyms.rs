//! Treasury acronyms and synonyms: each group maps its variants (acronym, long form, slang) to one
//! canonical token, so "surat perintah membayar" finds "SPM" and back.

use std::collections::HashMap;

/// Canonical token, then its variants as they are written (lowercase; multi-word allowed).
/// Multi-word variants keep their own words in the index and add the canonical token beside them;
/// single-word variants are replaced by the canonical token.
pub const GROUPS: &[(&str, &[&str])] = &[
    // documents and money flows
    ("sp2d", &["surat perintah pencairan dana"]),
    ("spm", &["surat perintah membayar"]),
    ("spp", &["surat permintaan pembayaran"]),
    ("spd", &["surat perjalanan dinas"]),
    ("dipa", &["daftar isian pelaksanaan anggaran"]),
    ("up", &["uang persediaan"]),
    ("tup", &["tambahan uang persediaan"]),
    ("gup", &["ganti uang persediaan"]),
    (
        "lpj",
        &["laporan pertanggungjawaban", "laporan pertanggung jawaban"],
    ),
    ("bast", &["berita acara serah terima"]),
    ("adk", &["arsip data komputer"]),
    ("rpd", &["rencana penarikan dana"]),
    ("pnbp", &["penerimaan negara bukan pajak"]),
    ("tkd", &["transfer ke daerah"]),
    ("npwp", &["nomor pokok wajib pajak"]),
    ("nik", &["nomor induk kependudukan"]),
    ("nip", &["nomor induk pegawai"]),
    ("sla", &["service level agreement"]),
    ("tte", &["tanda tangan elektronik"]),
    (
        "mfa",
        &[
            "multi factor authentication",
            "multi-factor authentication",
            "autentikasi multi faktor",
            "otentikasi multi faktor",
        ],
    ),
    ("otp", &["one time password", "kode otp"]),
    // organisations and roles
    (
        "djpb",
        &[
            "direktorat jenderal perbendaharaan",
            "ditjen perbendaharaan",
            "ditjen pb",
        ],
    ),
    (
        "djpk",
        &[
            "direktorat jenderal perimbangan keuangan",
            "ditjen perimbangan keuangan",
        ],
    ),
    ("djp", &["direktorat jenderal pajak", "ditjen pajak"]),
    ("kemenkeu", &["kementerian keuangan"]),
    ("kppn", &["kantor pelayanan perbendaharaan negara"]),
    ("kanwil", &["kantor wilayah"]),
    ("satker", &["satuan kerja"]),
    ("cso", &["customer service officer"]),
    ("ppk", &["pejabat pembuat komitmen"]),
    (
        "ppspm",
        &[
            "pejabat penanda tangan spm",
            "pejabat penandatangan spm",
            "pejabat penandatangan surat perintah membayar",
        ],
    ),
    ("kpa", &["kuasa pengguna anggaran"]),
    ("bpp", &["bendahara pengeluaran pembantu"]),
    ("blu", &["badan layanan umum"]),
    ("ppid", &["pejabat pengelola informasi dan dokumentasi"]),
    (
        "lhkpn",
        &[
            "laporan harta kekayaan penyelenggara negara",
            "laporan harta kekayaan pejabat negara",
        ],
    ),
    ("bpdp", &["badan pengelola dana perkebunan"]),
    ("pip", &["pusat investasi pemerintah"]),
    ("bpdlh", &["badan pengelola dana lingkungan hidup"]),
    // systems
    ("sakti", &["sistem aplikasi keuangan tingkat instansi"]),
    (
        "monsakti",
        &[
            "monitoring sakti",
            "mon sakti",
            "monitoring sistem aplikasi keuangan tingkat instansi",
        ],
    ),
    ("span", &["sistem perbendaharaan dan anggaran negara"]),
    ("omspan", &["online monitoring span", "om span", "om-span"]),
    ("mpn", &["modul penerimaan negara"]),
    ("sikp", &["sistem informasi kredit program"]),
    ("gpp", &["gaji pokok pegawai"]),
    (
        "tik",
        &["teknologi informasi dan komunikasi", "teknologi informasi"],
    ),
    ("haidjpb", &["hai djpb", "hai-djpb", "help answer improve"]),
    ("haicso", &["hai cso", "hai-cso"]),
    // everyday words and chat spellings
    (
        "password",
        &[
            "kata sandi",
            "katasandi",
            "sandi",
            "pw",
            "pwd",
            "pass",
            "passwd",
            "paswod",
            "pasword",
        ],
    ),
    (
        "whatsapp",
        &["wa", "whatsap", "whats app", "watsap", "wasap"],
    ),
    (
        "email",
        &["e-mail", "e mail", "surel", "surat elektronik", "imel"],
    ),
    (
        "reset",
        &[
            "resett",
            "mereset",
            "direset",
            "resetin",
            "diresetin",
            "ngereset",
            "ngeresetin",
        ],
    ),
    ("cek", &["check", "ngecek", "cekin", "dicekin", "ngecekin"]),
    ("login", &["log in", "masuk aplikasi", "signin", "sign in"]),
    ("tiket", &["ticket"]),
    (
        "callcenter",
        &[
            "call center",
            "contact center",
            "kontak center",
            "callcentre",
        ],
    ),
    ("medsos", &["media sosial", "sosmed", "social media"]),
    (
        "username",
        &[
            "user name",
            "user id",
            "userid",
            "id pengguna",
            "nama pengguna",
        ],
    ),
];

/// Informal chat spellings rewritten to their standard word before any other analysis.
pub const SLANG: &[(&str, &str)] = &[
    ("gmn", "bagaimana"),
    ("gimana", "bagaimana"),
    ("bgmn", "bagaimana"),
    ("gak", "tidak"),
    ("ga", "tidak"),
    ("gk", "tidak"),
    ("nggak", "tidak"),
    ("enggak", "tidak"),
    ("tdk", "tidak"),
    ("blm", "belum"),
    ("udh", "sudah"),
    ("udah", "sudah"),
    ("sdh", "sudah"),
    ("yg", "yang"),
    ("dgn", "dengan"),
    ("utk", "untuk"),
    ("untk", "untuk"),
    ("krn", "karena"),
    ("sy", "saya"),
    ("sya", "saya"),
    ("aq", "aku"),
    ("bs", "bisa"),
    ("bsa", "bisa"),
    ("dmn", "mana"),
    ("knp", "kenapa"),
    ("kpn", "kapan"),
    ("brp", "berapa"),
    ("lg", "lagi"),
    ("jg", "juga"),
    ("tp", "tapi"),
    ("trs", "terus"),
    ("sm", "sama"),
    ("bln", "bulan"),
    ("thn", "tahun"),
    ("tgl", "tanggal"),
    ("no", "nomor"),
    ("nmr", "nomor"),
    ("nomer", "nomor"),
    ("hp", "ponsel"),
    ("skrg", "sekarang"),
    ("skg", "sekarang"),
    ("pake", "pakai"),
    ("bikin", "buat"),
    ("nanya", "tanya"),
    ("kalo", "kalau"),
    ("klo", "kalau"),
    ("aja", "saja"),
    ("dr", "dari"),
    ("tlg", "tolong"),
    ("krm", "kirim"),
    ("ig", "instagram"),
    ("mksh", "terima kasih"),
    ("makasih", "terima kasih"),
];

/// Phrase matcher built from synonym groups ([`GROUPS`]): finds the longest variant starting at
/// each token.
pub struct SynonymTable {
    /// First word -> (variant words, canonical), longest variants first.
    by_first: HashMap<String, Vec<(Vec<String>, String)>>,
}

impl SynonymTable {
    /// Builds the matcher; variants are split with the same word splitter as documents.
    pub fn new(groups: &[(&str, &[&str])], split: impl Fn(&str) -> Vec<String>) -> SynonymTable {
        let mut by_first: HashMap<String, Vec<(Vec<String>, String)>> = HashMap::new();
        for (canonical, variants) in groups {
            for variant in variants.iter().chain(std::iter::once(canonical)) {
                let words = split(variant);
                if let Some(first) = words.first() {
                    by_first
                        .entry(first.clone())
                        .or_default()
                        .push((words, canonical.to_string()));
                }
            }
        }
        for list in by_first.values_mut() {
            list.sort_by_key(|(words, _)| std::cmp::Reverse(words.len()));
        }
        SynonymTable { by_first }
    }

    /// The longest variant starting at `words[at]`: (number of words it spans, canonical token).
    pub fn match_at(&self, words: &[&str], at: usize) -> Option<(usize, &str)> {
        let candidates = self.by_first.get(words[at])?;
        candidates.iter().find_map(|(variant, canonical)| {
            let end = at + variant.len();
            (end <= words.len() && variant.iter().zip(&words[at..end]).all(|(a, b)| a == b))
                .then_some((variant.len(), canonical.as_str()))
        })
    }
}
