//! Numbers, not timed tests: each prints what it measured and asserts only
//! that the work was done. Run them one at a time (memory is the process's):
//!
//! ```text
//! cargo test -p token-bowl-chat-cli --release --bin token-bowl chat::bench \
//!     -- --ignored --nocapture --test-threads=1
//! ```
//!
//! `first_screen` needs the real server (`TB_REAL_URL`) and skips without it.

use std::time::{Duration, Instant};

use ratatui::{Terminal, backend::TestBackend};

use super::{
    app::{Action, App, Source},
    fixtures::{app, message},
    view,
};

/// An app with `n` room messages loaded (as history pages bring them).
fn loaded(n: u32, w: u16, h: u16) -> App {
    let mut app = app(w, h);
    let words = "the quick brown fox jumps over the lazy dog and keeps running";
    let page = (0..n)
        .rev()
        .map(|i| {
            let text = &words[..(i as usize * 7) % words.len()];
            message(
                i,
                ["bob", "carol", "alice"][i as usize % 3],
                None,
                &format!("{i} {text}"),
                i % 600,
            )
        })
        .collect();
    let now = app.now;
    app.apply(Action::Older(Source::Room, page, true), now);
    app
}

/// Median and 99th percentile of `samples`.
fn spread(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let p = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    (p(0.5), p(0.99))
}

fn frames(
    app: &mut App,
    terminal: &mut Terminal<TestBackend>,
    count: usize,
    key: bool,
) -> Vec<Duration> {
    (0..count)
        .map(|i| {
            let started = Instant::now();
            if key {
                let now = app.now;
                app.apply(
                    Action::Insert(((b'a' + (i % 26) as u8) as char).to_string()),
                    now,
                );
            }
            terminal
                .draw(|f| view::draw(f, app))
                .expect("drawing into memory");
            started.elapsed()
        })
        .collect()
}

#[test]
#[ignore = "a bench: prints numbers"]
fn frame_time_with_10_000_messages() {
    let mut app = loaded(10_000, 120, 40);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    frames(&mut app, &mut terminal, 20, false);
    let (median, p99) = spread(frames(&mut app, &mut terminal, 500, false));
    let now = app.now;
    app.apply(Action::Scroll(2_000), now);
    let (scrolled, scrolled_p99) = spread(frames(&mut app, &mut terminal, 200, false));
    assert_eq!(app.open_conv().entries.len(), 10_000);
    println!(
        "frame, 10,000 messages, 120x40: median {median:?}, p99 {p99:?}; \
         scrolled 2,000 lines up: median {scrolled:?}, p99 {scrolled_p99:?}"
    );
}

#[test]
#[ignore = "a bench: prints numbers"]
fn key_to_screen_with_10_000_messages() {
    let mut app = loaded(10_000, 120, 40);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let (median, p99) = spread(frames(&mut app, &mut terminal, 500, true));
    assert_eq!(app.editor.text().len(), 500);
    println!("key to screen (action + frame), 10,000 messages: median {median:?}, p99 {p99:?}");
}

/// The resident memory of this process, in bytes (Linux).
fn resident() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

#[test]
#[ignore = "a bench: prints numbers"]
fn memory_with_100_000_messages() {
    let before = resident();
    let app = loaded(100_000, 120, 40);
    let after = resident();
    assert_eq!(app.open_conv().entries.len(), 100_000);
    match (before, after) {
        (Some(before), Some(after)) => println!(
            "memory, 100,000 messages: {:.1} MiB more resident ({:.1} MiB in all)",
            (after.saturating_sub(before)) as f64 / 1048576.0,
            after as f64 / 1048576.0
        ),
        _ => println!("memory: /proc/self/statm is not readable here"),
    }
}

#[test]
#[ignore = "a bench against the real server (TB_REAL_URL)"]
fn first_screen_against_the_real_server() {
    let Ok(url) = std::env::var("TB_REAL_URL") else {
        println!("TB_REAL_URL is not set: skipped");
        return;
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let admin = token_bowl_chat::Client::builder()
            .base_url(&url)
            .build()
            .unwrap();
        let name = format!("bench{}", std::process::id());
        let registered = admin
            .register(token_bowl_chat::Register::new(&name))
            .await
            .unwrap();
        let key = registered.api_key.expose_secret().to_owned();
        let mut samples = Vec::new();
        for _ in 0..10 {
            let started = Instant::now();
            let client = token_bowl_chat::Client::builder()
                .base_url(&url)
                .api_key(&key)
                .build()
                .unwrap();
            let histories = super::load::Histories::new(&client);
            let (app, _) = super::load::first_screen(
                &client,
                &histories,
                super::theme::Theme::plain(),
                true,
                None,
            )
            .await
            .unwrap();
            let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
            terminal.draw(|f| view::draw(f, &app)).unwrap();
            samples.push(started.elapsed());
        }
        let (median, p99) = spread(samples);
        println!("first full screen against {url}: median {median:?}, slowest {p99:?} (10 starts)");
    });
}
