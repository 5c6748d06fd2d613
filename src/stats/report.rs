//! The dashboard as panels: each a title, what it shows, its chart (if any) and its table.

use serde::Serialize;
use utoipa::ToSchema;

use super::charts::{chart, ChartError, ChartView};
use super::tables::{table, TableView, TABLES};
use super::Stats;

/// One panel of the dashboard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Panel {
    /// Its id (its table's, for `stats.csv?table=`).
    pub id: &'static str,
    /// Heading.
    pub title: &'static str,
    /// What it shows, in a sentence (also the chart's text alternative).
    pub description: &'static str,
    /// The chart (none for the gap list).
    pub chart: Option<ChartView>,
    /// The numbers behind it.
    pub table: TableView,
}

/// Title and description of the panel `id`.
fn words(id: &str) -> (&'static str, &'static str) {
    match id {
        "decisions" => (
            "Pertanyaan per hari menurut keputusan",
            "Batang bertumpuk: jumlah pertanyaan per hari (WIB), dibagi menjadi dijawab, klarifikasi, dialihkan ke menu dan dieskalasi.",
        ),
        "shares" => (
            "Dijawab langsung dan dieskalasi",
            "Garis: bagian pertanyaan yang dijawab langsung dan yang dieskalasi per hari; garis putus-putus G… menandai saat generasi indeks baru mulai dilayani.",
        ),
        "ratings" => (
            "Sebaran penilaian pengguna",
            "Batang: berapa kali tiap penilaian (1 Sangat Tidak Puas sampai 5 Sangat Puas) diberikan dalam periode.",
        ),
        "helpful" => (
            "Tingkat membantu per hari",
            "Garis: bagian umpan balik per hari yang menjawab Iya (membantu); tabel memuat juga penilaian per hari.",
        ),
        "services" => (
            "Layanan katalog yang paling banyak ditanyakan",
            "Batang bertumpuk: pertanyaan per layanan katalog HAI-DJPb (dari entri teratas atau draf tiket), menurut keputusan.",
        ),
        "categories" => (
            "Kategori yang paling banyak ditanyakan",
            "Batang bertumpuk: pertanyaan per kategori entri teratas (layanan katalog atau topik umum), menurut keputusan.",
        ),
        "gaps" => (
            "Kelompok pertanyaan yang belum terjawab",
            "Kelompok pertanyaan yang dieskalasi atau dinilai buruk, paling sering di periode ini lebih dulu (data pribadi disamarkan).",
        ),
        "reliability" => (
            "Keyakinan jawaban langsung dan umpan balik",
            "Gambar keandalan: tingkat membantu jawaban langsung per rentang keyakinan, dibandingkan garis kalibrasi sempurna; batang menunjukkan jumlah jawaban per rentang.",
        ),
        "latency" => (
            "Waktu jawab per hari",
            "Garis: p50 (median) dan p99 waktu jawab server per hari dalam milidetik; garis putus-putus G… menandai generasi baru.",
        ),
        _ => ("", ""),
    }
}

/// Every panel of `stats`, in the dashboard's order.
pub fn panels(stats: &Stats) -> Result<Vec<Panel>, ChartError> {
    TABLES
        .iter()
        .filter_map(|id| Some((*id, table(stats, id)?)))
        .map(|(id, t)| {
            let (title, description) = words(id);
            Ok(Panel {
                id,
                title,
                description,
                chart: chart(stats, id)?,
                table: t.view(),
            })
        })
        .collect()
}
