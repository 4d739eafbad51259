//! Screens rendered into ratatui's `TestBackend`, snapshotted with insta.

use std::time::Duration;

use ratatui::style::{Color, Modifier};
use token_bowl_chat::{
    RealtimeError, RealtimeErrorKind,
    realtime::{Event, Typing},
};

use super::{
    app::{Action, App, ConvId, SendOutcome, Source},
    fixtures::{app, message, resize, screen, terminal},
    theme::Theme,
};

fn live(app: &mut App, event: Event) {
    let now = app.now;
    app.apply(Action::Live(event), now);
}

fn connected(app: &mut App) {
    live(app, Event::Connected);
}

/// A room with a conversation going on, alice's own lines among them.
fn busy(app: &mut App) {
    let lines = [
        ("bob", "morning all"),
        ("carol", "hi bob! did you see the draft results?"),
        ("alice", "I did, the third round was wild"),
        ("echobot", "echo: I did, the third round was wild"),
        ("admin", "reminder: trades close on Friday"),
        (
            "bob",
            "carol, want to trade your kicker for my backup tight end? it is a fair offer, I promise, and long enough to wrap",
        ),
        ("carol", "let me think about it"),
    ];
    let page = lines
        .iter()
        .enumerate()
        .rev()
        .map(|(n, (from, text))| message(n as u32, from, None, text, n as u32))
        .collect();
    let now = app.now;
    app.apply(Action::Older(Source::Room, page, false), now);
    connected(app);
}

#[test]
fn empty_room() {
    let mut app = app(80, 16);
    connected(&mut app);
    let now = app.now;
    app.apply(Action::Older(Source::Room, Vec::new(), false), now);
    insta::assert_snapshot!(screen(&app, 80, 16));
}

#[test]
fn busy_room() {
    let mut app = app(100, 24);
    busy(&mut app);
    insta::assert_snapshot!(screen(&app, 100, 24));
}

#[test]
fn unread_counts_newest_first() {
    let mut app = app(100, 20);
    busy(&mut app);
    let now = app.now;
    app.apply(
        Action::Fetched(vec![
            message(20, "bob", Some("alice"), "are you around?", 30),
            message(21, "carol", Some("alice"), "psst", 31),
            message(22, "carol", Some("alice"), "about that trade…", 32),
            message(23, "alice", Some("bob"), "one sec", 33),
        ]),
        now,
    );
    insta::assert_snapshot!(screen(&app, 100, 20));
}

#[test]
fn a_mention_stands_out() {
    let mut app = app(80, 12);
    connected(&mut app);
    let now = app.now;
    app.apply(
        Action::Fetched(vec![
            message(1, "bob", None, "lunch?", 1),
            message(2, "carol", None, "@alice what do you think?", 2),
        ]),
        now,
    );
    insta::assert_snapshot!(screen(&app, 80, 12));
    let term = terminal(&app, 80, 12);
    let buffer = term.backend().buffer();
    let row = (0..12)
        .find(|y| {
            (0..80)
                .map(|x| buffer[(x, *y)].symbol())
                .collect::<String>()
                .contains("@alice what")
        })
        .expect("the mention shows");
    let x = (0..80)
        .find(|x| buffer[(*x, row)].symbol() == "@")
        .expect("its text");
    let cell = &buffer[(x, row)];
    assert!(
        cell.modifier
            .contains(Modifier::BOLD | Modifier::UNDERLINED),
        "{cell:?}"
    );
    let plain = (0..80)
        .find(|x| buffer[(*x, row - 1)].symbol() == "l")
        .unwrap();
    assert!(
        buffer[(plain, row - 1)].modifier.is_empty(),
        "an ordinary line is plain"
    );
}

#[test]
fn someone_is_typing() {
    let mut app = app(80, 12);
    busy(&mut app);
    let typing: Typing = serde_json::from_value(serde_json::json!({
        "username": "bob", "to_username": null, "timestamp": "2026-11-22T12:09:00+00:00"
    }))
    .unwrap();
    live(&mut app, Event::Typing(typing));
    insta::assert_snapshot!(screen(&app, 80, 12));
}

#[test]
fn offline_with_sends_queued() {
    let mut app = app(80, 12);
    busy(&mut app);
    let error = RealtimeError::new(RealtimeErrorKind::Connect, "connection refused");
    live(&mut app, Event::Error(error));
    let now = app.now;
    app.apply(Action::Insert("are you there?".into()), now);
    app.apply(Action::Submit, now);
    app.apply(
        Action::Sent(
            1,
            SendOutcome::Offline("cannot connect to 127.0.0.1:18090: connection refused".into()),
        ),
        now,
    );
    insta::assert_snapshot!(screen(&app, 80, 12));
}

#[test]
fn narrow_terminal() {
    let mut app = app(60, 20);
    busy(&mut app);
    let now = app.now;
    app.apply(
        Action::Fetched(vec![message(30, "bob", Some("alice"), "hey", 40)]),
        now,
    );
    app.apply(
        Action::Insert("a reply that is longer than the input line is wide, so it scrolls".into()),
        now,
    );
    insta::assert_snapshot!(screen(&app, 60, 20));
}

#[test]
fn cjk_and_emoji_stay_aligned() {
    let mut app = app(70, 14);
    connected(&mut app);
    let now = app.now;
    app.apply(
        Action::Fetched(vec![
            message(
                1,
                "小明",
                None,
                "你好，大家好！今天的比赛怎么样？我觉得我们队会赢得冠军",
                1,
            ),
            message(2, "bob", None, "🎉🎉 party 🦀 crab 👍🏽 thumbs", 2),
            message(3, "ゆき", Some("alice"), "こんにちは 🌸", 3),
        ]),
        now,
    );
    let text = screen(&app, 70, 14);
    insta::assert_snapshot!(text);
    // Every row is exactly as wide as the terminal: the right border lines up.
    for line in text.lines() {
        let row = line.trim_matches('"');
        if let Some(row) = row.split("\" Hidden").next() {
            assert_eq!(unicode_width::UnicodeWidthStr::width(row), 70, "{row}");
        }
    }
}

#[test]
fn help_shows_the_keys() {
    let mut app = app(80, 22);
    busy(&mut app);
    app.help = true;
    insta::assert_snapshot!(screen(&app, 80, 22));
}

#[test]
fn a_direct_conversation_with_a_read_receipt_and_a_resize() {
    let mut app = app(100, 16);
    connected(&mut app);
    let mine = message(5, "alice", Some("bob"), "see you at 8", 5);
    let now = app.now;
    app.apply(
        Action::Fetched(vec![
            message(4, "bob", Some("alice"), "dinner?", 4),
            mine.clone(),
        ]),
        now,
    );
    let receipt = serde_json::from_value(serde_json::json!({
        "message_id": mine.id, "read_by": "bob", "read_at": "2026-11-22T12:06:00+00:00"
    }))
    .unwrap();
    live(&mut app, Event::ReadReceipt(receipt));
    app.open(ConvId::Direct("bob".into()), &mut Vec::new());
    let wide = screen(&app, 100, 16);
    resize(&mut app, 64, 16);
    let narrow = screen(&app, 64, 16);
    insta::assert_snapshot!(format!("{wide}\n{narrow}"));
}

#[test]
fn colours_are_the_sixteen_basic_ones_and_no_color_has_none() {
    let mut app = app(100, 24);
    busy(&mut app);
    app.theme = Theme::colored();
    let now = app.now + Duration::from_secs(1);
    app.apply(
        Action::Fetched(vec![message(9, "bob", None, "@alice ping", 9)]),
        now,
    );
    let colored = terminal(&app, 100, 24);
    let cells = colored.backend().buffer().content.clone();
    assert!(
        cells.iter().any(|c| c.fg == Color::Yellow),
        "mentions and admins are yellow"
    );
    assert!(
        cells
            .iter()
            .all(|c| !matches!(c.fg, Color::Rgb(..) | Color::Indexed(_))
                && !matches!(c.bg, Color::Rgb(..) | Color::Indexed(_)))
    );
    app.theme = Theme::plain();
    let plain = terminal(&app, 100, 24);
    assert!(
        plain
            .backend()
            .buffer()
            .content
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset)
    );
}

#[test]
fn tiny_terminals_draw_without_panicking() {
    let mut app = app(80, 24);
    busy(&mut app);
    let now = app.now;
    app.apply(Action::Insert("text\nover\nlines".into()), now);
    for w in 1..24 {
        for h in 1..10 {
            resize(&mut app, w, h);
            let text = screen(&app, w, h);
            assert_eq!(text.lines().count(), h as usize);
        }
    }
    app.help = true;
    assert!(!screen(&app, 5, 3).is_empty());
}
