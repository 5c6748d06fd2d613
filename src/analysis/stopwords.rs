//! Indonesian function words dropped from BM25 (a short, curated list: Sastrawi's 800-word list also
//! drops domain words such as "kerja", "masuk", "lama" and "sendiri").

/// Words that carry no search meaning in HAI-DJPb questions.
pub const STOPWORDS: &[&str] = &[
    "ada", "adalah", "agar", "akan", "aku", "anda", "apa", "apabila", "apakah", "atas", "atau", "bagaimana",
    "bagi", "bahwa", "banget", "begitu", "beliau", "berikut", "boleh", "bpk", "bu", "cara", "caranya", "dalam",
    "dan", "dapat", "dari", "dengan", "di", "dia", "dong", "gan", "hal", "hanya", "harus", "ia", "ibu", "ingin", "ini",
    "itu", "jika", "juga", "kak", "kalau", "kami", "kamu", "karena", "ke", "kenapa", "kepada", "ketika", "kita",
    "lagi", "maka", "mana", "mau", "melalui", "mengapa", "menjadi", "min", "mohon", "nya", "oleh", "pada", "pak",
    "para", "perlu", "saat", "saja", "sama", "sang", "saya", "sebagai", "sebelum", "sedang", "sehingga", "sejak",
    "selamat", "serta", "setelah", "si", "siang", "sih", "sore", "suatu", "sudah", "supaya", "tapi", "telah",
    "tentang", "terhadap", "terima", "kasih", "terus", "tersebut", "the", "tolong", "untuk", "wah", "ya",
    "yaitu", "yakni", "yang", "pagi", "malam", "halo", "hai", "hallo", "permisi", "assalamualaikum", "of",
];
