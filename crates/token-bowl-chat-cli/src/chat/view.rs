//! Drawing: a pure function of the [`App`].
//!
//! ```text
//! ┌ Chats ───────┐┌ # room ─────────────────────────┐
//! │# room      3 ││12:01 bob: hello                  │
//! │@carol      1 ││12:02 you: hi ✓                   │
//! └──────────────┘└──────────────────────────────────┘
//! > input
//! ● live · bob is typing…                     ? keys
//! ```

use chrono::Local;
use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    style::Style,
    text::{Line, Span},
    widgets::{Block, Borders, Clear, Paragraph},
};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{
    app::{App, ConvId, Conversation, Entry, Link, Status},
    wrap::wrap,
};

/// Where each part goes.
struct Areas {
    list: Rect,
    messages: Rect,
    input: Rect,
    status: Rect,
}

/// The most lines the input grows to.
const INPUT_LINES: u16 = 5;

fn areas(area: Rect, app: &App) -> Areas {
    let lines = app.editor.text().split('\n').count() as u16;
    let input = lines.clamp(1, INPUT_LINES);
    let [top, input, status] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(input),
        Constraint::Length(1),
    ])
    .areas(area);
    let list_width = (area.width / 4).clamp(12, 24);
    let [list, messages] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Min(10)]).areas(top);
    Areas {
        list,
        messages,
        input,
        status,
    }
}

/// The messages pane's inner size (columns, rows) in a terminal of `area`.
pub fn message_pane(area: Rect, app: &App) -> (u16, u16) {
    let inner = Block::bordered().inner(areas(area, app).messages);
    (inner.width, inner.height)
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let a = areas(frame.area(), app);
    draw_list(frame, app, a.list);
    draw_messages(frame, app, a.messages);
    draw_input(frame, app, a.input);
    draw_status(frame, app, a.status);
    if app.help {
        draw_help(frame, app, frame.area());
    }
}

fn draw_list(frame: &mut Frame, app: &App, area: Rect) {
    let t = app.theme;
    let block = Block::bordered().title(" Chats ").border_style(t.border());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let lines: Vec<Line> = app
        .order()
        .into_iter()
        .take(inner.height as usize)
        .map(|c| {
            let count = if c.unread.is_empty() {
                String::new()
            } else {
                format!(" {}", c.unread.len())
            };
            let label = fit(&c.id.label(), width.saturating_sub(count.width()));
            let pad = width.saturating_sub(label.width() + count.width());
            let style = if c.id == app.open {
                t.selected()
            } else {
                Style::new()
            };
            Line::from(vec![
                Span::styled(format!("{label}{}", " ".repeat(pad)), style),
                Span::styled(count, t.unread()),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// `text` cut to `width` columns, with `…` when cut.
pub fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

fn draw_messages(frame: &mut Frame, app: &App, area: Rect) {
    let conv = app.open_conv();
    let paging = match conv.id {
        ConvId::Room => app.room_paging,
        ConvId::Direct(_) => app.direct_paging,
    };
    let mut title = format!(" {} ", conv.id.label());
    if paging.loading {
        title.push_str("· loading older… ");
    } else if conv.scroll > 0 {
        title.push_str(&format!("· ↑ {} ", conv.scroll));
    }
    let block = Block::bordered()
        .title(title)
        .border_style(app.theme.border());
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = inner.height as usize;
    if conv.entries.is_empty() {
        let hint = match &conv.id {
            ConvId::Room => "No messages yet. Say hello!".to_owned(),
            ConvId::Direct(name) => format!("No messages with {name} yet."),
        };
        let hint = Paragraph::new(Line::styled(hint, app.theme.dim()).centered());
        frame.render_widget(hint, Rect { height: 1, ..inner });
        return;
    }
    let lines = window(app, conv, inner.width, conv.scroll, height);
    // The newest line sits at the bottom, as in any chat.
    let shown = lines.len() as u16;
    let area = Rect {
        y: inner.y + inner.height - shown,
        height: shown,
        ..inner
    };
    frame.render_widget(Paragraph::new(lines), area);
}

/// Whether the conversation's history is loaded back to its start.
fn start_known(app: &App, conv: &Conversation) -> bool {
    let paging = match conv.id {
        ConvId::Room => app.room_paging,
        ConvId::Direct(_) => app.direct_paging,
    };
    !paging.more && !conv.entries.is_empty()
}

/// How many screen lines a message takes at `width`: remembered per
/// stored message, so scrolling far up does not wrap everything below.
fn height_of(app: &App, conv: &Conversation, e: &Entry, width: u16) -> usize {
    let key = match (e.id, &e.status) {
        (Some(id), Status::Stored) => (id, width, e.read),
        _ => return entry_lines(app, e, width as usize).len(),
    };
    if let Some(h) = conv.heights.borrow().get(&key) {
        return *h as usize;
    }
    let h = entry_lines(app, e, width as usize).len();
    conv.heights
        .borrow_mut()
        .insert(key, h.min(u16::MAX as usize) as u16);
    h
}

/// The screen lines `scroll` lines up from the newest, at most `height`,
/// oldest first. Only the messages in view are wrapped; those below are
/// counted.
pub fn window(
    app: &App,
    conv: &Conversation,
    width: u16,
    scroll: usize,
    height: usize,
) -> Vec<Line<'static>> {
    let limit = scroll + height;
    let mut shown = Vec::with_capacity(height);
    let mut pos = 0;
    for entry in conv.entries.iter().rev() {
        if pos >= limit {
            break;
        }
        let h = height_of(app, conv, entry, width);
        if pos + h <= scroll {
            pos += h;
            continue;
        }
        for line in entry_lines(app, entry, width as usize).into_iter().rev() {
            if (scroll..limit).contains(&pos) {
                shown.push(line);
            }
            pos += 1;
        }
    }
    if pos < limit && pos >= scroll && start_known(app, conv) {
        shown.push(Line::styled("· start of the history ·", app.theme.dim()).centered());
    }
    shown.reverse();
    shown
}

/// How many screen lines the conversation has, counted up to `limit`.
pub fn count_lines(app: &App, conv: &Conversation, width: u16, limit: usize) -> usize {
    let mut count = 0;
    for entry in conv.entries.iter().rev() {
        if count >= limit {
            return count;
        }
        count += height_of(app, conv, entry, width);
    }
    count + usize::from(start_known(app, conv))
}

/// A time as the screen shows it: `HH:MM`, local unless `--utc`.
fn clock(app: &App, time: chrono::DateTime<chrono::Utc>) -> String {
    if app.utc {
        time.format("%H:%M").to_string()
    } else {
        time.with_timezone(&Local).format("%H:%M").to_string()
    }
}

/// One message as wrapped screen lines.
fn entry_lines(app: &App, e: &Entry, width: usize) -> Vec<Line<'static>> {
    let t = app.theme;
    if e.status == Status::Notice {
        return wrap(&[("      * ", t.dim()), (&e.text, t.dim())], width, 8);
    }
    // A send not yet stored has no server time yet.
    let time = match e.local {
        Some(_) => "      ".to_owned(),
        None => format!("{} ", clock(app, e.time)),
    };
    let mine = e.from == app.me;
    let info = app.users.get(&e.from).copied().unwrap_or_default();
    let bot = e.bot || info.bot;
    let (name, name_style) = if mine {
        ("you", t.own())
    } else if bot {
        (e.from.as_str(), t.bot())
    } else if info.admin {
        (e.from.as_str(), t.admin())
    } else {
        (e.from.as_str(), t.name())
    };
    let mut pieces: Vec<(&str, Style)> = vec![(&time, t.dim()), (name, name_style)];
    if bot {
        pieces.push((" [bot]", t.bot()));
    } else if info.admin && !mine {
        pieces.push((" [admin]", t.admin()));
    }
    pieces.push((": ", Style::new()));
    let text_style = if !mine && app.mentions_me(&e.text) {
        t.mention()
    } else if bot {
        t.bot()
    } else {
        Style::new()
    };
    pieces.push((&e.text, text_style));
    let failed;
    match &e.status {
        Status::Queued => pieces.push((" (queued)", t.pending())),
        Status::Sending => pieces.push((" (sending…)", t.pending())),
        Status::Checking => pieces.push((" (checking whether it was sent…)", t.pending())),
        Status::Failed(why) => {
            failed = format!(" (not sent: {why})");
            pieces.push((&failed, t.error()));
        }
        Status::Stored if mine && e.read => pieces.push((" ✓", t.ok())),
        _ => {}
    }
    wrap(&pieces, width, 6)
}

fn draw_input(frame: &mut Frame, app: &App, area: Rect) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let text = app.editor.text();
    let (line, col) = app.editor.cursor_line_col();
    let all: Vec<&str> = text.split('\n').collect();
    let first = line.saturating_sub(area.height as usize - 1);
    let avail = (area.width as usize).saturating_sub(3).max(1);
    let mut lines = Vec::new();
    let mut cursor = None;
    for (i, l) in all
        .iter()
        .enumerate()
        .skip(first)
        .take(area.height as usize)
    {
        let prompt = if i == 0 { "> " } else { "  " };
        let chars: Vec<char> = l.chars().collect();
        let mut skip = 0;
        if i == line {
            // Scroll the line sideways so the cursor shows.
            let before = |from: usize| {
                chars[from..col]
                    .iter()
                    .map(|c| c.width().unwrap_or(0))
                    .sum::<usize>()
            };
            while before(skip) > avail {
                skip += 1;
            }
            cursor = Some((2 + before(skip) as u16, (i - first) as u16));
        }
        let shown: String = chars[skip..].iter().collect();
        lines.push(Line::from(vec![
            Span::styled(prompt, app.theme.dim()),
            Span::raw(shown),
        ]));
    }
    if text.is_empty()
        && let Some(first_line) = lines.first_mut()
    {
        let hint = match &app.open {
            ConvId::Room => "message the room · /help · ? keys".to_owned(),
            ConvId::Direct(name) => format!("message {name} · /help · ? keys"),
        };
        first_line.spans.push(Span::styled(hint, app.theme.dim()));
    }
    frame.render_widget(Paragraph::new(lines), area);
    if let Some((x, y)) = cursor
        && !app.help
    {
        frame.set_cursor_position((area.x + x.min(area.width.saturating_sub(1)), area.y + y));
    }
}

fn draw_status(frame: &mut Frame, app: &App, area: Rect) {
    let t = app.theme;
    let mut spans = match (&app.offline, &app.link) {
        (Some(why), _) => vec![Span::styled(format!("✕ offline: {why}"), t.error())],
        (None, Link::Connected) => vec![Span::styled("● live", t.ok())],
        (None, Link::Connecting) => vec![Span::styled("◌ connecting…", t.pending())],
        (None, Link::Reconnecting) => vec![Span::styled("◌ reconnecting… (polling)", t.pending())],
        (None, Link::Polling(_)) => vec![Span::styled(
            "○ no real time: polling every 3 s",
            t.pending(),
        )],
    };
    if app.outbox.len() > 0 {
        spans.push(Span::styled(
            format!(" · {} to send", app.outbox.len()),
            t.pending(),
        ));
    }
    let typists = app.typists();
    let typing = match typists.as_slice() {
        [] => String::new(),
        [one] => format!("{one} is typing…"),
        [a, b] => format!("{a} and {b} are typing…"),
        many => format!("{} people are typing…", many.len()),
    };
    if !typing.is_empty() {
        spans.push(Span::raw(" · "));
        spans.push(Span::styled(typing, t.dim()));
    }
    let right = format!("{} · ? keys", app.me);
    let left = Line::from(spans);
    let room = (area.width as usize).saturating_sub(left.width() + 1);
    frame.render_widget(Paragraph::new(left), area);
    if right.width() <= room {
        let right = Paragraph::new(Line::styled(right, t.dim()).right_aligned());
        frame.render_widget(right, area);
    }
}

/// The keys, as `?` shows them.
pub const KEYS: &[(&str, &str)] = &[
    ("Enter", "send"),
    ("Alt-Enter", "new line in the message"),
    ("Tab", "complete @name or /command"),
    ("Up / Down", "earlier lines you sent"),
    ("Ctrl-A / Ctrl-E", "start / end of line"),
    ("Alt-B / Alt-F", "word left / right"),
    (
        "Ctrl-W / Ctrl-U / Ctrl-K",
        "delete word / to start / to end",
    ),
    ("PgUp / PgDn, wheel", "scroll (older history loads)"),
    ("Ctrl-N / Ctrl-P", "next / previous conversation"),
    ("Alt-1 … Alt-9", "conversation by place"),
    ("/dm NAME, /room", "open a conversation"),
    ("/who, /help, /quit", "users, commands, leave"),
    ("? or F1, Esc", "this help, close it"),
    ("Ctrl-C", "leave"),
];

fn draw_help(frame: &mut Frame, app: &App, area: Rect) {
    let width = area.width.saturating_sub(4).min(64);
    let height = (KEYS.len() as u16 + 2).min(area.height.saturating_sub(2));
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height.saturating_sub(height)) / 2,
        width,
        height,
    };
    let key_width = KEYS.iter().map(|(k, _)| k.width()).max().unwrap_or(0);
    let lines: Vec<Line> = KEYS
        .iter()
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!(" {key:key_width$}  "), app.theme.name()),
                Span::raw(*what),
            ])
        })
        .collect();
    let block = Block::new()
        .borders(Borders::ALL)
        .title(" Keys · Esc closes ")
        .border_style(app.theme.border());
    frame.render_widget(Clear, rect);
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
