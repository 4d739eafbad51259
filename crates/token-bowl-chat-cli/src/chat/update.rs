//! How each [`Action`] changes the [`App`], and the [`Effect`]s it asks for.

use std::time::Instant;

use chrono::Utc;
use token_bowl_chat::{Message, Role, User, realtime::Event};

use super::{
    app::{
        Action, App, ConvId, EditKey, Effect, Entry, Link, POLL_EVERY, SendOutcome, Source, Status,
        TYPING_EVERY, TYPING_SHOWS, UserInfo,
    },
    outbox::{RETRY_AFTER, State},
    view,
};

/// The commands, as Tab completes them.
pub const COMMANDS: [&str; 5] = ["/dm ", "/room", "/who", "/help", "/quit"];

impl App {
    /// Applies one action at `now`; returns what the outside should do.
    pub fn apply(&mut self, action: Action, now: Instant) -> Vec<Effect> {
        self.now = now;
        let mut effects = Vec::new();
        match action {
            Action::Insert(text) => {
                self.editor.insert(&text);
                self.typed(&mut effects);
            }
            Action::Newline => self.editor.insert("\n"),
            Action::Submit => self.submit(&mut effects),
            Action::Edit(key) => self.edit(key),
            Action::Complete => self.complete(),
            Action::Scroll(lines) => self.scroll(lines, &mut effects),
            Action::Page(up) => {
                let page = self.pane.1.saturating_sub(2).max(1) as isize;
                self.scroll(if up { page } else { -page }, &mut effects);
            }
            Action::Switch(by) => self.switch(by, &mut effects),
            Action::Pick(n) => {
                if let Some(id) = self.order().get(n).map(|c| c.id.clone()) {
                    self.open(id, &mut effects);
                }
            }
            Action::ToggleHelp => self.help = !self.help,
            Action::Escape => self.help = false,
            Action::Quit => {
                self.quit = true;
                effects.push(Effect::Quit);
            }
            Action::Resize(w, h) => self.pane = (w, h),
            Action::Tick => self.tick(&mut effects),
            Action::Live(event) => self.live(event, &mut effects),
            Action::Fetched(messages) => self.fetched(&messages, &mut effects),
            Action::Older(source, messages, more) => self.older(source, &messages, more),
            Action::Users(users, list) => self.users_known(&users, list),
            Action::Offline(why) => self.offline = why,
            Action::Sent(local, outcome) => self.sent(local, outcome),
        }
        if let Some(effect) = self.outbox.next_effect(now) {
            let shown = match &effect {
                Effect::Send(local, ..) => Some((*local, Status::Sending)),
                Effect::FindSent(local, ..) => Some((*local, Status::Checking)),
                _ => None,
            };
            if let Some((local, status)) = shown
                && let Some(e) = self.local_entry(local)
            {
                e.status = status;
            }
            effects.push(effect);
        }
        effects
    }

    fn edit(&mut self, key: EditKey) {
        let e = &mut self.editor;
        match key {
            EditKey::Backspace => e.backspace(),
            EditKey::Delete => e.delete(),
            EditKey::Left => e.step(-1),
            EditKey::Right => e.step(1),
            EditKey::Home => e.home(),
            EditKey::End => e.end(),
            EditKey::WordLeft => e.word_left(),
            EditKey::WordRight => e.word_right(),
            EditKey::KillWord => e.kill_word(),
            EditKey::KillToStart => e.kill_to_start(),
            EditKey::KillToEnd => e.kill_to_end(),
            EditKey::HistoryPrev => e.history_prev(),
            EditKey::HistoryNext => e.history_next(),
        }
    }

    /// Text was typed: the typing indicator, at most one per 3 s, and not
    /// for commands.
    fn typed(&mut self, effects: &mut Vec<Effect>) {
        if self.editor.text().starts_with('/') {
            return;
        }
        if self
            .typing_sent
            .is_none_or(|at| self.now.duration_since(at) >= TYPING_EVERY)
        {
            self.typing_sent = Some(self.now);
            effects.push(Effect::Typing(self.open.to().map(str::to_owned)));
        }
    }

    fn complete(&mut self) {
        let names: Vec<String> = self
            .users
            .keys()
            .filter(|n| **n != self.me)
            .map(|n| format!("@{n}"))
            .collect();
        let at_start = self.editor.text().trim_start().split(' ').count() <= 1;
        let dm_arg = self.editor.text().starts_with("/dm ");
        self.editor.complete(|word| {
            if word.starts_with('/') && at_start {
                COMMANDS
                    .iter()
                    .filter(|c| c.starts_with(word))
                    .map(|c| c.to_string())
                    .collect()
            } else if dm_arg && !word.starts_with('@') {
                names
                    .iter()
                    .filter(|n| n[1..].starts_with(word))
                    .map(|n| n[1..].to_owned())
                    .collect()
            } else if word.starts_with('@') {
                names
                    .iter()
                    .filter(|n| n.starts_with(word))
                    .cloned()
                    .collect()
            } else {
                Vec::new()
            }
        });
    }

    fn submit(&mut self, effects: &mut Vec<Effect>) {
        let text = self.editor.take();
        if text.trim().is_empty() {
            return;
        }
        if let Some(command) = text.trim().strip_prefix('/')
            && !command.starts_with('/')
        {
            return self.command(command, effects);
        }
        // `//text` sends `/text`.
        let text = text.strip_prefix('/').unwrap_or(&text).trim_end();
        let to = self.open.to().map(str::to_owned);
        let local = self.outbox.push(to, text.to_owned());
        let me = self.me.clone();
        let open = self.open.clone();
        let conv = self.conv_mut(&open);
        conv.entries.push(Entry {
            id: None,
            local: Some(local),
            time: Utc::now(),
            from: me,
            text: text.to_owned(),
            bot: false,
            read: false,
            status: Status::Queued,
        });
        conv.scroll = 0;
    }

    fn command(&mut self, command: &str, effects: &mut Vec<Effect>) {
        let (name, arg) = command.split_once(' ').unwrap_or((command, ""));
        let arg = arg.trim().trim_start_matches('@');
        match name {
            "quit" | "exit" | "q" => {
                self.quit = true;
                effects.push(Effect::Quit);
            }
            "room" => self.open(ConvId::Room, effects),
            "dm" | "msg" if arg.is_empty() || arg.contains(' ') => {
                self.notice("usage: /dm USER");
            }
            "dm" | "msg" if arg == self.me => self.notice("that is you"),
            "dm" | "msg" => self.open(ConvId::Direct(arg.to_owned()), effects),
            "who" => effects.push(Effect::FetchUsers(true)),
            "help" => self.help = true,
            other => self.notice(format!("unknown command /{other}: /help lists them")),
        }
    }

    /// Opens a conversation and marks what is unread there read.
    pub fn open(&mut self, id: ConvId, effects: &mut Vec<Effect>) {
        self.conv_mut(&id);
        self.open = id.clone();
        self.mark_read(effects);
    }

    fn mark_read(&mut self, effects: &mut Vec<Effect>) {
        let open = self.open.clone();
        let unread = std::mem::take(&mut self.conv_mut(&open).unread);
        if !unread.is_empty() {
            effects.push(Effect::MarkRead(unread));
        }
    }

    fn switch(&mut self, by: isize, effects: &mut Vec<Effect>) {
        let order: Vec<ConvId> = self.order().iter().map(|c| c.id.clone()).collect();
        let at = order.iter().position(|c| *c == self.open).unwrap_or(0);
        let next = (at as isize + by).rem_euclid(order.len() as isize) as usize;
        self.open(order[next].clone(), effects);
    }

    fn scroll(&mut self, lines: isize, effects: &mut Vec<Effect>) {
        let (width, height) = self.pane;
        let conv = self.open_conv();
        let wanted = conv.scroll.saturating_add_signed(lines);
        // Lines above the bottom page, counted only as far as needed.
        let total = view::count_lines(self, conv, width, wanted + height as usize + 1);
        let top = total.saturating_sub(height as usize);
        let open = self.open.clone();
        self.conv_mut(&open).scroll = wanted.min(top);
        if lines > 0 && wanted >= top {
            let source = match open {
                ConvId::Room => Source::Room,
                ConvId::Direct(_) => Source::Direct,
            };
            let paging = self.paging_mut(source);
            if paging.more && !paging.loading {
                paging.loading = true;
                effects.push(Effect::LoadOlder(source));
            }
        }
    }

    fn tick(&mut self, effects: &mut Vec<Effect>) {
        let now = self.now;
        self.typing
            .retain(|(_, _, since)| now.duration_since(*since) < TYPING_SHOWS);
        let live = self.link == Link::Connected;
        if !live
            && self
                .polled
                .is_none_or(|at| now.duration_since(at) >= POLL_EVERY)
        {
            self.polled = Some(now);
            effects.push(Effect::Poll);
        }
    }

    fn live(&mut self, event: Event, effects: &mut Vec<Effect>) {
        match event {
            Event::Message(m) => self.fetched(std::slice::from_ref(&*m), effects),
            Event::Typing(t) if t.username != self.me => {
                self.typing
                    .retain(|(who, to, _)| *who != t.username || *to != t.to);
                self.typing.push((t.username, t.to, self.now));
            }
            Event::ReadReceipt(r) if r.read_by != self.me => {
                for conv in &mut self.convs {
                    if let Some(e) = conv
                        .entries
                        .iter_mut()
                        .rev()
                        .find(|e| e.id == Some(r.message_id))
                    {
                        e.read = true;
                    }
                }
            }
            Event::Connected => {
                self.link = Link::Connected;
                // What came before real time was up, and any gap.
                effects.push(Effect::Poll);
            }
            Event::Disconnected(d) if d.will_reconnect && self.link == Link::Connected => {
                self.link = Link::Reconnecting;
            }
            Event::Disconnected(d) if d.will_reconnect => {}
            Event::Disconnected(d) => self.link = Link::Polling(d.reason),
            Event::Error(e) if matches!(self.link, Link::Connecting | Link::Polling(_)) => {
                self.link = Link::Polling(e.message);
            }
            _ => {}
        }
    }

    /// New messages: each taken once; unread where not open, marked read
    /// where open; a typing indicator ends with its typist's message.
    fn fetched(&mut self, messages: &[Message], effects: &mut Vec<Effect>) {
        let mut read_now = Vec::new();
        for m in messages {
            self.typing
                .retain(|(who, to, _)| *who != m.from_username || *to != m.to_username);
            if let Some(conv) = self.take_in(m) {
                if conv == self.open {
                    read_now.push(m.id);
                } else {
                    self.conv_mut(&conv).unread.push(m.id);
                }
            }
        }
        if !read_now.is_empty() {
            effects.push(Effect::MarkRead(read_now));
        }
    }

    fn older(&mut self, source: Source, messages: &[Message], more: bool) {
        *self.paging_mut(source) = super::app::Paging {
            more,
            loading: false,
        };
        for m in messages {
            self.take_in(m);
        }
    }

    fn users_known(&mut self, users: &[User], list: bool) {
        // Tags ([bot], [admin]) may change how lines wrap.
        for conv in &self.convs {
            conv.heights.borrow_mut().clear();
        }
        for u in users {
            self.users.insert(
                u.username.clone(),
                UserInfo {
                    bot: u.bot,
                    admin: u.role == Role::Admin,
                },
            );
        }
        if list {
            let names: Vec<String> = users
                .iter()
                .map(|u| match (u.bot, u.role == Role::Admin) {
                    (true, _) => format!("{} (bot)", u.username),
                    (_, true) => format!("{} (admin)", u.username),
                    _ => u.username.clone(),
                })
                .collect();
            self.notice(format!("{} users: {}", names.len(), names.join(", ")));
        }
    }

    fn sent(&mut self, local: u64, outcome: SendOutcome) {
        let now = self.now;
        let status = match outcome {
            SendOutcome::Stored(m) => return self.stored(local, &m),
            SendOutcome::Offline(why) => {
                self.offline = Some(why);
                self.set_state(local, State::Queued(Some(now + RETRY_AFTER)));
                Status::Queued
            }
            SendOutcome::Unknown(at) => {
                self.set_state(local, State::Unknown(at, None));
                Status::Checking
            }
            SendOutcome::NotStored => {
                self.set_state(local, State::Queued(None));
                Status::Queued
            }
            SendOutcome::StillUnknown(why) => {
                self.offline = Some(why);
                if let Some(p) = self.outbox.get_mut(local)
                    && let State::Checking(at) = p.state
                {
                    p.state = State::Unknown(at, Some(now + RETRY_AFTER));
                }
                Status::Checking
            }
            SendOutcome::Failed(why) => {
                self.outbox.remove(local);
                Status::Failed(why)
            }
        };
        if let Some(e) = self.local_entry(local) {
            e.status = status;
        }
    }

    fn set_state(&mut self, local: u64, state: State) {
        if let Some(p) = self.outbox.get_mut(local) {
            p.state = state;
        }
    }

    fn local_entry(&mut self, local: u64) -> Option<&mut Entry> {
        self.convs
            .iter_mut()
            .flat_map(|c| c.entries.iter_mut().rev())
            .find(|e| e.local == Some(local))
    }

    /// A send was stored: its line becomes the stored message (or goes,
    /// if real time brought the message first).
    fn stored(&mut self, local: u64, m: &Message) {
        self.outbox.remove(local);
        self.offline = None;
        let conv = self.conv_of(m);
        let c = self.conv_mut(&conv);
        let Some(at) = c.entries.iter().position(|e| e.local == Some(local)) else {
            return;
        };
        if !c.ids.insert(m.id) {
            c.entries.remove(at);
            return;
        }
        let e = &mut c.entries[at];
        e.id = Some(m.id);
        e.local = None;
        e.time = m.timestamp;
        e.status = Status::Stored;
        c.last_activity = c.last_activity.max(Some(m.timestamp));
    }
}
