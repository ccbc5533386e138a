//! Every send of a pacing run, as the server saw it: the emulator's request
//! record (`EmulatorConfig::record`, one NDJSON line per answered request)
//! read back into arrival times, each tagged with the client process that
//! sent it (the `X-Bench-Process` header every `__client` of a run sends),
//! plus the sliding-window counts the plots draw.
//!
//! The server's clock is the one that decides iconik's 429s, so that is the
//! clock the windows are counted on: a send a process's pacer granted in one
//! window but that reached the server late counts where it arrived.

use serde_json::Value;

/// The header that tells the server which client process sent a request.
pub const PROCESS_HEADER: &str = "X-Bench-Process";

/// One request as the server received it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Send {
    /// Arrival, seconds since the Unix epoch (the record's answer time
    /// minus its handling time).
    pub at: f64,
    /// The client process (its `X-Bench-Process` value; 0 when absent).
    pub process: u32,
    /// The status answered (0 for a connection reset).
    pub status: u16,
}

/// Parses the emulator's NDJSON record. Lines that are not requests to the
/// API (or not JSON) are skipped; the result is sorted by arrival.
pub fn parse_record(text: &str) -> Vec<Send> {
    let mut sends: Vec<Send> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| {
            let path = v.get("path")?.as_str()?;
            if !path.starts_with("/API/") {
                return None;
            }
            let answered = parse_iso(v.get("time")?.as_str()?)?;
            let took_ms = v.get("ms").and_then(Value::as_f64).unwrap_or(0.0);
            let process = v
                .get("headers")
                .and_then(Value::as_object)
                .and_then(|h| {
                    h.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(PROCESS_HEADER))
                        .and_then(|(_, v)| v.as_str()?.trim().parse().ok())
                })
                .unwrap_or(0);
            let status = v
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(0);
            Some(Send {
                at: answered - took_ms / 1000.0,
                process,
                status,
            })
        })
        .collect();
    sends.sort_by(|a, b| a.at.total_cmp(&b.at));
    sends
}

/// `YYYY-MM-DDTHH:MM:SS[.ffffff](Z|+00:00)` (UTC, as the emulator writes
/// it) to seconds since the Unix epoch.
pub fn parse_iso(s: &str) -> Option<f64> {
    let (date, time) = s.split_once('T')?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let time = time
        .strip_suffix('Z')
        .or_else(|| time.strip_suffix("+00:00"))?;
    let mut t = time.splitn(3, ':');
    let h: f64 = t.next()?.parse().ok()?;
    let min: f64 = t.next()?.parse().ok()?;
    let sec: f64 = t.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    Some(days_from_civil(y, m, day) as f64 * 86_400.0 + h * 3600.0 + min * 60.0 + sec)
}

/// Howard Hinnant's civil-to-days algorithm (days since 1970-01-01).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The count of sends in the last `window` seconds, `(t - window, t]`, as
/// a step function of `t`: the points where it changes, each with the
/// count from there on, in time order. `times` must be sorted.
pub fn sliding_count(times: &[f64], window: f64) -> Vec<(f64, u32)> {
    let mut steps = Vec::with_capacity(times.len() * 2);
    let (mut i, mut j, mut count) = (0usize, 0usize, 0u32);
    // merge the arrivals (+1 at t) with the expiries (−1 at t + window)
    while i < times.len() || j < times.len() {
        let arrive = times.get(i).copied().unwrap_or(f64::INFINITY);
        let expire = times[j] + window;
        // at equal times the expiry goes first: (t - w, t] excludes t - w
        // (only a send already counted can expire)
        let t = if expire <= arrive && j < i {
            count -= 1;
            j += 1;
            expire
        } else {
            count += 1;
            i += 1;
            arrive
        };
        match steps.last_mut() {
            Some((lt, c)) if *lt == t => *c = count,
            _ => steps.push((t, count)),
        }
    }
    steps
}

/// The most sends in any window of `window` seconds (`times` sorted).
pub fn most_in_window(times: &[f64], window: f64) -> u32 {
    sliding_count(times, window)
        .iter()
        .map(|&(_, c)| c)
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_emulators_timestamps() {
        assert_eq!(parse_iso("1970-01-01T00:00:00.000000+00:00"), Some(0.0));
        assert_eq!(parse_iso("2000-03-01T00:00:01Z"), Some(951_868_801.0));
        let t = parse_iso("2026-12-04T18:13:11.250000+00:00").unwrap_or_default();
        assert!((t - 1_796_407_991.25).abs() < 1e-6, "{t}");
        assert_eq!(parse_iso("2026-13-04T18:13:11Z"), None);
        assert_eq!(parse_iso("yesterday"), None);
    }

    #[test]
    fn reads_arrivals_processes_and_statuses_from_a_record() {
        let text = r#"{"time":"1970-01-01T00:00:02.000000+00:00","method":"GET","path":"/API/assets/v1/assets/x/","headers":{"x-bench-process":"2"},"status":429,"ms":500.0}
not json
{"time":"1970-01-01T00:00:01.000000+00:00","method":"GET","path":"/API/assets/v1/assets/x/","headers":{},"status":200,"ms":0.0}
{"time":"1970-01-01T00:00:03.000000+00:00","method":"PUT","path":"/storage/x","headers":{},"status":200,"ms":0.0}"#;
        let s = parse_record(text);
        assert_eq!(
            s,
            vec![
                Send {
                    at: 1.0,
                    process: 0,
                    status: 200
                },
                Send {
                    at: 1.5,
                    process: 2,
                    status: 429
                },
            ]
        );
    }

    #[test]
    fn counts_half_open_windows() {
        // 0.0, 0.5 and 1.0: (0, 1] holds two, (0.4, 1.4] holds two, never three
        let times = [0.0, 0.5, 1.0];
        assert_eq!(most_in_window(&times, 1.0), 2);
        assert_eq!(most_in_window(&times, 1.01), 3);
        let steps = sliding_count(&times, 1.0);
        assert_eq!(
            steps,
            vec![(0.0, 1), (0.5, 2), (1.0, 2), (1.5, 1), (2.0, 0)]
        );
        assert_eq!(most_in_window(&[], 1.0), 0);
    }

    #[test]
    fn an_exact_pace_never_shows_one_more() {
        // 64 a second, on binary-exact times: the window boundary is exact
        let times: Vec<f64> = (0..2000).map(|i| f64::from(i) / 64.0).collect();
        assert_eq!(most_in_window(&times, 1.0), 64);
        assert_eq!(most_in_window(&times, 20.0), 1280);
    }
}
