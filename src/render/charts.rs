//! Charts as inline SVG, made at build time: readable without JavaScript,
//! coloured by the theme's CSS (classes, no inline colours, so light and
//! dark both work), accessible (a `<title>` and a `<desc>` stating the
//! data; pages also carry a data table), and crisp at any size (a
//! `viewBox`, no pixels).

use std::fmt::Write as _;

use super::highlight::escape_html;
use crate::index::stats::{Count, Month};

const SEVERITY_CLASSES: [&str; 5] = ["sev1", "sev2", "sev3", "sev4", "unrated"];
const SEVERITY_LABELS: [&str; 5] = ["SEV1", "SEV2", "SEV3", "SEV4", "unrated"];

fn open(out: &mut String, id: &str, width: u32, height: u32, title: &str, desc: &str) {
    let _ = write!(
        out,
        "<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape_html(title),
        escape_html(desc)
    );
}

/// A coordinate written with one decimal (`71.3`), through integers:
/// `{:.1}` formats a float exactly, which takes microseconds a number and
/// every incident page has a chart. The value times ten is rounded, halves
/// to even as `{:.1}` rounds exact halves; the two can differ in the last
/// digit only for a value just below a half that times ten rounds up to
/// it (none among the 10,000 synthetic incidents' charts).
struct Tenths(f64);

impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round_ties_even() as i64;
        let sign = if tenths < 0 { "-" } else { "" };
        let tenths = tenths.unsigned_abs();
        write!(f, "{sign}{}.{}", tenths / 10, tenths % 10)
    }
}

/// A "nice" axis maximum at or above `value`: 1, 2, 5 or 10 times a power
/// of ten.
fn nice_max(value: usize) -> usize {
    let value = value.max(1);
    let mut step = 1;
    loop {
        for factor in [1, 2, 5] {
            if step * factor >= value {
                return step * factor;
            }
        }
        step *= 10;
    }
}

/// Incidents per month as bars stacked by severity (SEV1 at the bottom).
pub fn month_bars(id: &str, months: &[Month]) -> String {
    let (width, height, left, bottom, top) = (760u32, 240u32, 40.0, 28.0, 12.0);
    let plot_w = width as f64 - left - 8.0;
    let plot_h = height as f64 - bottom - top;
    let max = nice_max(months.iter().map(|m| m.total).max().unwrap_or(0));
    let total: usize = months.iter().map(|m| m.total).sum();
    let busiest = months.iter().max_by_key(|m| m.total);
    let desc = match (months.first(), months.last(), busiest) {
        (Some(first), Some(last), Some(busiest)) => format!(
            "{total} dated incidents from {} to {}; the busiest month was {} with {}.",
            first.month, last.month, busiest.month, busiest.total
        ),
        _ => "No dated incidents.".to_string(),
    };
    let mut out = String::new();
    open(
        &mut out,
        id,
        width,
        height,
        "Incidents per month, by severity",
        &desc,
    );
    // Grid and y axis labels.
    let steps = if max >= 2 { 2 } else { 1 };
    for step in 0..=steps {
        let value = max * step / steps;
        let y = top + plot_h - plot_h * value as f64 / max as f64;
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/><text class=\"axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{value}</text>",
            width as f64 - 8.0,
            left - 6.0,
            y + 4.0
        );
    }
    let n = months.len().max(1) as f64;
    let slot = plot_w / n;
    let bar = (slot * 0.8).max(0.5);
    // Label every month when few, else every January (or every 12th).
    let label_every = if months.len() <= 14 {
        1
    } else if months.len() <= 40 {
        3
    } else {
        12
    };
    for (i, month) in months.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let mut y = top + plot_h;
        for (slot_index, &count) in month.by_severity.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let h = plot_h * count as f64 / max as f64;
            y -= h;
            let _ = write!(
                out,
                "<rect class=\"bar-{}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{bar:.1}\" height=\"{h:.1}\"><title>{}: {count} {}</title></rect>",
                SEVERITY_CLASSES[slot_index], month.month, SEVERITY_LABELS[slot_index]
            );
        }
        let show = if label_every == 12 {
            month.month.ends_with("-01")
        } else {
            i % label_every == 0
        };
        if show {
            let label = if label_every == 12 {
                &month.month[..4]
            } else {
                &month.month[..]
            };
            let _ = write!(
                out,
                "<text class=\"axis\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{label}</text>",
                x + bar / 2.0,
                height as f64 - 8.0
            );
        }
    }
    let _ = write!(
        out,
        "<line class=\"axis-line\" x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\"/></svg>",
        width as f64 - 8.0,
        top + plot_h,
        top + plot_h
    );
    out
}

/// Horizontal bars, one row per count, labelled, with the count at the
/// end. `class` colours the bars (`bar-accent`, or per-row severity when
/// `by_severity`).
pub fn count_bars(id: &str, title: &str, rows: &[Count], by_severity: bool) -> String {
    let (width, row_h, label_w) = (760u32, 26.0, 200.0);
    let height = (rows.len().max(1) as f64 * row_h + 8.0).ceil() as u32;
    let max = rows.iter().map(|r| r.count).max().unwrap_or(0).max(1);
    let plot_w = width as f64 - label_w - 60.0;
    let desc = rows
        .iter()
        .map(|r| format!("{}: {}", r.label, r.count))
        .collect::<Vec<_>>()
        .join("; ");
    let mut out = String::new();
    open(&mut out, id, width, height, title, &format!("{desc}."));
    for (i, row) in rows.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let w = plot_w * row.count as f64 / max as f64;
        let class = if by_severity {
            SEVERITY_LABELS
                .iter()
                .position(|l| l.eq_ignore_ascii_case(&row.label))
                .map_or("bar-unrated", |p| {
                    [
                        "bar-sev1",
                        "bar-sev2",
                        "bar-sev3",
                        "bar-sev4",
                        "bar-unrated",
                    ][p]
                })
        } else {
            "bar-accent"
        };
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect class=\"{class}\" x=\"{label_w}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" rx=\"3\"/><text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            label_w - 8.0,
            y + row_h * 0.62,
            escape_html(&row.label),
            y + 4.0,
            w.max(if row.count > 0 { 2.0 } else { 0.0 }),
            row_h - 8.0,
            label_w + w + 6.0,
            y + row_h * 0.62,
            row.count
        );
    }
    out.push_str("</svg>");
    out
}

/// A point on an incident's clock axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClockPoint {
    /// `Started`, `Detected`...
    pub label: &'static str,
    /// Minutes from the earliest point.
    pub minutes: i64,
    /// The time as shown (`22:05 PST`).
    pub time: String,
}

/// The incident's clocks on one horizontal axis. Labels go on the first
/// of four rows (above, below, further above, further below) where they do
/// not run into the previous label, so close clocks stay readable.
pub fn clock_axis(id: &str, points: &[ClockPoint]) -> String {
    let (width, height, margin) = (760u32, 170u32, 70.0);
    let span = points.iter().map(|p| p.minutes).max().unwrap_or(0).max(1) as f64;
    let plot_w = width as f64 - 2.0 * margin;
    let min_gap = 110.0;
    // The axis and the (label y, time y) of each row are whole numbers,
    // written as integers: every incident page has this chart, and a
    // float's `Display` costs more than the rest of a point.
    const AXIS_Y: u32 = 85;
    const ROWS: [(u32, u32); 4] = [
        (AXIS_Y - 30, AXIS_Y - 15),
        (AXIS_Y + 24, AXIS_Y + 39),
        (AXIS_Y - 62, AXIS_Y - 47),
        (AXIS_Y + 56, AXIS_Y + 71),
    ];
    let mut last_x = [f64::MIN; 4];
    let mut desc = String::new();
    for (n, p) in points.iter().enumerate() {
        if n > 0 {
            desc.push_str(", ");
        }
        let _ = write!(desc, "{} at {}", p.label, p.time);
    }
    desc.push('.');
    let mut out = String::with_capacity(640 + 420 * points.len());
    open(
        &mut out,
        id,
        width,
        height,
        "The incident's clocks on one axis",
        &desc,
    );
    let _ = write!(
        out,
        "<line class=\"axis-line\" x1=\"{margin}\" x2=\"{:.1}\" y1=\"{AXIS_Y}\" y2=\"{AXIS_Y}\"/>",
        margin + plot_w
    );
    for point in points {
        let x = margin + plot_w * point.minutes as f64 / span;
        let row = (0..4)
            .find(|&r| x - last_x[r] >= min_gap)
            .unwrap_or_else(|| {
                (0..4)
                    .min_by(|&a, &b| last_x[a].total_cmp(&last_x[b]))
                    .unwrap_or(0)
            });
        last_x[row] = x;
        let (label_y, time_y) = ROWS[row];
        let tick_to = if label_y < AXIS_Y {
            time_y + 4
        } else {
            label_y - 12
        };
        let x = Tenths(x).to_string();
        let tick_to = Tenths(f64::from(tick_to));
        let _ = write!(
            out,
            "<line class=\"grid\" x1=\"{x}\" x2=\"{x}\" y1=\"{AXIS_Y}\" y2=\"{tick_to}\"/><circle class=\"point\" cx=\"{x}\" cy=\"{AXIS_Y}\" r=\"5\"/><text class=\"label\" x=\"{x}\" y=\"{label_y}\" text-anchor=\"middle\">{}</text><text class=\"axis\" x=\"{x}\" y=\"{time_y}\" text-anchor=\"middle\">{}</text>",
            escape_html(point.label),
            escape_html(&point.time)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn well_formed(svg: &str) {
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
        assert!(svg.contains("<title id="), "a title: {svg}");
        assert!(svg.contains("<desc id="), "a text alternative: {svg}");
        assert!(
            !svg.contains("style="),
            "colours come from the theme: {svg}"
        );
        assert_eq!(svg.matches("<svg").count(), svg.matches("</svg>").count());
    }

    #[test]
    fn month_bars_stack_by_severity() {
        let months = vec![
            Month {
                month: "2024-01".into(),
                by_severity: [1, 2, 0, 0, 1],
                total: 4,
            },
            Month {
                month: "2024-02".into(),
                by_severity: [0, 0, 0, 0, 0],
                total: 0,
            },
        ];
        let svg = month_bars("m", &months);
        well_formed(&svg);
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains("4 dated incidents from 2024-01 to 2024-02"));
    }

    #[test]
    fn count_bars_escape_labels() {
        let rows = vec![Count {
            label: "<b>ops</b>".into(),
            slug: "ops".into(),
            count: 3,
        }];
        let svg = count_bars("c", "By team", &rows, false);
        well_formed(&svg);
        assert!(svg.contains("&lt;b&gt;ops"));
    }

    #[test]
    fn nice_maxima() {
        assert_eq!(nice_max(0), 1);
        assert_eq!(nice_max(3), 5);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(120), 200);
    }

    #[test]
    fn tenths_write_one_decimal() {
        for (value, text) in [
            (70.0, "70.0"),
            (71.26, "71.3"),
            (0.04, "0.0"),
            (689.96, "690.0"),
            (-1.25, "-1.2"),
            (71.25, "71.2"),
            (71.35, "71.4"),
            (-0.04, "0.0"),
        ] {
            assert_eq!(Tenths(value).to_string(), text, "{value}");
        }
    }

    #[test]
    fn clock_axis_places_points() {
        let points = vec![
            ClockPoint {
                label: "Started",
                minutes: 0,
                time: "22:00".into(),
            },
            ClockPoint {
                label: "Ended",
                minutes: 240,
                time: "02:00".into(),
            },
        ];
        let svg = clock_axis("t", &points);
        well_formed(&svg);
        assert_eq!(svg.matches("<circle").count(), 2);
    }
}
