//! What the first screen needs, fetched at once, and the history streams
//! that later pages come from.

use std::{pin::Pin, sync::Arc, time::Instant};

use futures::{Stream, StreamExt};
use token_bowl_chat::{Client, Error, HistoryOptions, Message, Page};
use tokio::sync::Mutex;

use super::{
    app::{Action, App, ConvId, Effect, Source},
    theme::Theme,
};

/// Messages per history page.
pub const PAGE: usize = 50;

/// A history stream, newest first (the SDK's: no message twice, none skipped).
pub type History = Arc<Mutex<Pin<Box<dyn Stream<Item = Result<Message, Error>> + Send>>>>;

/// The room's and the direct messages' history streams.
#[derive(Clone)]
pub struct Histories {
    /// The room's.
    pub room: History,
    /// All direct messages.
    pub direct: History,
}

impl Histories {
    /// New streams from the newest message back.
    pub fn new(client: &Client) -> Self {
        let options = HistoryOptions::new().page_size(PAGE as u64);
        Self {
            room: Arc::new(Mutex::new(Box::pin(client.room_history(options)))),
            direct: Arc::new(Mutex::new(Box::pin(client.direct_history(options)))),
        }
    }

    /// The stream of `source`.
    pub fn of(&self, source: Source) -> &History {
        match source {
            Source::Room => &self.room,
            Source::Direct => &self.direct,
        }
    }
}

/// The next (older) page of a history: the messages and whether there is
/// more. An error after some messages keeps those.
pub async fn older(history: &History) -> (Vec<Message>, bool, Option<Error>) {
    let mut stream = history.lock().await;
    let mut page = Vec::with_capacity(PAGE);
    while page.len() < PAGE {
        match stream.next().await {
            Some(Ok(m)) => page.push(m),
            Some(Err(e)) => return (page, true, Some(e)),
            None => return (page, false, None),
        }
    }
    (page, true, None)
}

/// The first screen: who I am, the users, the newest page of the room and
/// of the direct messages, and what is unread. Returns the app and what it
/// asks for at once (marking the open conversation read).
pub async fn first_screen(
    client: &Client,
    histories: &Histories,
    theme: Theme,
    utc: bool,
    dm: Option<String>,
) -> Result<(App, Vec<Effect>), Error> {
    let unread_page = Page::new().limit(100);
    let (me, users, room, direct, unread_room, unread_direct) = futures::join!(
        client.me(),
        client.users(),
        older(&histories.room),
        older(&histories.direct),
        client.unread_messages(unread_page),
        client.unread_direct_messages(unread_page),
    );
    let me = me?;
    let now = Instant::now();
    let mut app = App::new(&me.username, theme, utc, now);
    let mut effects = Vec::new();
    // The user list is a nicety (completion, admin marks): not fatal.
    effects.extend(app.apply(Action::Users(users.unwrap_or_default(), false), now));
    for (source, (page, more, error)) in [(Source::Room, room), (Source::Direct, direct)] {
        if let Some(e) = error {
            return Err(e);
        }
        effects.extend(app.apply(Action::Older(source, page, more), now));
    }
    let mut unread = unread_room?;
    unread.extend(unread_direct?);
    app.unread(&unread);
    let open = match dm {
        Some(name) if name != app.me => ConvId::Direct(name.trim_start_matches('@').to_owned()),
        _ => ConvId::Room,
    };
    app.open(open, &mut effects);
    Ok((app, effects))
}

impl App {
    /// Messages the server counts as unread: each in its conversation,
    /// counted there.
    pub fn unread(&mut self, messages: &[Message]) {
        for m in messages {
            self.take_in(m);
            if m.from_username == self.me {
                continue;
            }
            let conv = self.conv_of(m);
            let c = self.conv_mut(&conv);
            if !c.unread.contains(&m.id) {
                c.unread.push(m.id);
            }
        }
    }
}
