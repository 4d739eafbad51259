//! Test data shaped like the real server's answers (`MessageResponse` and
//! `GET /users` items as recorded from server 2.0.1).

use std::time::Instant;

use ratatui::{Terminal, backend::TestBackend, layout::Rect};
use serde_json::json;
use token_bowl_chat::{Message, User, Uuid};

use super::{
    app::{Action, App},
    theme::Theme,
    view,
};

/// A message from `from` (to `to`, or the room) at minute `minute` past
/// 12:00 UTC on the recorded day; the id follows from `n`.
pub fn message(n: u32, from: &str, to: Option<&str>, content: &str, minute: u32) -> Message {
    serde_json::from_value(json!({
        "id": Uuid::from_u128(0x865c_e10f_0000_0000_0000_0000_0000_0000 + n as u128),
        "from_user_id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37",
        "from_username": from,
        "from_user_logo": null,
        "from_user_emoji": null,
        "from_user_bot": from.ends_with("bot"),
        "to_user_id": to.map(|_| "161db6fc-0e97-4eb5-8089-46990edce7bb"),
        "to_username": to,
        "content": content,
        "message_type": if to.is_some() { "direct" } else { "room" },
        "description": "This is a message for the fantasy league's group chat.",
        "timestamp": format!("2026-11-22T{:02}:{:02}:32.247494+00:00", 12 + minute / 60, minute % 60),
    }))
    .expect("a recorded message shape")
}

/// A `GET /users` item.
pub fn user(name: &str, role: &str, bot: bool) -> User {
    serde_json::from_value(json!({
        "id": Uuid::from_u128(name.bytes().fold(7u128, |h, b| h * 31 + b as u128)), "username": name, "role": role, "logo": null,
        "emoji": null, "bot": bot, "viewer": false
    }))
    .expect("a recorded user shape")
}

/// Alice's app, plain (no colours), times in UTC, sized for `w`×`h`.
pub fn app(w: u16, h: u16) -> App {
    let mut app = App::new("alice", Theme::plain(), true, Instant::now());
    let users = vec![
        user("admin", "admin", false),
        user("alice", "member", false),
        user("bob", "member", false),
        user("carol", "member", false),
        user("echobot", "bot", true),
    ];
    app.apply(Action::Users(users, false), Instant::now());
    resize(&mut app, w, h);
    app
}

/// Tells the app the pane size of a `w`×`h` terminal.
pub fn resize(app: &mut App, w: u16, h: u16) {
    let (pw, ph) = view::message_pane(Rect::new(0, 0, w, h), app);
    let now = app.now;
    app.apply(Action::Resize(pw, ph), now);
}

/// The screen as text, `w`×`h`.
pub fn screen(app: &App, w: u16, h: u16) -> String {
    terminal(app, w, h).backend().to_string()
}

/// The drawn terminal.
pub fn terminal(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
    terminal
        .draw(|frame| view::draw(frame, app))
        .expect("drawing into memory");
    terminal
}
