//! The app's state: conversations, the input line, the connection, and
//! what changes them ([`Action`]) and what they ask the outside to do
//! ([`Effect`]).

use std::{
    cell::RefCell,
    collections::{BTreeMap, HashMap, HashSet},
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use token_bowl_chat::{Message, User, Uuid, realtime::Event};

pub use super::effect::{Effect, Source};
use super::{editor::Editor, outbox::Outbox, theme::Theme};

/// Which conversation: the room, or the direct messages with one person.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConvId {
    /// The room everyone shares.
    Room,
    /// Direct messages with this user.
    Direct(String),
}

impl ConvId {
    /// The recipient a send here goes to (`None`: the room).
    pub fn to(&self) -> Option<&str> {
        match self {
            ConvId::Room => None,
            ConvId::Direct(name) => Some(name),
        }
    }

    /// The name shown for it.
    pub fn label(&self) -> String {
        match self {
            ConvId::Room => "# room".into(),
            ConvId::Direct(name) => format!("@{name}"),
        }
    }
}

/// The state of a line in a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// A message the server has.
    Stored,
    /// Waiting to be sent (offline, or behind another send).
    Queued,
    /// Being sent.
    Sending,
    /// The send's outcome is unknown; the history is being asked.
    Checking,
    /// Not sent, and why.
    Failed(String),
    /// A line from the client itself (command output, errors).
    Notice,
}

/// One line of a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The server's id (`None` until stored, and for notices).
    pub id: Option<Uuid>,
    /// The outbox's number for an own send not yet stored.
    pub local: Option<u64>,
    /// When it was sent.
    pub time: DateTime<Utc>,
    /// Who wrote it.
    pub from: String,
    /// What it says.
    pub text: String,
    /// Written by a bot.
    pub bot: bool,
    /// Someone else has read it (a read receipt came for it).
    pub read: bool,
    /// Where it stands.
    pub status: Status,
}

/// One conversation: its lines, oldest first, and what is unread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    /// Which one.
    pub id: ConvId,
    /// Its lines, oldest first.
    pub entries: Vec<Entry>,
    /// The ids of its messages, to take each message once.
    pub ids: HashSet<Uuid>,
    /// Messages from others not yet marked read.
    pub unread: Vec<Uuid>,
    /// The newest activity, for the order of the list.
    pub last_activity: Option<DateTime<Utc>>,
    /// How many screen lines up from the newest the view is scrolled.
    pub scroll: usize,
    /// Screen lines of stored messages by (id, width, read): a memo of
    /// the drawing, so scrolling far up stays cheap.
    pub heights: RefCell<HashMap<(Uuid, u16, bool), u16>>,
}

impl Conversation {
    /// An empty conversation.
    pub fn new(id: ConvId) -> Self {
        Self {
            id,
            entries: Vec::new(),
            ids: HashSet::new(),
            unread: Vec::new(),
            last_activity: None,
            scroll: 0,
            heights: RefCell::new(HashMap::new()),
        }
    }

    /// Adds a stored message in time order, once: `false` if it was here.
    pub fn add(&mut self, entry: Entry) -> bool {
        if let Some(id) = entry.id
            && !self.ids.insert(id)
        {
            return false;
        }
        self.last_activity = self.last_activity.max(Some(entry.time));
        // Almost always the newest (live) or the oldest (history).
        let at = match self.entries.last() {
            Some(last) if last.time <= entry.time => self.entries.len(),
            _ => self.entries.partition_point(|e| e.time <= entry.time),
        };
        self.entries.insert(at, entry);
        true
    }
}

/// The real-time connection, as the status line shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Connecting for the first time.
    Connecting,
    /// Live.
    Connected,
    /// Lost; the SDK reconnects (the history is polled meanwhile).
    Reconnecting,
    /// No real time (the server has none, or it cannot be reached): the
    /// history is polled.
    Polling(String),
}

/// What is known about a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UserInfo {
    /// A bot.
    pub bot: bool,
    /// An admin.
    pub admin: bool,
}

/// How far a history has been loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// There is more before what is loaded.
    pub more: bool,
    /// A page is on its way.
    pub loading: bool,
}

impl Default for Paging {
    fn default() -> Self {
        Self {
            more: true,
            loading: false,
        }
    }
}

/// Everything that changes the app: keys (through `keys::action`), and
/// what comes back from the server.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Type text (a key, or a bracketed paste kept whole).
    Insert(String),
    /// Alt-Enter: a new line in the message.
    Newline,
    /// Enter: send the message or run the command.
    Submit,
    /// An editing key.
    Edit(EditKey),
    /// Tab.
    Complete,
    /// Scroll up (positive) or down (negative) by lines.
    Scroll(isize),
    /// Scroll by a page up (`true`) or down.
    Page(bool),
    /// Next (`1`) or previous (`-1`) conversation in the list.
    Switch(isize),
    /// The n-th conversation in the list (Alt-1..9).
    Pick(usize),
    /// `?` or F1: show or hide the keys.
    ToggleHelp,
    /// Esc.
    Escape,
    /// Ctrl-C or `/quit`.
    Quit,
    /// The messages pane is this many columns and rows now.
    Resize(u16, u16),
    /// Time passes (expires typing, retries sends, polls when offline).
    Tick,
    /// A real-time event.
    Live(Event),
    /// New messages from a poll or a catch-up (any source, any order).
    Fetched(Vec<Message>),
    /// An older page of history (`more`: there is more before it).
    Older(Source, Vec<Message>, bool),
    /// The users, for completion, `/who` and who is an admin.
    Users(Vec<User>, bool),
    /// A REST call could not reach the server (`None`: one could again).
    Offline(Option<String>),
    /// The outcome of a send (see `outbox`).
    Sent(u64, SendOutcome),
}

/// The readline keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditKey {
    /// Backspace.
    Backspace,
    /// Delete, Ctrl-D.
    Delete,
    /// Left, Ctrl-B.
    Left,
    /// Right, Ctrl-F.
    Right,
    /// Home, Ctrl-A.
    Home,
    /// End, Ctrl-E.
    End,
    /// Alt-B.
    WordLeft,
    /// Alt-F.
    WordRight,
    /// Ctrl-W.
    KillWord,
    /// Ctrl-U.
    KillToStart,
    /// Ctrl-K.
    KillToEnd,
    /// Up.
    HistoryPrev,
    /// Down.
    HistoryNext,
}

/// How a send ended.
#[derive(Debug, Clone, PartialEq)]
pub enum SendOutcome {
    /// Stored: the message.
    Stored(Box<Message>),
    /// Nothing reached the server; send it later.
    Offline(String),
    /// Perhaps stored: ask the history (`find_sent`) from this time.
    Unknown(DateTime<Utc>),
    /// `find_sent` says it was not stored: send it again.
    NotStored,
    /// `find_sent` could not answer: ask again later.
    StillUnknown(String),
    /// Refused, and why.
    Failed(String),
}

/// How long a typing indicator shows.
pub const TYPING_SHOWS: Duration = Duration::from_secs(6);
/// At most one typing indicator sent per this.
pub const TYPING_EVERY: Duration = Duration::from_secs(3);
/// How often the history is polled while real time is down.
pub const POLL_EVERY: Duration = Duration::from_secs(3);

/// The whole app.
#[derive(Debug)]
pub struct App {
    /// Who I am.
    pub me: String,
    /// The conversations (the room first; the list sorts them for display).
    pub convs: Vec<Conversation>,
    /// The one shown.
    pub open: ConvId,
    /// The input line.
    pub editor: Editor,
    /// The real-time connection.
    pub link: Link,
    /// Why the server cannot be reached (`None`: it can).
    pub offline: Option<String>,
    /// Who is typing (name, to whom, since when).
    pub typing: Vec<(String, Option<String>, Instant)>,
    /// Known users.
    pub users: BTreeMap<String, UserInfo>,
    /// The keys are shown.
    pub help: bool,
    /// Sends not yet stored.
    pub outbox: Outbox,
    /// When the last typing indicator went out.
    pub typing_sent: Option<Instant>,
    /// When the history was last polled.
    pub polled: Option<Instant>,
    /// The newest room and direct message times the server has shown
    /// (in its lists or in real time): where a poll starts. Own sends do
    /// not count: something sent just before them may not have been seen.
    pub seen: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    /// The room's history paging.
    pub room_paging: Paging,
    /// The direct messages' history paging.
    pub direct_paging: Paging,
    /// Colours or none.
    pub theme: Theme,
    /// Times in UTC rather than local time.
    pub utc: bool,
    /// The messages pane: columns, rows.
    pub pane: (u16, u16),
    /// The time now (set by every action).
    pub now: Instant,
    /// Leaving.
    pub quit: bool,
}

impl App {
    /// A new app for `me`, with the room open.
    pub fn new(me: &str, theme: Theme, utc: bool, now: Instant) -> Self {
        Self {
            me: me.to_owned(),
            convs: vec![Conversation::new(ConvId::Room)],
            open: ConvId::Room,
            editor: Editor::default(),
            link: Link::Connecting,
            offline: None,
            typing: Vec::new(),
            users: BTreeMap::new(),
            help: false,
            outbox: Outbox::default(),
            typing_sent: None,
            polled: None,
            seen: (None, None),
            room_paging: Paging::default(),
            direct_paging: Paging::default(),
            theme,
            utc,
            pane: (80, 20),
            now,
            quit: false,
        }
    }

    /// The paging of a history.
    pub fn paging_mut(&mut self, source: Source) -> &mut Paging {
        match source {
            Source::Room => &mut self.room_paging,
            Source::Direct => &mut self.direct_paging,
        }
    }

    /// The conversation `id`, made if new.
    pub fn conv_mut(&mut self, id: &ConvId) -> &mut Conversation {
        match self.convs.iter().position(|c| &c.id == id) {
            Some(at) => &mut self.convs[at],
            None => {
                self.convs.push(Conversation::new(id.clone()));
                self.convs.last_mut().expect("just pushed")
            }
        }
    }

    /// The conversation `id`, if it exists.
    pub fn conv(&self, id: &ConvId) -> Option<&Conversation> {
        self.convs.iter().find(|c| &c.id == id)
    }

    /// The open conversation.
    pub fn open_conv(&self) -> &Conversation {
        self.conv(&self.open).unwrap_or(&self.convs[0])
    }

    /// The conversations as listed: newest activity first (the room first
    /// among those without any).
    pub fn order(&self) -> Vec<&Conversation> {
        let mut list: Vec<&Conversation> = self.convs.iter().collect();
        list.sort_by(|a, b| {
            b.last_activity
                .cmp(&a.last_activity)
                .then_with(|| a.id.cmp(&b.id))
        });
        list
    }

    /// The conversation a message belongs to, from my side.
    pub fn conv_of(&self, m: &Message) -> ConvId {
        match &m.to_username {
            None => ConvId::Room,
            Some(to) if *to == self.me => ConvId::Direct(m.from_username.clone()),
            Some(to) => ConvId::Direct(to.clone()),
        }
    }

    /// Whether `text` mentions me (`@me`, any case, not inside a longer name).
    pub fn mentions_me(&self, text: &str) -> bool {
        let lower = text.to_lowercase();
        let me = format!("@{}", self.me.to_lowercase());
        lower.match_indices(&me).any(|(at, _)| {
            let before_ok = lower[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let after_ok = lower[at + me.len()..]
                .chars()
                .next()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '-'));
            before_ok && after_ok
        })
    }

    /// Who is typing in the open conversation, not expired.
    pub fn typists(&self) -> Vec<&str> {
        self.typing
            .iter()
            .filter(|(who, to, since)| {
                self.now.duration_since(*since) < TYPING_SHOWS
                    && match &self.open {
                        ConvId::Room => to.is_none(),
                        ConvId::Direct(partner) => to.is_some() && who == partner,
                    }
            })
            .map(|(who, _, _)| who.as_str())
            .collect()
    }

    /// Adds a notice line to the open conversation.
    pub fn notice(&mut self, text: impl Into<String>) {
        let open = self.open.clone();
        let conv = self.conv_mut(&open);
        let time = conv.entries.last().map_or_else(Utc::now, |e| e.time);
        conv.entries.push(Entry {
            id: None,
            local: None,
            time,
            from: "*".into(),
            text: text.into(),
            bot: false,
            read: false,
            status: Status::Notice,
        });
        conv.scroll = 0;
    }

    /// Takes in a stored message once. Returns its conversation if it was
    /// new and from someone else (so unread, unless open).
    pub fn take_in(&mut self, m: &Message) -> Option<ConvId> {
        let seen = match m.to_username {
            None => &mut self.seen.0,
            Some(_) => &mut self.seen.1,
        };
        *seen = (*seen).max(Some(m.timestamp));
        let conv = self.conv_of(m);
        let mine = m.from_username == self.me;
        if m.from_user_bot {
            self.users.entry(m.from_username.clone()).or_default().bot = true;
        } else {
            self.users.entry(m.from_username.clone()).or_default();
        }
        let c = self.conv_mut(&conv);
        // An own send shown while it was on its way becomes the stored one.
        if mine && c.entries.iter().any(|e| e.id == Some(m.id)) {
            return None;
        }
        let added = c.add(Entry {
            id: Some(m.id),
            local: None,
            time: m.timestamp,
            from: m.from_username.clone(),
            text: m.content.clone(),
            bot: m.from_user_bot,
            read: false,
            status: Status::Stored,
        });
        if !added || mine {
            return None;
        }
        Some(conv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_need_the_whole_name() {
        let app = App::new("alice", Theme::plain(), true, Instant::now());
        assert!(app.mentions_me("hi @Alice!"));
        assert!(app.mentions_me("@alice"));
        assert!(!app.mentions_me("hi @alice_bot"));
        assert!(!app.mentions_me("bob@alice.com"));
        assert!(!app.mentions_me("alice"));
    }
}
