//! The app without a terminal: keys in, actions and state out.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use token_bowl_chat::{
    RealtimeError, RealtimeErrorKind,
    realtime::{Event, ReadReceipt, Typing},
};

use super::{
    app::{Action, App, ConvId, EditKey, Effect, Link, SendOutcome, Source, Status},
    fixtures::{app, message},
    keys,
};

/// One key press: the action it maps to, applied; its effects.
fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) -> Vec<Effect> {
    let action = keys::key_action(app, &KeyEvent::new(code, modifiers))
        .unwrap_or_else(|| panic!("{code:?} {modifiers:?} does nothing"));
    let now = app.now;
    app.apply(action, now)
}

fn typed(app: &mut App, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| press(app, KeyCode::Char(c), KeyModifiers::NONE))
        .collect()
}

fn enter(app: &mut App) -> Vec<Effect> {
    press(app, KeyCode::Enter, KeyModifiers::NONE)
}

fn later(app: &mut App, by: Duration, action: Action) -> Vec<Effect> {
    let now = app.now + by;
    app.apply(action, now)
}

fn typing(who: &str, to: Option<&str>) -> Event {
    Event::Typing(
        serde_json::from_value(serde_json::json!({
            "username": who, "to_username": to, "timestamp": "2026-11-22T12:00:33+00:00"
        }))
        .map(|t: Typing| t)
        .unwrap(),
    )
}

#[test]
fn typing_and_enter_send_once_and_the_stored_message_replaces_the_pending_line() {
    let mut app = app(100, 30);
    let effects = typed(&mut app, "hi");
    assert_eq!(effects, [Effect::Typing(None)], "one indicator for a burst");
    assert_eq!(app.editor.text(), "hi");
    let effects = enter(&mut app);
    assert_eq!(effects, [Effect::Send(1, None, "hi".into())]);
    assert_eq!(app.editor.text(), "");
    let line = app.open_conv().entries.last().unwrap().clone();
    assert_eq!((line.status, line.local), (Status::Sending, Some(1)));
    let stored = message(1, "alice", None, "hi", 1);
    app.apply(
        Action::Sent(1, SendOutcome::Stored(Box::new(stored.clone()))),
        app.now,
    );
    // Real time brings the own room message back: still one line.
    app.apply(
        Action::Live(Event::Message(Box::new(stored.clone()))),
        app.now,
    );
    let lines = &app.open_conv().entries;
    assert_eq!(lines.len(), 1);
    assert_eq!(
        (lines[0].id, &lines[0].status),
        (Some(stored.id), &Status::Stored)
    );
    assert_eq!(app.outbox.len(), 0);
}

#[test]
fn the_typing_indicator_goes_at_most_every_three_seconds_and_not_for_commands() {
    let mut app = app(100, 30);
    assert_eq!(typed(&mut app, "a"), [Effect::Typing(None)]);
    assert!(later(&mut app, Duration::from_secs(2), Action::Insert("b".into())).is_empty());
    assert_eq!(
        later(&mut app, Duration::from_secs(1), Action::Insert("c".into())),
        [Effect::Typing(None)]
    );
    app.open(ConvId::Direct("bob".into()), &mut Vec::new());
    press(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    assert_eq!(
        later(&mut app, Duration::from_secs(3), Action::Insert("x".into())),
        [Effect::Typing(Some("bob".into()))]
    );
    press(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    assert!(
        later(
            &mut app,
            Duration::from_secs(3),
            Action::Insert("/who".into())
        )
        .is_empty()
    );
}

#[test]
fn a_send_that_cannot_reach_the_server_waits_and_goes_again() {
    let mut app = app(100, 30);
    typed(&mut app, "queued");
    assert!(matches!(enter(&mut app)[..], [Effect::Send(1, ..)]));
    let effects = app.apply(
        Action::Sent(1, SendOutcome::Offline("connection refused".into())),
        app.now,
    );
    assert!(effects.is_empty(), "not at once: {effects:?}");
    assert_eq!(app.offline.as_deref(), Some("connection refused"));
    assert_eq!(app.open_conv().entries[0].status, Status::Queued);
    assert!(
        later(&mut app, Duration::from_secs(1), Action::Tick)
            .iter()
            .all(|e| !matches!(e, Effect::Send(..)))
    );
    let effects = later(&mut app, Duration::from_secs(1), Action::Tick);
    assert!(
        effects.contains(&Effect::Send(1, None, "queued".into())),
        "{effects:?}"
    );
}

#[test]
fn an_unknown_outcome_is_settled_by_find_sent_never_by_sending_blindly() {
    let mut app = app(100, 30);
    typed(&mut app, "maybe");
    enter(&mut app);
    let at = chrono::Utc::now();
    let effects = app.apply(Action::Sent(1, SendOutcome::Unknown(at)), app.now);
    assert_eq!(effects, [Effect::FindSent(1, None, "maybe".into(), at)]);
    assert_eq!(app.open_conv().entries[0].status, Status::Checking);
    // find_sent cannot answer: it asks again later, still no send.
    let effects = app.apply(
        Action::Sent(1, SendOutcome::StillUnknown("down".into())),
        app.now,
    );
    assert!(effects.is_empty());
    let effects = later(&mut app, Duration::from_secs(2), Action::Tick);
    assert!(
        effects.contains(&Effect::FindSent(1, None, "maybe".into(), at)),
        "{effects:?}"
    );
    // Not stored: now it may go again.
    let effects = app.apply(Action::Sent(1, SendOutcome::NotStored), app.now);
    assert_eq!(effects, [Effect::Send(1, None, "maybe".into())]);
    // This time find_sent finds it.
    app.apply(Action::Sent(1, SendOutcome::Unknown(at)), app.now);
    let found = message(7, "alice", None, "maybe", 2);
    app.apply(
        Action::Sent(1, SendOutcome::Stored(Box::new(found.clone()))),
        app.now,
    );
    assert_eq!(app.open_conv().entries[0].id, Some(found.id));
    assert_eq!(app.outbox.len(), 0);
}

#[test]
fn messages_land_in_their_conversations_with_unread_counts_and_reading_marks_them_read() {
    let mut app = app(100, 30);
    let room = message(1, "carol", None, "hello room", 1);
    let dm = message(2, "bob", Some("alice"), "psst", 2);
    let effects = app.apply(
        Action::Live(Event::Message(Box::new(room.clone()))),
        app.now,
    );
    assert_eq!(
        effects,
        [Effect::MarkRead(vec![room.id])],
        "the room is open"
    );
    app.apply(Action::Live(Event::Message(Box::new(dm.clone()))), app.now);
    app.apply(Action::Live(Event::Message(Box::new(dm.clone()))), app.now);
    let order: Vec<(String, usize)> = app
        .order()
        .iter()
        .map(|c| (c.id.label(), c.unread.len()))
        .collect();
    assert_eq!(
        order,
        [("@bob".into(), 1), ("# room".into(), 0)],
        "newest first, once"
    );
    let effects = press(&mut app, KeyCode::Char('n'), KeyModifiers::CONTROL);
    assert_eq!(
        app.open,
        ConvId::Direct("bob".into()),
        "the list wraps round"
    );
    assert_eq!(effects, [Effect::MarkRead(vec![dm.id])]);
    press(&mut app, KeyCode::Char('2'), KeyModifiers::ALT);
    assert_eq!(app.open, ConvId::Room);
    app.open(ConvId::Direct("bob".into()), &mut Vec::new());
    assert!(app.open_conv().unread.is_empty());
}

#[test]
fn alt_enter_and_a_paste_make_one_multi_line_message() {
    let mut app = app(100, 30);
    typed(&mut app, "first");
    press(&mut app, KeyCode::Enter, KeyModifiers::ALT);
    app.apply(Action::Insert("second\nthird".into()), app.now);
    assert_eq!(app.editor.text(), "first\nsecond\nthird");
    let effects = enter(&mut app);
    assert_eq!(
        effects,
        [Effect::Send(1, None, "first\nsecond\nthird".into())]
    );
}

#[test]
fn readline_keys_and_history() {
    let mut app = app(100, 30);
    typed(&mut app, "one two");
    press(&mut app, KeyCode::Char('w'), KeyModifiers::CONTROL);
    assert_eq!(app.editor.text(), "one ");
    press(&mut app, KeyCode::Char('a'), KeyModifiers::CONTROL);
    typed(&mut app, ">");
    press(&mut app, KeyCode::Char('e'), KeyModifiers::CONTROL);
    typed(&mut app, "x");
    assert_eq!(app.editor.text(), ">one x");
    press(&mut app, KeyCode::Char('b'), KeyModifiers::ALT);
    press(&mut app, KeyCode::Char('k'), KeyModifiers::CONTROL);
    assert_eq!(app.editor.text(), ">one ");
    enter(&mut app);
    press(&mut app, KeyCode::Up, KeyModifiers::NONE);
    assert_eq!(app.editor.text(), ">one ", "as typed");
    press(&mut app, KeyCode::Down, KeyModifiers::NONE);
    assert_eq!(app.editor.text(), "");
    assert_eq!(
        keys::key_action(&app, &KeyEvent::new(KeyCode::Char('f'), KeyModifiers::ALT)),
        Some(Action::Edit(EditKey::WordRight))
    );
}

#[test]
fn tab_completes_names_and_commands() {
    let mut app = app(100, 30);
    typed(&mut app, "hi @b");
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    // A space follows, so typing on starts the next word (found in tmux:
    // "@ma", Tab, "ok" gave "@mayaok").
    assert_eq!(app.editor.text(), "hi @bob ");
    typed(&mut app, "ok");
    assert_eq!(app.editor.text(), "hi @bob ok");
    press(&mut app, KeyCode::Char('u'), KeyModifiers::CONTROL);
    typed(&mut app, "/d");
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(app.editor.text(), "/dm ");
    typed(&mut app, "ca");
    press(&mut app, KeyCode::Tab, KeyModifiers::NONE);
    assert_eq!(app.editor.text(), "/dm carol ");
    enter(&mut app);
    assert_eq!(app.open, ConvId::Direct("carol".into()));
}

#[test]
fn commands_open_conversations_list_users_and_quit() {
    let mut app = app(100, 30);
    typed(&mut app, "/dm @bob");
    enter(&mut app);
    assert_eq!(app.open, ConvId::Direct("bob".into()));
    typed(&mut app, "/room");
    enter(&mut app);
    assert_eq!(app.open, ConvId::Room);
    typed(&mut app, "/who");
    assert_eq!(enter(&mut app), [Effect::FetchUsers(true)]);
    typed(&mut app, "/nope");
    enter(&mut app);
    let last = app.open_conv().entries.last().unwrap();
    assert_eq!(last.text, "unknown command /nope: /help lists them");
    typed(&mut app, "/dm");
    enter(&mut app);
    assert_eq!(
        app.open_conv().entries.last().unwrap().text,
        "usage: /dm USER"
    );
    typed(&mut app, "/help");
    enter(&mut app);
    assert!(app.help);
    press(&mut app, KeyCode::Esc, KeyModifiers::NONE);
    typed(&mut app, "/quit");
    assert_eq!(enter(&mut app), [Effect::Quit]);
    assert!(app.quit);
}

#[test]
fn question_mark_shows_the_keys_only_on_an_empty_line_and_ctrl_c_quits() {
    let mut app = app(100, 30);
    press(&mut app, KeyCode::Char('?'), KeyModifiers::NONE);
    assert!(app.help);
    press(&mut app, KeyCode::Char('?'), KeyModifiers::NONE);
    assert!(!app.help);
    typed(&mut app, "why?");
    assert_eq!((app.editor.text().as_str(), app.help), ("why?", false));
    assert_eq!(
        press(&mut app, KeyCode::Char('c'), KeyModifiers::CONTROL),
        [Effect::Quit]
    );
}

#[test]
fn scrolling_up_to_the_top_loads_one_older_page_and_keeps_the_place() {
    let mut app = app(80, 24);
    let page: Vec<_> = (0..40)
        .rev()
        .map(|n| message(100 + n, "carol", None, &format!("message {n}"), n))
        .collect();
    app.apply(Action::Older(Source::Room, page, true), app.now);
    let effects = press(&mut app, KeyCode::PageUp, KeyModifiers::NONE);
    assert!(effects.is_empty(), "{effects:?}");
    let scrolled = app.open_conv().scroll;
    assert!(scrolled > 0);
    let effects = press(&mut app, KeyCode::PageUp, KeyModifiers::NONE);
    assert_eq!(effects, [Effect::LoadOlder(Source::Room)], "at the top");
    let effects = app.apply(Action::Scroll(3), app.now);
    assert!(effects.is_empty(), "one page at a time: {effects:?}");
    let top = app.open_conv().scroll;
    // The older page overlaps what is loaded by one message: no duplicate.
    let older: Vec<_> = (0..11)
        .rev()
        .map(|n| message(200 + n, "bob", None, "old", 0))
        .collect();
    let mut older = older;
    older.push(message(100, "carol", None, "message 0", 0));
    app.apply(Action::Older(Source::Room, older, false), app.now);
    assert_eq!(app.open_conv().entries.len(), 51);
    assert_eq!(app.open_conv().scroll, top, "the view stays where it was");
    assert!(!app.room_paging.more && !app.room_paging.loading);
    let effects = app.apply(Action::Scroll(100), app.now);
    assert!(effects.is_empty(), "nothing more to load");
}

#[test]
fn typing_shows_for_the_open_conversation_and_expires() {
    let mut app = app(100, 30);
    app.apply(Action::Live(typing("bob", None)), app.now);
    app.apply(Action::Live(typing("carol", Some("alice"))), app.now);
    app.apply(Action::Live(typing("alice", None)), app.now);
    assert_eq!(app.typists(), ["bob"]);
    app.open(ConvId::Direct("carol".into()), &mut Vec::new());
    assert_eq!(app.typists(), ["carol"]);
    later(&mut app, Duration::from_secs(7), Action::Tick);
    assert!(app.typists().is_empty());
    // A message from the typist ends the indicator.
    app.apply(Action::Live(typing("carol", Some("alice"))), app.now);
    let dm = message(3, "carol", Some("alice"), "done", 3);
    app.apply(Action::Live(Event::Message(Box::new(dm))), app.now);
    assert!(app.typists().is_empty());
}

#[test]
fn read_receipts_mark_own_messages() {
    let mut app = app(100, 30);
    let mine = message(4, "alice", Some("bob"), "hi bob", 4);
    app.apply(Action::Fetched(vec![mine.clone()]), app.now);
    let receipt: ReadReceipt = serde_json::from_value(serde_json::json!({
        "message_id": mine.id, "read_by": "bob", "read_at": "2026-11-22T12:05:00+00:00"
    }))
    .unwrap();
    app.apply(Action::Live(Event::ReadReceipt(receipt)), app.now);
    let conv = app.conv(&ConvId::Direct("bob".into())).unwrap();
    assert!(conv.entries[0].read);
}

#[test]
fn without_real_time_the_history_is_polled_and_a_connect_catches_up() {
    let mut app = app(100, 30);
    let error = RealtimeError::new(RealtimeErrorKind::Connect, "connection refused");
    app.apply(Action::Live(Event::Error(error)), app.now);
    assert!(matches!(app.link, Link::Polling(_)));
    assert!(later(&mut app, Duration::from_millis(250), Action::Tick).contains(&Effect::Poll));
    assert!(!later(&mut app, Duration::from_secs(1), Action::Tick).contains(&Effect::Poll));
    assert!(later(&mut app, Duration::from_secs(2), Action::Tick).contains(&Effect::Poll));
    assert_eq!(
        app.apply(Action::Live(Event::Connected), app.now),
        [Effect::Poll]
    );
    assert_eq!(app.link, Link::Connected);
    assert!(!later(&mut app, Duration::from_secs(10), Action::Tick).contains(&Effect::Poll));
}

#[test]
fn the_mouse_wheel_scrolls_and_a_paste_is_one_insert() {
    use crossterm::event::{Event as TermEvent, MouseEvent, MouseEventKind};
    let app = app(100, 30);
    let wheel = |kind| {
        TermEvent::Mouse(MouseEvent {
            kind,
            column: 40,
            row: 10,
            modifiers: KeyModifiers::NONE,
        })
    };
    assert_eq!(
        keys::action(&app, &wheel(MouseEventKind::ScrollUp)),
        Some(Action::Scroll(3))
    );
    assert_eq!(
        keys::action(&app, &wheel(MouseEventKind::ScrollDown)),
        Some(Action::Scroll(-3))
    );
    assert_eq!(
        keys::action(&app, &TermEvent::Paste("a\nb".into())),
        Some(Action::Insert("a\nb".into()))
    );
}

#[test]
fn a_poll_starts_from_what_the_server_showed_not_from_an_own_send() {
    let mut app = app(100, 30);
    let theirs = message(1, "bob", None, "first", 1);
    app.apply(Action::Fetched(vec![theirs.clone()]), app.now);
    typed(&mut app, "mine");
    enter(&mut app);
    let stored = message(2, "alice", None, "mine", 5);
    app.apply(
        Action::Sent(1, SendOutcome::Stored(Box::new(stored))),
        app.now,
    );
    assert_eq!(app.seen, (Some(theirs.timestamp), None));
    let dm = message(3, "carol", Some("alice"), "dm", 6);
    app.apply(Action::Live(Event::Message(Box::new(dm.clone()))), app.now);
    assert_eq!(app.seen, (Some(theirs.timestamp), Some(dm.timestamp)));
}
