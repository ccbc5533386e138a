//! SVG plots of a pacing run: for each of the policy's windows, the number
//! of sends in the last window (a sliding count, exact: a step that changes
//! at every arrival and every expiry), per process and in total, against
//! the window's limit. A total line that stays on or under the limit line
//! is "never exceeds a window", visibly.
//!
//! Written with `plotters`' SVG backend only: text is left to the SVG
//! viewer's fonts, so no font files are read.

use std::path::Path;

use plotters::prelude::*;

use crate::sends::{most_in_window, sliding_count, Send};

/// Plot size in pixels (width, height per window panel).
const WIDTH: u32 = 1000;
const PANEL_HEIGHT: u32 = 330;
/// Room for the title and its second line.
const TITLE_HEIGHT: u32 = 56;
/// Most points drawn per line: longer step functions are thinned per pixel
/// column to their first, lowest, highest and last points, so every peak
/// stays visible.
const MAX_BUCKETS: usize = 900;

/// Per-process line colours (no red: red is the limit and the 429s).
const PROCESS_COLOURS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(23, 190, 207),
    RGBColor(140, 86, 75),
    RGBColor(188, 189, 34),
    RGBColor(227, 119, 194),
];
const LIMIT_RED: RGBColor = RGBColor(214, 39, 40);

/// What to draw.
#[derive(Debug, Clone)]
pub struct PlotInput<'a> {
    /// The plot's title (the scenario and its size).
    pub title: String,
    /// The policy: (limit, window in seconds) per rule; one panel each.
    pub rules: &'a [(u32, u64)],
    /// Every send, sorted by arrival.
    pub sends: &'a [Send],
}

/// The sliding count as points of a step line, from 0 to `end` (seconds
/// from `origin`), thinned to at most about 4 × [`MAX_BUCKETS`] points.
fn step_points(times: &[f64], window: f64, origin: f64, end: f64) -> Vec<(f64, f64)> {
    let mut points = vec![(0.0, 0.0)];
    let mut last = 0.0;
    for (t, c) in sliding_count(times, window) {
        let x = t - origin;
        points.push((x, last));
        last = f64::from(c);
        points.push((x, last));
    }
    points.push((end, last));
    thin(points, end)
}

/// Keeps, per pixel column, the first, lowest, highest and last point (in
/// their order): the line looks the same and no peak is lost.
fn thin(points: Vec<(f64, f64)>, end: f64) -> Vec<(f64, f64)> {
    if points.len() <= MAX_BUCKETS * 4 || end <= 0.0 {
        return points;
    }
    let width = end / MAX_BUCKETS as f64;
    let mut out = Vec::with_capacity(MAX_BUCKETS * 4);
    let mut i = 0;
    while i < points.len() {
        let bucket = (points[i].0 / width).floor();
        let mut j = i;
        while j < points.len() && (points[j].0 / width).floor() == bucket {
            j += 1;
        }
        let chunk = &points[i..j];
        let lo = (0..chunk.len()).min_by(|&a, &b| chunk[a].1.total_cmp(&chunk[b].1));
        let hi = (0..chunk.len()).max_by(|&a, &b| chunk[a].1.total_cmp(&chunk[b].1));
        let mut keep: Vec<usize> = [Some(0), lo, hi, Some(chunk.len() - 1)]
            .into_iter()
            .flatten()
            .collect();
        keep.sort_unstable();
        keep.dedup();
        out.extend(keep.into_iter().map(|k| chunk[k]));
        i = j;
    }
    out
}

/// The plot as SVG text.
///
/// # Errors
/// When plotters fails to lay the plot out (it reports drawing errors).
pub fn svg(input: &PlotInput<'_>) -> Result<String, String> {
    let mut out = String::new();
    {
        let panels = input.rules.len().max(1) as u32;
        let backend =
            SVGBackend::with_string(&mut out, (WIDTH, PANEL_HEIGHT * panels + TITLE_HEIGHT));
        draw(backend.into_drawing_area(), input).map_err(|e| format!("plot: {e}"))?;
    }
    Ok(out)
}

/// Writes [`svg`] to `path`, creating its folder.
///
/// # Errors
/// Drawing or writing failed.
pub fn write_svg(path: &Path, input: &PlotInput<'_>) -> Result<(), String> {
    let text = svg(input)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

type DrawResult = Result<(), Box<dyn std::error::Error>>;

fn draw(
    root: DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    input: &PlotInput<'_>,
) -> DrawResult {
    root.fill(&WHITE)?;
    // the title's last " · " part (commit, date) on a line of its own
    let (title, stamp) = input
        .title
        .rsplit_once(" · ")
        .unwrap_or((input.title.as_str(), ""));
    let root = root.titled(title, ("sans-serif", 17))?;
    let root = if stamp.is_empty() {
        root
    } else {
        root.titled(stamp, ("sans-serif", 12))?
    };
    let sends = input.sends;
    let origin = sends.first().map_or(0.0, |s| s.at);
    let span = sends.last().map_or(0.0, |s| s.at - origin);
    let mut processes: Vec<u32> = sends.iter().map(|s| s.process).collect();
    processes.sort_unstable();
    processes.dedup();
    let all: Vec<f64> = sends.iter().map(|s| s.at).collect();
    let refused: Vec<f64> = (sends.iter())
        .filter(|s| s.status == 429)
        .map(|s| s.at)
        .collect();
    let panels = root.split_evenly((input.rules.len().max(1), 1));
    for (&(limit, window), area) in input.rules.iter().zip(&panels) {
        let w = window as f64;
        // show the window's whole rise and fall
        let end = (span + w).max(1.0);
        let peak = most_in_window(&all, w);
        // headroom above the limit for the legend
        let y_top = f64::from(limit.max(peak)) * 1.45 + 1.0;
        let caption = format!(
            "sends in the last {window} s, at the server: most {peak} (limit {limit}){}",
            if refused.is_empty() {
                String::new()
            } else {
                format!("; {} answered 429", refused.len())
            }
        );
        let mut chart = ChartBuilder::on(area)
            .caption(caption, ("sans-serif", 15))
            .margin(8)
            .x_label_area_size(32)
            .y_label_area_size(52)
            .build_cartesian_2d(0.0..end, 0.0..y_top)?;
        chart
            .configure_mesh()
            .x_desc("seconds since the first send")
            .y_desc(format!("sends in {window} s"))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw()?;
        if processes.len() > 1 {
            for (k, p) in processes.iter().enumerate() {
                let times: Vec<f64> = (sends.iter())
                    .filter(|s| s.process == *p)
                    .map(|s| s.at)
                    .collect();
                let colour = PROCESS_COLOURS[k % PROCESS_COLOURS.len()];
                let series = chart.draw_series(LineSeries::new(
                    step_points(&times, w, origin, end),
                    colour.stroke_width(1),
                ))?;
                if k == 0 {
                    series
                        .label(format!("each of {} processes", processes.len()))
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(1))
                        });
                }
            }
        }
        chart
            .draw_series(LineSeries::new(
                step_points(&all, w, origin, end),
                BLACK.stroke_width(2),
            ))?
            .label(if processes.len() > 1 {
                "all processes"
            } else {
                "all sends"
            })
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.stroke_width(2)));
        if !refused.is_empty() {
            chart
                .draw_series(LineSeries::new(
                    step_points(&refused, w, origin, end),
                    LIMIT_RED.stroke_width(2),
                ))?
                .label("of which answered 429")
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], LIMIT_RED.stroke_width(2))
                });
        }
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, f64::from(limit)), (end, f64::from(limit))],
                8,
                5,
                LIMIT_RED.stroke_width(2),
            ))?
            .label(format!("limit: {limit} in any {window} s"))
            .legend(|(x, y)| {
                // dashed in the legend too, unlike the solid 429 line
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (7, 0)], LIMIT_RED.stroke_width(2))
                    + PathElement::new(vec![(11, 0), (18, 0)], LIMIT_RED.stroke_width(2))
            });
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.4))
            .label_font(("sans-serif", 13))
            .draw()?;
    }
    root.present()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_every_peak() {
        let points: Vec<(f64, f64)> = (0..100_000)
            .map(|i| (f64::from(i) / 1000.0, f64::from(i % 97)))
            .collect();
        let thinned = thin(points.clone(), 100.0);
        assert!(thinned.len() <= MAX_BUCKETS * 4 + 4, "{}", thinned.len());
        let max = |p: &[(f64, f64)]| p.iter().map(|q| q.1).fold(0.0, f64::max);
        assert_eq!(max(&thinned), max(&points));
        assert!(thinned.windows(2).all(|w| w[0].0 <= w[1].0));
    }

    #[test]
    fn a_step_line_rises_and_falls_at_the_window() {
        let p = step_points(&[10.0, 10.5], 1.0, 10.0, 3.0);
        assert_eq!(
            p,
            vec![
                (0.0, 0.0),
                (0.0, 0.0),
                (0.0, 1.0),
                (0.5, 1.0),
                (0.5, 2.0),
                (1.0, 2.0),
                (1.0, 1.0),
                (1.5, 1.0),
                (1.5, 0.0),
                (3.0, 0.0)
            ]
        );
    }
}
