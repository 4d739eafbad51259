//! Terminal events to [`Action`]s.

use crossterm::event::{
    Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind,
};

use super::app::{Action, App, EditKey};

/// Lines the mouse wheel scrolls per notch.
const WHEEL: isize = 3;

/// The action for a terminal event, if any (resizes are the loop's).
pub fn action(app: &App, event: &TermEvent) -> Option<Action> {
    match event {
        TermEvent::Key(key) if key.kind != KeyEventKind::Release => key_action(app, key),
        TermEvent::Paste(text) => Some(Action::Insert(text.clone())),
        TermEvent::Mouse(mouse) => match mouse.kind {
            MouseEventKind::ScrollUp => Some(Action::Scroll(WHEEL)),
            MouseEventKind::ScrollDown => Some(Action::Scroll(-WHEEL)),
            _ => None,
        },
        _ => None,
    }
}

/// The action for a key.
pub fn key_action(app: &App, key: &KeyEvent) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    if app.help {
        return match key.code {
            KeyCode::Char('c') if ctrl => Some(Action::Quit),
            KeyCode::Esc | KeyCode::Char('?' | 'q') | KeyCode::F(1) | KeyCode::Enter => {
                Some(Action::Escape)
            }
            _ => None,
        };
    }
    // AltGr arrives as Ctrl+Alt with the character it makes.
    if let (true, true, KeyCode::Char(c)) = (ctrl, alt, key.code) {
        return Some(Action::Insert(c.to_string()));
    }
    if ctrl {
        return ctrl_action(key.code);
    }
    if alt {
        return alt_action(key.code);
    }
    let edit = |k| Some(Action::Edit(k));
    match key.code {
        KeyCode::Char('?') if app.editor.is_empty() => Some(Action::ToggleHelp),
        KeyCode::Char(c) => Some(Action::Insert(c.to_string())),
        KeyCode::Enter => Some(Action::Submit),
        KeyCode::Tab => Some(Action::Complete),
        KeyCode::Backspace => edit(EditKey::Backspace),
        KeyCode::Delete => edit(EditKey::Delete),
        KeyCode::Left => edit(EditKey::Left),
        KeyCode::Right => edit(EditKey::Right),
        KeyCode::Home => edit(EditKey::Home),
        KeyCode::End => edit(EditKey::End),
        KeyCode::Up => edit(EditKey::HistoryPrev),
        KeyCode::Down => edit(EditKey::HistoryNext),
        KeyCode::PageUp => Some(Action::Page(true)),
        KeyCode::PageDown => Some(Action::Page(false)),
        KeyCode::F(1) => Some(Action::ToggleHelp),
        KeyCode::Esc => Some(Action::Escape),
        _ => None,
    }
}

fn ctrl_action(code: KeyCode) -> Option<Action> {
    let edit = |k| Some(Action::Edit(k));
    match code {
        KeyCode::Char('c') => Some(Action::Quit),
        KeyCode::Char('a') => edit(EditKey::Home),
        KeyCode::Char('e') => edit(EditKey::End),
        KeyCode::Char('b') => edit(EditKey::Left),
        KeyCode::Char('f') => edit(EditKey::Right),
        KeyCode::Char('d') => edit(EditKey::Delete),
        KeyCode::Char('h') => edit(EditKey::Backspace),
        KeyCode::Char('w') => edit(EditKey::KillWord),
        KeyCode::Char('u') => edit(EditKey::KillToStart),
        KeyCode::Char('k') => edit(EditKey::KillToEnd),
        KeyCode::Char('p') => Some(Action::Switch(-1)),
        KeyCode::Char('n') => Some(Action::Switch(1)),
        // Ctrl-J is a newline in many terminals without Alt-Enter.
        KeyCode::Char('j') => Some(Action::Newline),
        KeyCode::Backspace => edit(EditKey::KillWord),
        _ => None,
    }
}

fn alt_action(code: KeyCode) -> Option<Action> {
    match code {
        KeyCode::Enter => Some(Action::Newline),
        KeyCode::Char('b') => Some(Action::Edit(EditKey::WordLeft)),
        KeyCode::Char('f') => Some(Action::Edit(EditKey::WordRight)),
        KeyCode::Char(c @ '1'..='9') => Some(Action::Pick(c as usize - '1' as usize)),
        KeyCode::Up => Some(Action::Switch(-1)),
        KeyCode::Down => Some(Action::Switch(1)),
        KeyCode::Backspace => Some(Action::Edit(EditKey::KillWord)),
        _ => None,
    }
}
