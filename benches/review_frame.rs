//! Frame time of the review table with 1,000,000 rows (issue: "a frame takes
//! under 16 ms").
//!
//! Builds a million review rows, draws the review table in an egui_kittest
//! harness at 1280×800, and times frames while scrolling through the whole
//! table with the mouse wheel, then after a search and a sort (which are
//! computed once, on the frame they change, and timed apart). The harness
//! runs egui's full frame (layout, hit-testing, tessellation-ready output);
//! the GPU's share of drawing ~35 rows of text is not included.
//!
//! Run with `cargo bench --bench review_frame`. Without `--bench` (as under
//! `cargo test --all-targets`) it runs 10,000 rows and a few frames.

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use listhygiene::policy::Verdict;
use listhygiene::ui::{ReviewState, review_table};
use listhygiene::workspace::ReviewRow;

fn rows(n: usize) -> Vec<ReviewRow> {
    let domains = [
        "gmail.com",
        "yahoo.com",
        "outlook.com",
        "gmx.de",
        "orange.fr",
        "example.org",
        "northwind-traders.example",
    ];
    let verdicts = [
        Verdict::Keep,
        Verdict::Watch,
        Verdict::RemoveHard,
        Verdict::RemoveComplaint,
        Verdict::Watch,
    ];
    let reasons = [
        "Address does not exist",
        "Mailbox full",
        "Domain does not exist",
        "Marked as spam by the reader",
    ];
    (0..n)
        .map(|i| {
            let domain = domains[i % domains.len()];
            let key = format!("subscriber{i:07}@{domain}");
            ReviewRow {
                address: key.clone(),
                key,
                verdict: verdicts[i % verdicts.len()],
                reason: reasons[i % reasons.len()].to_string(),
                hard_streak: (i % 5) as u32,
                bounces: (i % 9) as u32,
                last_bounce: Some(1_780_000_000 + (i as i64 % 1000) * 86_400),
                domain: domain.to_string(),
                in_list: i % 17 != 0,
                overridden: None,
                list_row: None,
            }
        })
        .collect()
}

struct Bench {
    rows: Vec<ReviewRow>,
    state: ReviewState,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(what: &str, mut times: Vec<Duration>) -> Duration {
    times.sort();
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    let p95 = percentile(&times, 0.95);
    let max = *times.last().unwrap_or(&Duration::ZERO);
    println!(
        "{what:<44} frames {:>4}  mean {:>6.2} ms  p95 {:>6.2} ms  max {:>6.2} ms",
        times.len(),
        mean.as_secs_f64() * 1e3,
        p95.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3
    );
    p95
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let n: usize = std::env::var("LH_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if full { 1_000_000 } else { 10_000 });
    let frames = if full { 300 } else { 10 };

    let started = Instant::now();
    let bench = Bench {
        rows: rows(n),
        state: ReviewState::default(),
    };
    println!(
        "review table: {n} rows built in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    // Building the harness draws the first frame, which filters and sorts
    // all rows once.
    let t = Instant::now();
    let mut h = Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(
            |ui, b: &mut Bench| {
                egui::CentralPanel::default().show(ui, |ui| {
                    review_table(ui, &b.rows, &mut b.state);
                });
            },
            bench,
        );

    println!(
        "first frame (filter + sort of {n} rows)     {:>6.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    assert_eq!(h.state().state.visible_count(), n);

    // Scroll through the whole table: each frame a wheel step, large enough
    // to cross the table in `frames` frames.
    let row_h = 22.0 + 3.0;
    let step = (n as f32 * row_h / frames as f32).max(40.0);
    h.hover_at(egui::pos2(640.0, 400.0));
    let mut times = Vec::with_capacity(frames);
    for _ in 0..frames {
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -step),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Unknown,
            modifiers: egui::Modifiers::NONE,
        });
        let t = Instant::now();
        h.step();
        times.push(t.elapsed());
    }
    let p95 = report("scrolling through every row", times);

    // Frames with nothing changing (the table idle on screen).
    let mut times = Vec::with_capacity(frames);
    for _ in 0..frames {
        let t = Instant::now();
        h.step();
        times.push(t.elapsed());
    }
    report("idle frames", times);

    // A search, typing on, and sorts are computed on the frame they change.
    let mut timed = |what: &str, change: &dyn Fn(&mut Bench)| {
        change(h.state_mut());
        let t = Instant::now();
        h.step();
        println!(
            "{what:<44} {:>6.1} ms  ({} rows shown)",
            t.elapsed().as_secs_f64() * 1e3,
            h.state().state.visible_count()
        );
    };
    timed("search \"g\" (all rows filtered)", &|b| {
        b.state.search = "g".into()
    });
    timed("typing on: \"gm\" (narrows the shown rows)", &|b| {
        b.state.search = "gm".into()
    });
    timed("typing on: \"gmx\"", &|b| b.state.search = "gmx".into());
    timed("sort by reason", &|b| {
        b.state.sort = listhygiene::ui::SortColumn::Reason
    });
    timed("clear the search (all rows, sorted)", &|b| {
        b.state.search.clear()
    });
    if full {
        println!(
            "target: p95 frame while scrolling < 16 ms: {}",
            if p95 < Duration::from_millis(16) {
                "met"
            } else {
                "NOT met"
            }
        );
    }
}
