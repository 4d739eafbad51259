//! The event loop: terminal events, real-time events and the answers of
//! the SDK's calls become actions; the app's effects become calls.

use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, EventStream};
use futures::StreamExt;
use token_bowl_chat::{
    Client, Error, MessageQuery, RealtimeError, RealtimeErrorKind, UnknownSend, realtime::Event,
};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use super::{
    ChatArgs,
    app::{Action, App, Effect, SendOutcome},
    keys,
    load::{self, Histories},
    term::Screen,
    theme::Theme,
    view,
};
use crate::failure::Failure;

/// How far before the newest message seen a poll starts.
const POLL_MARGIN_SECONDS: i64 = 30;
/// How often time passes for the app (typing expiry, retries, polls).
const TICK: Duration = Duration::from_millis(250);
/// How long to wait before asking for a real-time connection again after
/// the token could not be had.
const TOKEN_RETRY: Duration = Duration::from_secs(30);

/// Runs the chat on the terminal until the app quits.
pub async fn run(client: Client, args: ChatArgs, utc: bool) -> Result<(), Failure> {
    let histories = Histories::new(&client);
    let (mut app, effects) =
        load::first_screen(&client, &histories, Theme::from_env(), utc, args.dm).await?;
    let (tx, mut rx) = unbounded_channel();
    let live = tokio::spawn(realtime(client.clone(), tx.clone()));
    let calls = Calls {
        client,
        histories,
        tx,
    };
    for effect in effects {
        calls.start(&app, effect);
    }
    let mut screen = Screen::enter()?;
    let mut terminal_events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    loop {
        let size = screen.terminal.size()?;
        let pane = view::message_pane(size.into(), &app);
        if pane != app.pane {
            app.apply(Action::Resize(pane.0, pane.1), Instant::now());
        }
        screen.terminal.draw(|frame| view::draw(frame, &app))?;
        let action = tokio::select! {
            event = terminal_events.next() => match event {
                Some(Ok(TermEvent::Resize(..))) => None,
                Some(Ok(event)) => keys::action(&app, &event),
                Some(Err(_)) | None => Some(Action::Quit),
            },
            Some(action) = rx.recv() => Some(action),
            _ = tick.tick() => Some(Action::Tick),
            _ = tokio::signal::ctrl_c() => Some(Action::Quit),
        };
        let Some(action) = action else { continue };
        for effect in app.apply(action, Instant::now()) {
            calls.start(&app, effect);
        }
        if app.quit {
            break;
        }
    }
    live.abort();
    drop(screen);
    Ok(())
}

/// Keeps a real-time connection and forwards its events. When not even a
/// token can be had, says so and asks again later; the app polls meanwhile.
async fn realtime(client: Client, tx: UnboundedSender<Action>) {
    loop {
        let connected = client
            .realtime()
            .reconnect_delay(Duration::from_millis(500), Duration::from_secs(20))
            .connect()
            .await;
        match connected {
            Ok(live) => {
                let mut events = live.events();
                while let Some(event) = events.next().await {
                    if tx.send(Action::Live(event)).is_err() {
                        break;
                    }
                }
                live.close().await;
                return;
            }
            Err(e) => {
                let error = RealtimeError::new(RealtimeErrorKind::Token, e.to_string());
                if tx.send(Action::Live(Event::Error(error))).is_err() {
                    return;
                }
                tokio::time::sleep(TOKEN_RETRY).await;
            }
        }
    }
}

/// Starts the calls effects ask for; each answers with an action.
struct Calls {
    client: Client,
    histories: Histories,
    tx: UnboundedSender<Action>,
}

/// Whether an error means the server could not be reached at all.
fn unreachable(e: &Error) -> bool {
    matches!(
        e,
        Error::Connect { .. } | Error::Timeout { .. } | Error::Transport { .. }
    )
}

impl Calls {
    fn start(&self, app: &App, effect: Effect) {
        let client = self.client.clone();
        let tx = self.tx.clone();
        match effect {
            Effect::Quit => {}
            Effect::Send(local, to, content) => {
                tokio::spawn(async move {
                    let result = match &to {
                        Some(to) => client.send_direct_message(to, &content).await,
                        None => client.send_message(&content).await,
                    };
                    let _ = tx.send(Action::Sent(local, send_outcome(result)));
                });
            }
            Effect::FindSent(local, to, content, at) => {
                tokio::spawn(async move {
                    let outcome = match client.find_sent(&UnknownSend::new(content, to, at)).await {
                        Ok(Some(m)) => SendOutcome::Stored(Box::new(m)),
                        Ok(None) => SendOutcome::NotStored,
                        Err(e) => SendOutcome::StillUnknown(e.to_string()),
                    };
                    let _ = tx.send(Action::Sent(local, outcome));
                });
            }
            Effect::Typing(to) => {
                tokio::spawn(async move {
                    let _ = client.typing(to.as_deref()).await;
                });
            }
            Effect::MarkRead(ids) => {
                tokio::spawn(async move {
                    for id in ids {
                        // A message the server has pruned (it keeps 100)
                        // answers 404: nothing left to mark.
                        let _ = client.mark_read(id).await;
                    }
                });
            }
            Effect::LoadOlder(source) => {
                let history = self.histories.of(source).clone();
                tokio::spawn(async move {
                    let (page, more, error) = load::older(&history).await;
                    if let Some(e) = error {
                        let _ = tx.send(Action::Offline(Some(e.to_string())));
                    }
                    let _ = tx.send(Action::Older(source, page, more));
                });
            }
            Effect::Poll => self.poll(app),
            Effect::FetchUsers(list) => {
                tokio::spawn(async move {
                    match client.users().await {
                        Ok(users) => drop(tx.send(Action::Users(users, list))),
                        Err(e) => drop(tx.send(Action::Offline(Some(e.to_string())))),
                    }
                });
            }
        }
    }

    /// Fetches what came after the newest message seen, room and direct.
    fn poll(&self, app: &App) {
        // A margin before the newest seen: messages stored at nearly the
        // same time can arrive in either order. Ids keep each once.
        let margin = chrono::TimeDelta::seconds(POLL_MARGIN_SECONDS);
        let (room_since, direct_since) = (
            app.seen.0.map(|t| t - margin),
            app.seen.1.map(|t| t - margin),
        );
        let client = self.client.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let query = |since: Option<_>| {
                let q = MessageQuery::new().limit(100);
                match since {
                    Some(t) => q.since(t),
                    None => q,
                }
            };
            let (room, direct) = futures::join!(
                client.room_messages(query(room_since)),
                client.direct_messages(query(direct_since))
            );
            match (room, direct) {
                (Ok(room), Ok(direct)) => {
                    let mut all = room.messages;
                    all.extend(direct.messages);
                    // Oldest first, as they happened.
                    all.reverse();
                    let _ = tx.send(Action::Offline(None));
                    let _ = tx.send(Action::Fetched(all));
                }
                (Err(e), _) | (_, Err(e)) if unreachable(&e) => {
                    let _ = tx.send(Action::Offline(Some(e.to_string())));
                }
                (Err(_), _) | (_, Err(_)) => {}
            }
        });
    }
}

/// A send's result as the outbox takes it.
fn send_outcome(result: Result<token_bowl_chat::Message, Error>) -> SendOutcome {
    match result {
        Ok(m) => SendOutcome::Stored(Box::new(m)),
        Err(Error::SendOutcomeUnknown(unknown)) => SendOutcome::Unknown(unknown.attempted_at),
        Err(e @ (Error::Connect { .. } | Error::RateLimited(..))) => {
            SendOutcome::Offline(e.to_string())
        }
        Err(e) => SendOutcome::Failed(e.to_string()),
    }
}
