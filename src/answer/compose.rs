//! Message composition: WhatsApp-ready answers, clarifying choices, routing and escalation texts, and
//! the ticket prefill an escalation carries.

use serde::Serialize;
use utoipa::ToSchema;

use super::route::{Field, Route};
use crate::catalogue;
use crate::corpus::{Entry, EntryType};

/// WhatsApp's message limit in characters.
pub const WHATSAPP_LIMIT: usize = 4096;

/// Where the answer will be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Channel {
    /// WhatsApp: `*bold*`, `_italic_`, plain lists.
    #[default]
    WhatsApp,
    /// A web page or agent tool: Markdown as written.
    Web,
}

impl Channel {
    /// The channel names accepted (case-insensitive).
    pub const NAMES: [&'static str; 4] = ["whatsapp", "web", "portal", "agent"];

    /// Parses a channel name (none: WhatsApp); an unknown name is an error, not silently WhatsApp.
    pub fn parse(s: Option<&str>) -> Result<Channel, UnknownChannel> {
        Channel::name(s).map(Channel::of)
    }

    /// The channel a name of [`Channel::NAMES`] writes for: WhatsApp, or the web for the others.
    pub fn of(name: &str) -> Channel {
        match name {
            "whatsapp" => Channel::WhatsApp,
            _ => Channel::Web,
        }
    }

    /// The name of the channel `s` names, one of [`Channel::NAMES`] (none: whatsapp; "wa" is
    /// whatsapp): what questions are recorded and reported under.
    pub fn name(s: Option<&str>) -> Result<&'static str, UnknownChannel> {
        let given = s.map(|s| s.trim().to_ascii_lowercase());
        match given.as_deref() {
            None | Some("wa") => Ok("whatsapp"),
            Some(name) => Channel::NAMES
                .into_iter()
                .find(|n| *n == name)
                .ok_or_else(|| UnknownChannel(name.to_string())),
        }
    }
}

/// A channel name that is not one of [`Channel::NAMES`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown channel '{0}': use one of whatsapp, web, portal, agent")]
pub struct UnknownChannel(pub String);

/// Converts the Markdown of an entry to WhatsApp markup: `**b**` -> `*b*`, headings -> bold lines.
pub fn whatsapp_markup(markdown: &str) -> String {
    markdown
        .lines()
        .map(|line| {
            let t = line.trim_start();
            if t.starts_with('#') {
                format!("*{}*", t.trim_start_matches('#').trim())
            } else {
                line.replace("**", "*")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Cuts `text` to at most `max` characters at a paragraph (else line, else word) boundary.
pub fn fit(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let budget = max.saturating_sub(2);
    let cut: String = text.chars().take(budget).collect();
    let end = cut
        .rfind("\n\n")
        .or_else(|| cut.rfind('\n'))
        .or_else(|| cut.rfind(' '))
        .unwrap_or(cut.len());
    format!("{}\n…", cut[..end].trim_end())
}

/// The answer text for `entry`: its body (or, for a long article, the passage that matched).
pub fn answer_text(entry: &Entry, passage: Option<&str>, channel: Channel) -> String {
    let body = match (entry.kind, passage) {
        (EntryType::Article, Some(p)) if entry.body.chars().count() > 1500 => p,
        _ => entry.body.as_str(),
    };
    let title = entry.display_title();
    match channel {
        Channel::WhatsApp => {
            let footer = format!("\n\n_Sumber: HAIPEDIA – {title}_");
            let head = format!("*{title}*\n\n");
            let room = WHATSAPP_LIMIT - head.chars().count() - footer.chars().count();
            format!("{head}{}{footer}", fit(&whatsapp_markup(body), room))
        }
        Channel::Web => format!("## {title}\n\n{body}\n\nSumber: HAIPEDIA – {title}"),
    }
}

/// Text offering the suggested entries as choices.
pub fn clarify_text(titles: &[String]) -> String {
    let mut out = String::from("Apakah maksud Anda salah satu topik berikut?\n");
    for (i, t) in titles.iter().enumerate() {
        out.push_str(&format!("\n{}. {t}", i + 1));
    }
    out.push_str("\n\nPilih salah satu, atau tulis pertanyaan Anda dengan lebih rinci.");
    out
}

/// Text sending the user to a bot menu.
pub fn route_text(route: &Route) -> String {
    let mut out = format!(
        "Permintaan ini dilayani melalui Menu {} – {}. Ketik \"menu\" lalu angka {}.",
        route.number, route.name, route.number
    );
    if !route.needs.is_empty() {
        let names: Vec<&str> = route.needs.iter().map(|f| field_label(*f)).collect();
        out.push_str(&format!("\nSiapkan: {}.", names.join(", ")));
    }
    out
}

fn field_label(f: Field) -> &'static str {
    match f {
        Field::TicketId => "ID tiket HAI-DJPb",
        Field::Sp2dNumber => "nomor SP2D (15 digit)",
        Field::AccountNumber => "nomor rekening penerima SP2D",
        Field::SatkerCode => "kode satker (6 digit)",
        Field::ContractNumber => "nomor kontrak lengkap",
        Field::Nik => "NIK (16 digit) yang terdaftar",
        Field::Identity => "NIK/NIP/NRP",
    }
}

/// A ticket to HAI-DJPb, pre-filled for the user to confirm.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Escalation {
    /// Ticket subject.
    pub subject: String,
    /// Chronology: the user's question, personal data masked.
    pub chronology: String,
    /// Catalogue service the question most likely belongs to.
    pub service: Option<String>,
    /// SLA of that service in working hours.
    pub sla_working_hours: Option<u32>,
    /// Service hours notice.
    pub service_hours: &'static str,
    /// Whether the question arrived outside service hours.
    pub outside_service_hours: bool,
    /// What the user fills in the bot's ticket form.
    pub steps: &'static str,
}

/// The ticket form of the bot, as the WhatsApp bot guide describes it.
pub const TICKET_STEPS: &str =
    "Isi subjek pertanyaan, kronologi permasalahan, lampiran (jika ada) dan alamat \
e-mail yang aktif, lalu kirim tiket. Pastikan alamat e-mail ditulis dengan benar.";

/// Builds the ticket prefill from the masked question and the catalogue service the evidence
/// supports, if any.
pub fn escalation(
    masked_question: &str,
    service: Option<String>,
    now: time::OffsetDateTime,
) -> Escalation {
    let words: Vec<&str> = masked_question.split_whitespace().collect();
    let mut subject = words.iter().take(12).copied().collect::<Vec<_>>().join(" ");
    if words.len() > 12 {
        subject.push('…');
    }
    Escalation {
        subject,
        chronology: masked_question.trim().to_string(),
        sla_working_hours: service.as_deref().map(catalogue::sla_working_hours),
        service,
        service_hours: catalogue::SERVICE_HOURS,
        outside_service_hours: catalogue::outside_service_hours(now),
        steps: TICKET_STEPS,
    }
}

/// Text telling the user the question goes to a ticket.
pub fn escalate_text(e: &Escalation) -> String {
    let mut out = String::from(
        "Maaf, pertanyaan Anda belum dapat dijawab dari HAIPEDIA. Silakan buat tiket ke HAI-DJPb agar \
ditindaklanjuti oleh agen.\n\n",
    );
    out.push_str(e.steps);
    match (&e.service, e.sla_working_hours) {
        (Some(s), Some(h)) => out.push_str(&format!(
            "\n\nLayanan terkait: {s} (norma waktu {h} jam kerja)."
        )),
        _ => out.push_str(
            "\n\nLayanan terkait belum dapat ditentukan dari pertanyaan ini; agen HAI-DJPb akan \
menentukannya.",
        ),
    }
    out.push_str("\n\n");
    out.push_str(e.service_hours);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_whatsapp_markup() {
        assert_eq!(
            whatsapp_markup("## Syarat\n**NIK** dan kode"),
            "*Syarat*\n*NIK* dan kode"
        );
    }

    #[test]
    fn long_text_fits_the_limit_at_a_boundary() {
        let text = format!("{}\n\n{}", "a ".repeat(3000), "b ".repeat(3000));
        let out = fit(&text, WHATSAPP_LIMIT);
        assert!(out.chars().count() <= WHATSAPP_LIMIT);
        assert!(out.ends_with('…'));
    }

    #[test]
    fn escalation_names_the_service_and_its_sla_or_says_it_is_open() {
        let at = time::macros::datetime!(2026-11-23 02:00 UTC);
        let e = escalation(
            "tolong kirim broadcast ke semua kppn",
            Some("Layanan Broadcast".to_string()),
            at,
        );
        assert_eq!(e.sla_working_hours, Some(8));
        assert!(!e.outside_service_hours);
        assert!(escalate_text(&e).contains("8 jam kerja"));
        let e = escalation("resep nasi goreng", None, at);
        assert_eq!(e.sla_working_hours, None);
        assert!(escalate_text(&e).contains("belum dapat ditentukan"));
    }
}
