//! The HAI-DJPb service catalogue version 2026.0: the 20 services entries belong to, their SLA, and
//! the service hours, as the catalogue states them.

/// The 20 services of the catalogue 2026.0.
pub const SERVICES: [&str; 20] = [
    "Layanan Konsultasi Dukungan Penyelenggaraan Fungsi DJPb",
    "Layanan Konsultasi Teknis Pelaksanaan Anggaran",
    "Layanan Konsultasi Teknis Pengelolaan Kas Negara",
    "Layanan Konsultasi Teknis Sistem Manajemen Investasi",
    "Layanan Konsultasi Teknis Pembinaan Pengelolaan Keuangan Badan Layanan Umum",
    "Layanan Konsultasi Teknis Akuntansi dan Pelaporan Keuangan",
    "Layanan Konsultasi Teknis Sistem Perbendaharaan",
    "TIK.1 Layanan Konsultasi TIK",
    "TIK.2 Layanan Pengelolaan User",
    "TIK.3 Layanan Sistem Informasi",
    "TIK.4 Layanan Data",
    "TIK.5 Layanan Infrastruktur, Jaringan dan Keamanan Informasi",
    "Layanan Broadcast",
    "Layanan Konsultasi Teknis Badan Pengelola Dana Perkebunan",
    "Layanan Konsultasi Teknis Pusat Investasi Pemerintah",
    "Layanan Konsultasi Teknis Badan Pengelola Dana Lingkungan Hidup",
    "Layanan Konsultasi Teknis KPPN Khusus Penerimaan",
    "Layanan Konsultasi Teknis KPPN Khusus Pinjaman dan Hibah",
    "Layanan Narasumber Bidang Perbendaharaan",
    "Layanan Pengaduan",
];

/// Categories for entries about HAI-DJPb itself rather than one service.
pub const GENERAL_CATEGORIES: [&str; 4] = [
    "Umum HAI-DJPb",
    "WhatsApp Bot HAI-DJPb",
    "Tiket HAI-DJPb",
    "HAI-CSO",
];

/// Whether `category` is one of the 20 catalogue services.
pub fn is_service(category: &str) -> bool {
    SERVICES.contains(&category)
}

/// SLA of a catalogue service in working hours: 16 since version 2026.0, Broadcast 8.
pub fn sla_working_hours(service: &str) -> u32 {
    if service == "Layanan Broadcast" {
        8
    } else {
        16
    }
}

/// Service hours notice, as the catalogue states them.
pub const SERVICE_HOURS: &str =
    "Layanan HAI-DJPb beroperasi pada hari kerja (Senin–Jumat) pukul 08.00–16.00 WIB. \
Permintaan yang diajukan di luar hari dan jam kerja akan dipenuhi pada hari kerja berikutnya.";

/// Whether `utc` falls outside Monday–Friday 08.00–16.00 WIB (UTC+7); public holidays are not known.
pub fn outside_service_hours(utc: time::OffsetDateTime) -> bool {
    let wib = utc.to_offset(time::macros::offset!(+7));
    let weekend = matches!(
        wib.weekday(),
        time::Weekday::Saturday | time::Weekday::Sunday
    );
    weekend || !(8..16).contains(&wib.hour())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn service_hours_are_in_wib() {
        // Monday 2026-11-23 01:00 UTC = 08:00 WIB
        assert!(!outside_service_hours(datetime!(2026-11-23 01:00 UTC)));
        assert!(outside_service_hours(datetime!(2026-11-23 09:00 UTC)));
        assert!(
            outside_service_hours(datetime!(2026-11-22 03:00 UTC)),
            "Sunday"
        );
        assert_eq!(sla_working_hours("Layanan Broadcast"), 8);
        assert_eq!(sla_working_hours("TIK.2 Layanan Pengelolaan User"), 16);
    }
}
