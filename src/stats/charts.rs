//! The dashboard's charts, drawn on the server as SVG by plotters: no script or font file in the
//! page, text as SVG `<text>` (escaped by plotters), colours from the Okabe–Ito palette (told
//! apart with colour blindness). Each chart comes at two sizes, for a desktop column and for a
//! phone, so its labels stay readable; the legend is given as data for the page to show as text.

use plotters::chart::MeshStyle;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::tables::RATING_NAMES;
use super::{DayStats, DecisionCounts, Stats, TopicCount, WIB};

/// Drawing the chart failed (plotters' error, as text).
#[derive(Debug, thiserror::Error)]
#[error("chart {chart}: {message}")]
pub struct ChartError {
    /// The chart's id.
    pub chart: &'static str,
    /// What plotters said.
    pub message: String,
}

/// The size a chart is drawn at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// A desktop column (shown about 500-560 px wide).
    Wide,
    /// A phone (shown about 310 px wide at 375 px).
    Narrow,
}

impl Size {
    fn pixels(self) -> (u32, u32) {
        match self {
            Size::Wide => (560, 300),
            Size::Narrow => (320, 280),
        }
    }

    /// Font size as plotters takes it (SVG text is drawn at size / 1.24): about 13 and 12 px
    /// as shown.
    fn font(self) -> u32 {
        match self {
            Size::Wide => 17,
            Size::Narrow => 15,
        }
    }

    fn x_labels(self) -> usize {
        match self {
            Size::Wide => 8,
            Size::Narrow => 4,
        }
    }
}

/// One entry of a chart's legend.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LegendItem {
    /// What the colour stands for.
    pub label: &'static str,
    /// The colour, `#rrggbb`.
    pub color: String,
    /// Drawn as a line (else as a filled box).
    pub line: bool,
}

/// A chart at both sizes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChartView {
    /// The chart's id (as its table's).
    pub id: &'static str,
    /// Its legend.
    pub legend: Vec<LegendItem>,
    /// SVG for a desktop column.
    pub wide: String,
    /// SVG for a phone.
    pub narrow: String,
}

const ANSWERED: RGBColor = RGBColor(0x00, 0x9E, 0x73);
const CLARIFIED: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
const ROUTED: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
const ESCALATED: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
const GREY: RGBColor = RGBColor(0x59, 0x59, 0x59);
const GRID: RGBColor = RGBColor(0xE4, 0xE7, 0xEB);
const RATINGS: [RGBColor; 5] = [
    ESCALATED,
    CLARIFIED,
    RGBColor(0xA0, 0xA0, 0xA0),
    ROUTED,
    BLUE,
];

/// The chart of table `id`, if that table has one (the gap list has none).
pub fn chart(stats: &Stats, id: &'static str) -> Result<Option<ChartView>, ChartError> {
    let draw: fn(&Stats, Size, &Area) -> Result<(), String> = match id {
        "decisions" => decisions,
        "shares" => shares,
        "ratings" => ratings,
        "helpful" => helpful,
        "services" => |s, size, area| topics(&s.services, size, area),
        "categories" => |s, size, area| topics(&s.categories, size, area),
        "reliability" => reliability,
        "latency" => latency,
        _ => return Ok(None),
    };
    let render = |size: Size| {
        let mut svg = String::new();
        {
            let area = SVGBackend::with_string(&mut svg, size.pixels()).into_drawing_area();
            area.fill(&WHITE).map_err(text)?;
            draw(stats, size, &area)?;
            area.present().map_err(text)?;
        }
        Ok(svg)
    };
    let error = |message| ChartError { chart: id, message };
    Ok(Some(ChartView {
        id,
        legend: legend(id),
        wide: render(Size::Wide).map_err(error)?,
        narrow: render(Size::Narrow).map_err(error)?,
    }))
}

fn legend(id: &str) -> Vec<LegendItem> {
    let item = |label, color: RGBColor, line| LegendItem {
        label,
        color: format!("#{:02x}{:02x}{:02x}", color.0, color.1, color.2),
        line,
    };
    let decisions = || {
        vec![
            item("Dijawab", ANSWERED, false),
            item("Klarifikasi", CLARIFIED, false),
            item("Dialihkan ke menu", ROUTED, false),
            item("Dieskalasi", ESCALATED, false),
        ]
    };
    match id {
        "decisions" | "services" | "categories" => decisions(),
        "shares" => vec![
            item("Dijawab langsung", ANSWERED, true),
            item("Dieskalasi", ESCALATED, true),
            item("Generasi baru mulai dilayani (G…)", GREY, true),
        ],
        "ratings" => RATING_NAMES
            .iter()
            .zip(RATINGS)
            .map(|(name, c)| item(name, c, false))
            .collect(),
        "helpful" => vec![item("Tingkat membantu", BLUE, true)],
        "reliability" => vec![
            item("Tingkat membantu per rentang keyakinan", BLUE, true),
            item("Kalibrasi sempurna (membantu = keyakinan)", GREY, true),
            item("Jumlah jawaban langsung (sumbu kanan)", ROUTED, false),
        ],
        "latency" => vec![
            item("p50 (median)", BLUE, true),
            item("p99", PURPLE, true),
            item("Generasi baru mulai dilayani (G…)", GREY, true),
        ],
        _ => vec![],
    }
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DayChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn text(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// A chart builder on `area` with room for the x labels and `y_labels` pixels for the y labels.
fn builder<'a, 'b>(
    area: &'a Area<'b>,
    size: Size,
    y_labels: u32,
) -> ChartBuilder<'a, 'b, SVGBackend<'b>> {
    let mut b = ChartBuilder::on(area);
    b.margin(8)
        .margin_right(16)
        .x_label_area_size(size.font() * 3)
        .y_label_area_size(y_labels);
    b
}

/// The look every chart's grid and labels share.
fn styled<'m, 'a, 'b, X: Ranged, Y: Ranged, DB: DrawingBackend>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
    size: Size,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB> {
    mesh.max_light_lines(1)
        .light_line_style(GRID)
        .bold_line_style(GRID)
        .label_style(("sans-serif", size.font()))
        .axis_desc_style(("sans-serif", size.font()))
}

/// The stacked segments of `c` as (from, to, colour), answered first, empty decisions left out.
fn segments(c: &DecisionCounts) -> Vec<(f64, f64, RGBColor)> {
    let mut base = 0.0;
    [
        (c.answered, ANSWERED),
        (c.clarified, CLARIFIED),
        (c.routed, ROUTED),
        (c.escalated, ESCALATED),
    ]
    .into_iter()
    .filter_map(|(n, color)| {
        let from = base;
        base += n as f64;
        (n > 0).then_some((from, base, color))
    })
    .collect()
}

/// A chart over the days of the period (x: day index, days centred on integers).
fn day_chart<'a, 'b>(
    area: &'a Area<'b>,
    stats: &Stats,
    size: Size,
    y_max: f64,
    y_desc: &str,
    y_format: &dyn Fn(&f64) -> String,
) -> Result<DayChart<'a, 'b>, String> {
    let n = stats.days.len().max(1) as f64;
    let mut chart = builder(area, size, size.font() * 4)
        .build_cartesian_2d(-0.5..n - 0.5, 0.0..y_max)
        .map_err(text)?;
    let days = &stats.days;
    let label = |x: &f64| {
        let i = x.round();
        if (x - i).abs() > 1e-6 || i < 0.0 {
            return String::new();
        }
        days.get(i as usize)
            .map(|d| short_day(&d.day))
            .unwrap_or_default()
    };
    styled(&mut chart.configure_mesh(), size)
        .disable_x_mesh()
        .x_labels(size.x_labels().min(days.len().max(1)))
        .x_label_formatter(&label)
        .y_labels(5)
        .y_label_formatter(y_format)
        .x_desc("Tanggal (WIB)")
        .y_desc(y_desc)
        .draw()
        .map_err(text)?;
    Ok(chart)
}

/// `dd/mm` of a `YYYY-MM-DD` day.
fn short_day(day: &str) -> String {
    match (day.get(8..10), day.get(5..7)) {
        (Some(d), Some(m)) => format!("{d}/{m}"),
        _ => day.to_string(),
    }
}

fn count_label(v: &f64) -> String {
    if v.fract().abs() > 1e-9 {
        return String::new();
    }
    super::tables::thousands(*v as u64)
}

fn percent_label(v: &f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// A little headroom above the largest value, and never an empty axis.
fn headroom(max: f64) -> f64 {
    if max <= 0.0 {
        1.0
    } else {
        max * 1.1
    }
}

fn decisions(stats: &Stats, size: Size, area: &Area) -> Result<(), String> {
    let max = stats
        .days
        .iter()
        .map(|d| d.figures.decisions.questions)
        .max()
        .unwrap_or(0) as f64;
    let mut chart = day_chart(area, stats, size, headroom(max), "Pertanyaan", &count_label)?;
    let half = bar_half_width(stats.days.len());
    chart
        .draw_series(stats.days.iter().enumerate().flat_map(|(i, d)| {
            let x = i as f64;
            segments(&d.figures.decisions)
                .into_iter()
                .map(move |(from, to, color)| {
                    Rectangle::new([(x - half, from), (x + half, to)], color.filled())
                })
        }))
        .map_err(text)?;
    Ok(())
}

/// Half a bar's width in days: thin gaps between bars, none when they would vanish.
fn bar_half_width(days: usize) -> f64 {
    if days > 120 {
        0.5
    } else {
        0.4
    }
}

/// Draws `values` as a line with a dot per day (a day without a value breaks the line).
fn day_line(
    chart: &mut DayChart,
    values: &[Option<f64>],
    color: RGBColor,
    size: Size,
) -> Result<(), String> {
    let mut run: Vec<(f64, f64)> = Vec::new();
    let flush = |chart: &mut DayChart, run: &mut Vec<(f64, f64)>| -> Result<(), String> {
        if run.len() > 1 {
            chart
                .draw_series(LineSeries::new(run.clone(), color.stroke_width(2)))
                .map_err(text)?;
        }
        run.clear();
        Ok(())
    };
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => run.push((i as f64, *v)),
            None => flush(chart, &mut run)?,
        }
    }
    flush(chart, &mut run)?;
    // dots only where they can be told apart
    if values.len() <= 62 {
        let radius = if size == Size::Wide { 3 } else { 2 };
        chart
            .draw_series(
                values.iter().enumerate().filter_map(|(i, v)| {
                    v.map(|v| Circle::new((i as f64, v), radius, color.filled()))
                }),
            )
            .map_err(text)?;
    }
    Ok(())
}

/// Marks each generation switch of the period: a dashed vertical line at its WIB time, labelled
/// `G<n>` (a label close to the previous one goes a line lower).
fn generation_marks(
    chart: &mut DayChart,
    stats: &Stats,
    y_max: f64,
    size: Size,
) -> Result<(), String> {
    let close = stats.days.len() as f64 * if size == Size::Wide { 0.06 } else { 0.1 };
    let mut previous: Option<f64> = None;
    let mut row = 0.0;
    for g in &stats.generations {
        let Some(i) = stats.days.iter().position(|d| d.day == g.day) else {
            continue;
        };
        let x = i as f64 - 0.5 + day_fraction(&g.at);
        row = match previous {
            Some(p) if x - p < close => (row + 1.0) % 3.0,
            _ => 0.0,
        };
        previous = Some(x);
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x, 0.0), (x, y_max * 0.93)],
                4,
                3,
                GREY.stroke_width(2),
            ))
            .map_err(text)?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("G{}", g.generation),
                (x, y_max * (1.0 - 0.07 * row)),
                ("sans-serif", size.font()).into_font().color(&GREY),
            )))
            .map_err(text)?;
    }
    Ok(())
}

/// How far into its WIB day a stored UTC time is (0-1).
fn day_fraction(stored_utc: &str) -> f64 {
    let hm = |from: usize| {
        stored_utc
            .get(from..from + 2)
            .and_then(|s| s.parse::<i64>().ok())
    };
    match (hm(11), hm(14)) {
        (Some(h), Some(m)) => {
            let offset_hours = i64::from(WIB.whole_hours());
            (((h + offset_hours) % 24) * 60 + m) as f64 / (24.0 * 60.0)
        }
        _ => 0.5,
    }
}

fn shares(stats: &Stats, size: Size, area: &Area) -> Result<(), String> {
    let y_max = 1.08;
    let mut chart = day_chart(
        area,
        stats,
        size,
        y_max,
        "Bagian pertanyaan",
        &percent_label,
    )?;
    let answered: Vec<Option<f64>> = stats
        .days
        .iter()
        .map(|d| d.figures.share_answered)
        .collect();
    let escalated: Vec<Option<f64>> = stats
        .days
        .iter()
        .map(|d| d.figures.share_escalated)
        .collect();
    day_line(&mut chart, &answered, ANSWERED, size)?;
    day_line(&mut chart, &escalated, ESCALATED, size)?;
    generation_marks(&mut chart, stats, y_max, size)
}

fn helpful(stats: &Stats, size: Size, area: &Area) -> Result<(), String> {
    let mut chart = day_chart(
        area,
        stats,
        size,
        1.05,
        "Umpan balik membantu",
        &percent_label,
    )?;
    let rates: Vec<Option<f64>> = stats.days.iter().map(|d| d.figures.helpful_rate).collect();
    day_line(&mut chart, &rates, BLUE, size)
}

fn latency(stats: &Stats, size: Size, area: &Area) -> Result<(), String> {
    let p = |f: fn(&DayStats) -> Option<f64>| stats.days.iter().map(f).collect::<Vec<_>>();
    let p50 = p(|d| d.latency.map(|l| l.p50_ms));
    let p99 = p(|d| d.latency.map(|l| l.p99_ms));
    let max = p99.iter().flatten().fold(0.0f64, |a, b| a.max(*b));
    let y_max = headroom(max);
    let ms = |v: &f64| format!("{v:.0}");
    let mut chart = day_chart(area, stats, size, y_max, "Waktu jawab (ms)", &ms)?;
    day_line(&mut chart, &p50, BLUE, size)?;
    day_line(&mut chart, &p99, PURPLE, size)?;
    generation_marks(&mut chart, stats, y_max, size)
}

fn ratings(stats: &Stats, size: Size, area: &Area) -> Result<(), String> {
    let counts = stats.totals.feedback.ratings;
    let max = counts.iter().copied().max().unwrap_or(0) as f64;
    let mut chart = builder(area, size, size.font() * 4)
        .build_cartesian_2d(0.5..5.5, 0.0..headroom(max))
        .map_err(text)?;
    let level = |x: &f64| {
        if x.fract().abs() < 1e-9 && (1.0..=5.0).contains(x) {
            format!("{x:.0}")
        } else {
            String::new()
        }
    };
    styled(&mut chart.configure_mesh(), size)
        .disable_x_mesh()
        .x_labels(5)
        .x_label_formatter(&level)
        .y_labels(5)
        .y_label_formatter(&count_label)
        .x_desc(match size {
            Size::Wide => "Penilaian (1 = Sangat Tidak Puas … 5 = Sangat Puas)",
            Size::Narrow => "Penilaian (1 … 5)",
        })
        .y_desc("Jumlah")
        .draw()
        .map_err(text)?;
    chart
        .draw_series(
            counts
                .iter()
                .zip(RATINGS)
                .enumerate()
                .map(|(i, (n, color))| {
                    let x = i as f64 + 1.0;
                    Rectangle::new([(x - 0.35, 0.0), (x + 0.35, *n as f64)], color.filled())
                }),
        )
        .map_err(text)?;
    Ok(())
}

/// Horizontal stacked bars of the most asked services or categories (names shortened; the table
/// has them in full).
fn topics(topics: &[TopicCount], size: Size, area: &Area) -> Result<(), String> {
    let k = topics.len().max(1);
    let max = topics
        .iter()
        .map(|t| t.decisions.questions)
        .max()
        .unwrap_or(0) as f64;
    let (label_area, chars) = match size {
        Size::Wide => (200, 24),
        Size::Narrow => (112, 15),
    };
    let mut chart = builder(area, size, label_area)
        .build_cartesian_2d(0.0..headroom(max), -0.5..k as f64 - 0.5)
        .map_err(text)?;
    // the most asked at the top
    let name = |y: &f64| {
        let i = y.round();
        if (y - i).abs() > 1e-6 || i < 0.0 {
            return String::new();
        }
        let Some(t) = topics.get(k - 1 - i as usize) else {
            return String::new();
        };
        let name = if t.name.is_empty() {
            super::tables::NO_CATEGORY
        } else {
            &t.name
        };
        shorten(name, chars)
    };
    styled(&mut chart.configure_mesh(), size)
        .disable_y_mesh()
        .x_labels(size.x_labels())
        .x_label_formatter(&count_label)
        .y_labels(k)
        .y_label_formatter(&name)
        .x_desc("Pertanyaan")
        .draw()
        .map_err(text)?;
    chart
        .draw_series(topics.iter().enumerate().flat_map(|(i, t)| {
            let y = (k - 1 - i) as f64;
            segments(&t.decisions)
                .into_iter()
                .map(move |(from, to, color)| {
                    Rectangle::new([(from, y - 0.35), (to, y + 0.35)], color.filled())
                })
        }))
        .map_err(text)?;
    Ok(())
}

/// `name` cut to `chars` characters with an ellipsis.
fn shorten(name: &str, chars: usize) -> String {
    if name.chars().count() <= chars {
        return name.to_string();
    }
    let mut out: String = name.chars().take(chars.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The reliability picture: helpful rate of direct answers per confidence bin against the
/// diagonal of perfect calibration, with the number of answers per bin as bars behind.
fn reliability(stats: &Stats, size: Size, area: &Area) -> Result<(), String> {
    let font = size.font();
    let max = stats
        .reliability
        .iter()
        .map(|b| b.answers)
        .max()
        .unwrap_or(0) as f64;
    let mut chart = builder(area, size, font * 4)
        .margin_right(8)
        .right_y_label_area_size(font * 4)
        .build_cartesian_2d(0.0..1.0, 0.0..1.05)
        .map_err(text)?
        .set_secondary_coord(0.0..1.0, 0.0..headroom(max));
    styled(&mut chart.configure_mesh(), size)
        .x_labels(if size == Size::Wide { 11 } else { 6 })
        .x_label_formatter(&|v| super::tables::decimal(*v, 1))
        .y_labels(5)
        .y_label_formatter(&percent_label)
        .x_desc("Keyakinan jawaban langsung")
        .y_desc("Membantu")
        .draw()
        .map_err(text)?;
    chart
        .configure_secondary_axes()
        .y_labels(4)
        .y_label_formatter(&count_label)
        .label_style(("sans-serif", font))
        .draw()
        .map_err(text)?;
    chart
        .draw_secondary_series(stats.reliability.iter().filter(|b| b.answers > 0).map(|b| {
            Rectangle::new(
                [(b.from + 0.004, 0.0), (b.to - 0.004, b.answers as f64)],
                ROUTED.mix(0.45).filled(),
            )
        }))
        .map_err(text)?;
    chart
        .draw_series(DashedLineSeries::new(
            vec![(0.0, 0.0), (1.0, 1.0)],
            6,
            4,
            GREY.stroke_width(2),
        ))
        .map_err(text)?;
    let points: Vec<(f64, f64)> = stats
        .reliability
        .iter()
        .filter_map(|b| Some((b.mean_confidence?, b.helpful_rate?)))
        .collect();
    chart
        .draw_series(LineSeries::new(points.clone(), BLUE.stroke_width(2)))
        .map_err(text)?;
    chart
        .draw_series(points.into_iter().map(|p| Circle::new(p, 4, BLUE.filled())))
        .map_err(text)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switch_times_fall_in_their_wib_day() {
        // 17:00 UTC is midnight WIB; 05:00 UTC is noon
        assert_eq!(day_fraction("2026-01-01T17:00:00Z"), 0.0);
        assert_eq!(day_fraction("2026-01-01T05:00:00Z"), 0.5);
        assert_eq!(shorten("Layanan Konsultasi Teknis", 10), "Layanan K…");
        assert_eq!(short_day("2026-11-30"), "30/11");
    }
}
