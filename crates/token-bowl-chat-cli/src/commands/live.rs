//! `live chat` and `live monitor`.

use std::{
    io::{BufRead, IsTerminal},
    sync::mpsc as std_mpsc,
    time::{Duration, Instant},
};

use clap::Subcommand;
use serde_json::Value;
use token_bowl_chat::{
    Client, Error,
    realtime::{Event, EventStream, Realtime},
};
use tokio::sync::mpsc;

use super::shared::{found_note, settle};

use crate::{
    failure::Failure,
    output::{Out, Spinner},
};

#[derive(Debug, Subcommand)]
pub enum Live {
    /// Chat interactively: `@user text` for a direct message, /quit to leave
    Chat,
    /// Print live events (one JSON line each with --format json)
    Monitor,
}

/// Runs a `live` command: until Ctrl-C or `/quit`.
pub async fn run(command: Live, client: &Client, out: &Out) -> Result<(), Failure> {
    match command {
        Live::Chat => chat(client, out).await,
        Live::Monitor => monitor(client, out).await,
    }
}

/// An event as one JSON object, `"event"` naming its kind (the SDK's own
/// serialisation).
pub fn event_json(event: &Event) -> Value {
    serde_json::to_value(event).unwrap_or(Value::Null)
}

/// A disconnect reason as people read it.
fn plain_reason(reason: &str) -> &str {
    if reason.is_empty() {
        "no reason given"
    } else {
        reason
    }
}

/// An event as one line for people; `None` for events not worth a line.
pub fn event_line(out: &Out, me: &str, event: &Event) -> Option<String> {
    Some(match event {
        Event::Message(m) => {
            let time = out.time(m.timestamp);
            match &m.to_username {
                Some(to) if to == me => {
                    format!(
                        "[{time}] {} → you: {}",
                        out.paint(&m.from_username, 35),
                        m.content
                    )
                }
                Some(to) => format!(
                    "[{time}] {} → {to}: {}",
                    out.paint(&m.from_username, 35),
                    m.content
                ),
                None => format!(
                    "[{time}] {}: {}",
                    out.paint(&m.from_username, 36),
                    m.content
                ),
            }
        }
        Event::ReadReceipt(r) => out.paint(&format!("{} read {}", r.read_by, r.message_id), 2),
        Event::Typing(t) if t.username != me => {
            let place = if t.to.is_some() { " (to you)" } else { "" };
            out.paint(&format!("{} is typing…{place}", t.username), 2)
        }
        Event::UnreadCount(u) => {
            out.paint(&format!("unread: {} room, {} direct", u.room, u.direct), 2)
        }
        Event::Connected => out.paint("connected", 32),
        Event::Disconnected(d) if d.will_reconnect => out.paint(
            &format!(
                "connection lost ({}); reconnecting…",
                plain_reason(&d.reason)
            ),
            33,
        ),
        Event::Disconnected(d) => {
            out.paint(&format!("disconnected ({})", plain_reason(&d.reason)), 31)
        }
        // While reconnecting, failed attempts are the reconnect's business:
        // one status line (above) says so.
        Event::Error(_) => return None,
        Event::Unknown { channel, data } => out.paint(&format!("{channel}: {data}"), 2),
        _ => return None,
    })
}

/// How long the first connection may take before a live command gives up.
const FIRST_CONTACT: Duration = Duration::from_secs(5);

/// Connects and waits for the first `Connected`: a live command that cannot
/// reach the real-time server at all fails fast with one plain line, instead
/// of retrying forever. Once connected, reconnects are the SDK's business.
async fn connect(client: &Client) -> Result<(Realtime, EventStream, String), Failure> {
    let _spinner = Spinner::start("connecting");
    let me = client.me().await?.username;
    let live = client.realtime().connect().await?;
    let mut events = live.events();
    let mut last_error = None;
    let first = tokio::time::timeout(FIRST_CONTACT, async {
        while let Some(event) = events.next().await {
            match event {
                Event::Connected => return true,
                // The first attempt failed: say so now rather than retry.
                Event::Error(e) => {
                    last_error = Some(e.message);
                    return false;
                }
                Event::Disconnected(d) if !d.will_reconnect => {
                    last_error = Some(d.reason);
                    return false;
                }
                _ => {}
            }
        }
        false
    })
    .await;
    if first == Ok(true) {
        return Ok((live, events, me));
    }
    let why = last_error.unwrap_or_else(|| format!("no answer in {} s", FIRST_CONTACT.as_secs()));
    let url = live.url().to_owned();
    drop(live);
    Err(Failure::Unreachable(format!(
        "cannot reach the real-time server at {url}: {why} \
         (the server reports this address; set TOKEN_BOWL_CHAT_REALTIME_URL to use another)"
    )))
}

/// Prints events until Ctrl-C, then closes the connection cleanly.
async fn monitor(client: &Client, out: &Out) -> Result<(), Failure> {
    let (live, mut events, me) = connect(client).await?;
    let print = |event: &Event| -> Result<(), Failure> {
        if out.json() {
            out.json_line(&event_json(event))?;
        } else if let Some(line) = event_line(out, &me, event) {
            out.line(&line)?;
        }
        Ok(())
    };
    // The first `Connected` was taken while checking the connection.
    print(&Event::Connected)?;
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            event = events.next() => match event {
                Some(event) => print(&event)?,
                None => return Ok(()),
            }
        }
    }
    // Ctrl-C: close cleanly, quietly, and exit 130 as an interrupted command.
    live.close().await;
    Err(Failure::Interrupted)
}

/// What the input side hands the chat loop.
enum Input {
    Line(String),
    Typing,
    Quit,
}

/// Prints above the prompt without garbling what is being typed.
type Printer = Box<dyn FnMut(String) + Send>;

/// Reads lines on a thread of its own (rustyline on a terminal, plain lines
/// otherwise) and returns how to print.
fn start_input(tx: mpsc::UnboundedSender<Input>) -> Result<Printer, Failure> {
    if !std::io::stdin().is_terminal() {
        std::thread::spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if tx.send(Input::Line(line)).is_err() {
                    return;
                }
            }
            let _ = tx.send(Input::Quit);
        });
        return Ok(Box::new(|text| {
            let _ = crate::output::write_stdout(&format!("{text}\n"));
        }));
    }
    // Without bracketed paste, a pasted text arrives as typed keys: each
    // line is submitted as it comes, and a pasted `/quit⏎` leaves at once.
    // (With it, rustyline kept a pasted newline inside the line.)
    let config = rustyline::Config::builder().bracketed_paste(false).build();
    let mut editor = rustyline::DefaultEditor::with_config(config)
        .map_err(|e| Failure::Failed(format!("cannot open the terminal: {e}")))?;
    let mut printer = editor
        .create_external_printer()
        .map_err(|e| Failure::Failed(format!("cannot open the terminal: {e}")))?;
    struct TypingHook(std_mpsc::Sender<()>);
    impl rustyline::ConditionalEventHandler for TypingHook {
        fn handle(
            &self,
            _: &rustyline::Event,
            _: rustyline::RepeatCount,
            _: bool,
            _: &rustyline::EventContext,
        ) -> Option<rustyline::Cmd> {
            let _ = self.0.send(());
            None
        }
    }
    let (key_tx, key_rx) = std_mpsc::channel();
    editor.bind_sequence(
        rustyline::Event::Any,
        rustyline::EventHandler::Conditional(Box::new(TypingHook(key_tx))),
    );
    let typing_tx = tx.clone();
    std::thread::spawn(move || {
        while key_rx.recv().is_ok() {
            if typing_tx.send(Input::Typing).is_err() {
                return;
            }
        }
    });
    std::thread::spawn(move || {
        loop {
            match editor.readline("> ") {
                Ok(line) => {
                    let _ = editor.add_history_entry(line.as_str());
                    if tx.send(Input::Line(line)).is_err() {
                        return;
                    }
                }
                // Ctrl-C, Ctrl-D or a broken terminal: rustyline has put
                // the terminal back already.
                Err(_) => {
                    let _ = tx.send(Input::Quit);
                    return;
                }
            }
        }
    });
    Ok(Box::new(move |text| {
        let _ = rustyline::ExternalPrinter::print(&mut printer, format!("{text}\n"));
    }))
}

/// Interactive chat: live messages above a prompt; `@user text` sends a
/// direct message, anything else goes to the room; `/quit` leaves.
async fn chat(client: &Client, out: &Out) -> Result<(), Failure> {
    let (live, mut events, me) = connect(client).await?;
    let (tx, mut input) = mpsc::unbounded_channel();
    let mut print = start_input(tx)?;
    print(format!(
        "Chatting as {me}. `@user text` sends a direct message, /quit leaves."
    ));
    print(out.paint("connected", 32));
    let mut last_typing: Option<Instant> = None;
    loop {
        tokio::select! {
            event = events.next() => {
                let Some(event) = event else { break };
                if matches!(&event, Event::Message(m) if m.from_username == me && m.to_username.is_none()) {
                    continue; // our own room message, already shown as sent
                }
                if let Some(line) = event_line(out, &me, &event) {
                    print(line);
                }
            }
            line = input.recv() => match line {
                None | Some(Input::Quit) => break,
                Some(Input::Typing) => {
                    if last_typing.is_none_or(|t| t.elapsed() > Duration::from_secs(3)) {
                        last_typing = Some(Instant::now());
                        let _ = live.typing(None).await;
                    }
                }
                Some(Input::Line(line)) => {
                    let line = line.trim();
                    if line == "/quit" || line == "/exit" {
                        break;
                    }
                    if line.is_empty() {
                        continue;
                    }
                    let result = match line.strip_prefix('@').and_then(|rest| rest.split_once(' ')) {
                        Some((to, text)) => live.send_direct_message(to, text.trim()).await,
                        None => live.send_message(line).await,
                    };
                    let result = match result {
                        Ok(sent) => Ok(sent),
                        // Maybe stored: the history says, never a second send.
                        Err(Error::SendOutcomeUnknown(unknown)) => {
                            let settled = settle(client, &unknown).await;
                            if settled.is_ok() {
                                print(out.paint(&found_note(&unknown), 33));
                            }
                            settled
                        }
                        Err(e) => Err(format!("not sent: {e}")),
                    };
                    match result {
                        Ok(sent) => {
                            let to = sent.to_username.map_or_else(String::new, |t| format!(" → {t}"));
                            print(out.paint(&format!("[{}] you{to}: {}", out.time(sent.timestamp), sent.content), 2));
                        }
                        Err(text) => print(out.paint(&text, 31)),
                    }
                }
            },
        }
    }
    live.close().await;
    Ok(())
}
