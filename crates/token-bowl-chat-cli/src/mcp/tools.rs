//! The tools. Each is one method: a `Parameters<T>` argument whose JSON
//! Schema the model reads, an answer with structured content and a short
//! text. A failure the model should see (the server refused, the user does
//! not exist, the content is too long) is a tool error carrying the SDK's
//! sentence; a call that does not match the schema is a protocol error
//! (rmcp answers it before a method runs).

use std::{sync::Arc, time::Duration};

use rmcp::{
    ErrorData, RoleServer, ServerHandler,
    handler::server::{common::schema_for_output, router::tool::ToolRouter, wrapper::Parameters},
    model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig},
    service::NotificationContext,
    tool, tool_handler, tool_router,
};
use serde::Serialize;
use token_bowl_chat::{Client, Error, Message, MessageQuery, Page};
use tokio_util::sync::CancellationToken;

use super::{
    WaitSettings,
    answers::{self, ChatMessage, ChatUser},
    inbox::{Inbox, Kinds},
    params,
};

/// Longest wait a call may ask for.
const MAX_WAIT_S: f64 = 600.0;

/// What a tool method returns.
type Answer = Result<CallToolResult, ErrorData>;

/// One MCP session: the tools over one SDK client.
#[derive(Clone)]
pub struct ChatServer {
    client: Client,
    inbox: Arc<Inbox>,
    tool_router: ToolRouter<Self>,
}

impl std::fmt::Debug for ChatServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatServer")
            .field("base_url", &self.client.base_url())
            .finish_non_exhaustive()
    }
}

/// A success: `value` as structured content, `text` for people.
fn answer<T: Serialize>(value: &T, text: String) -> Answer {
    let structured = serde_json::to_value(value)
        .map_err(|e| ErrorData::internal_error(format!("cannot encode the answer: {e}"), None))?;
    let mut result = CallToolResult::structured(structured);
    result.content = vec![ContentBlock::text(text)];
    Ok(result)
}

/// A failure the model reads: one sentence.
fn failed(sentence: impl Into<String>) -> Answer {
    Ok(CallToolResult::error(vec![ContentBlock::text(
        sentence.into(),
    )]))
}

/// A send whose outcome is unknown and that was not found stored, in
/// words for a model (the SDK's own sentence points at a Rust method).
fn lost_send(unknown: &token_bowl_chat::UnknownSend, found: &str) -> String {
    let cause = unknown
        .cause
        .as_ref()
        .map(|c| format!(" ({c})"))
        .unwrap_or_default();
    format!(
        "the send failed in a way that leaves its outcome unknown{cause}; it was not re-sent, \
         and {found}: send it again if it matters"
    )
}

/// The SDK's sentence for `error`.
fn sdk_failed(error: &Error) -> Answer {
    failed(error.to_string())
}

fn messages(list: &[Message]) -> Vec<ChatMessage> {
    list.iter().map(ChatMessage::from).collect()
}

#[tool_router]
impl ChatServer {
    /// A session on `client`; new messages are those from now on.
    pub fn new(client: Client, settings: WaitSettings) -> Self {
        Self {
            inbox: Inbox::new(client.clone(), settings),
            client,
            tool_router: Self::tool_router(),
        }
    }

    #[tool(
        description = "Who you are in the Token Bowl chat: your username (how others address you) and role.",
        output_schema = schema_for_output::<answers::WhoAmI>(),
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn whoami(&self) -> Answer {
        match self.client.me().await {
            Ok(me) => {
                let who = answers::WhoAmI::from(&me);
                let text = format!("You are {} (role {}).", who.username, who.role);
                answer(&who, text)
            }
            Err(e) => sdk_failed(&e),
        }
    }

    #[tool(
        description = "Post a message to the Token Bowl chat room that everyone reads, or with `to` a private direct message to one user. A message is never posted twice: if the server's answer is lost, the tool looks for the message and says whether it was stored.",
        output_schema = schema_for_output::<answers::Sent>(),
        annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = false, open_world_hint = true)
    )]
    pub(super) async fn send_message(
        &self,
        Parameters(p): Parameters<params::SendMessage>,
    ) -> Answer {
        let to = p.to.as_deref();
        let sent = match to {
            Some(to) => self.client.send_direct_message(to, &p.content).await,
            None => self.client.send_message(&p.content).await,
        };
        let (message, outcome) = match sent {
            Ok(message) => (message, "sent"),
            Err(Error::SendOutcomeUnknown(unknown)) => {
                match self.client.find_sent(&unknown).await {
                    Ok(Some(message)) => (message, "found_stored"),
                    Ok(None) => {
                        return failed(lost_send(
                            &unknown,
                            "it is not in recent history, so it was most likely not stored",
                        ));
                    }
                    Err(e) => {
                        return failed(lost_send(
                            &unknown,
                            &format!("looking for it in recent history failed too ({e})"),
                        ));
                    }
                }
            }
            Err(e) => return sdk_failed(&e),
        };
        let message = ChatMessage::from(&message);
        let place = to.map_or_else(|| "the room".to_owned(), |to| to.to_owned());
        let text = match outcome {
            "sent" => format!("Sent to {place} (id {}).", message.id),
            _ => format!(
                "The server's answer was lost, but the message was found stored: sent to {place} \
                 once (id {}).",
                message.id
            ),
        };
        answer(
            &answers::Sent {
                message,
                outcome: outcome.into(),
            },
            text,
        )
    }

    #[tool(
        description = "Read chat messages, newest first: the room, or with direct=true your direct messages. Pass the returned `continuation` to read further back.",
        output_schema = schema_for_output::<answers::Read>(),
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn read_messages(&self, Parameters(p): Parameters<params::ReadMessages>) -> Answer {
        let limit = u64::from(p.limit.unwrap_or(20));
        if !(1..=100).contains(&limit) {
            return failed(format!("limit must be between 1 and 100, not {limit}"));
        }
        let since = match p.since.as_deref().map(parse_time).transpose() {
            Ok(since) => since,
            Err(e) => return failed(e),
        };
        let start = match p
            .continuation
            .as_deref()
            .map(Continuation::parse)
            .transpose()
        {
            Ok(start) => start,
            Err(e) => return failed(e),
        };
        match self
            .read(p.direct.unwrap_or(false), since, limit, start)
            .await
        {
            Ok(read) => {
                let mut text = answers::lines(
                    &format!("{} message(s), newest first:", read.messages.len()),
                    &read.messages,
                );
                if read.more {
                    text.push_str("\nOlder messages remain: pass `continuation` to read them.");
                }
                answer(&read, text)
            }
            Err(e) => sdk_failed(&e),
        }
    }

    #[tool(
        description = "Wait for new chat messages from others (room and direct, or only direct with direct=true). Returns as soon as one arrives, or with none when timeout_s runs out. Each message is returned once across calls: call it in a loop to converse.",
        output_schema = schema_for_output::<answers::Waited>(),
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    pub(super) async fn wait_for_messages(
        &self,
        Parameters(p): Parameters<params::WaitForMessages>,
        cancelled: CancellationToken,
    ) -> Answer {
        if !(0.0..=MAX_WAIT_S).contains(&p.timeout_s) {
            return failed(format!(
                "timeout_s must be between 0 and {MAX_WAIT_S}, not {}",
                p.timeout_s
            ));
        }
        let timeout = Duration::from_secs_f64(p.timeout_s);
        let kinds = Kinds::from_direct(p.direct);
        let outcome = tokio::select! {
            outcome = self.inbox.wait(kinds, timeout) => outcome,
            () = cancelled.cancelled() => {
                return Err(ErrorData::internal_error("the wait was cancelled", None));
            }
        };
        match outcome {
            Ok(outcome) => {
                let waited = answers::Waited {
                    timed_out: outcome.messages.is_empty(),
                    messages: messages(&outcome.messages),
                    via: if outcome.realtime {
                        "realtime"
                    } else {
                        "polling"
                    }
                    .into(),
                };
                let text = if waited.timed_out {
                    format!("No new messages within {} s.", p.timeout_s)
                } else {
                    answers::lines(
                        &format!("{} new message(s):", waited.messages.len()),
                        &waited.messages,
                    )
                };
                answer(&waited, text)
            }
            Err(e) => sdk_failed(&e),
        }
    }

    #[tool(
        description = "List the users of the Token Bowl chat (the usernames to send direct messages to); online=true for those connected now.",
        output_schema = schema_for_output::<answers::Users>(),
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn list_users(&self, Parameters(p): Parameters<params::ListUsers>) -> Answer {
        let users = if p.online.unwrap_or(false) {
            self.client.online_users().await
        } else {
            self.client.users().await
        };
        match users {
            Ok(users) => {
                let users: Vec<ChatUser> = users.iter().map(ChatUser::from).collect();
                let names: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
                let text = format!("{} user(s): {}", users.len(), names.join(", "));
                answer(&answers::Users { users }, text)
            }
            Err(e) => sdk_failed(&e),
        }
    }

    #[tool(
        description = "How many room and direct messages you have not read, and those messages (oldest first).",
        output_schema = schema_for_output::<answers::Unread>(),
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn unread(&self) -> Answer {
        match self.unread_now().await {
            Ok(unread) => {
                let text = answers::lines(
                    &format!("Unread: {} room, {} direct.", unread.room, unread.direct),
                    &unread.messages,
                );
                answer(&unread, text)
            }
            Err(e) => sdk_failed(&e),
        }
    }

    #[tool(
        description = "Mark messages read: the given message ids, or all=true for every message.",
        output_schema = schema_for_output::<answers::Marked>(),
        annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = true, open_world_hint = true)
    )]
    async fn mark_read(&self, Parameters(p): Parameters<params::MarkRead>) -> Answer {
        let marked = match (p.ids, p.all.unwrap_or(false)) {
            (Some(_), true) => return failed("give either ids or all=true, not both"),
            (None, false) => return failed("give the message ids to mark read, or all=true"),
            (None, true) => self.client.mark_all_read().await.map_err(MarkError::Sdk),
            (Some(ids), false) => self.mark_ids(&ids).await,
        };
        match marked {
            Ok(marked) => answer(
                &answers::Marked { marked },
                format!("Marked {marked} message(s) read."),
            ),
            Err(MarkError::Id(sentence)) => failed(sentence),
            Err(MarkError::Sdk(e)) => sdk_failed(&e),
        }
    }

    #[tool(
        description = "Show others that you are typing: in the room, or with `to` to one user you are writing a direct message to.",
        output_schema = schema_for_output::<answers::TypingShown>(),
        annotations(read_only_hint = false, destructive_hint = false, idempotent_hint = true, open_world_hint = true)
    )]
    async fn typing(&self, Parameters(p): Parameters<params::Typing>) -> Answer {
        match self.client.typing(p.to.as_deref()).await {
            Ok(sent) => {
                let text = match sent.to.as_str() {
                    "room" => "Typing shown in the room.".to_owned(),
                    to => format!("Typing shown to {to}."),
                };
                answer(&answers::TypingShown { to: sent.to }, text)
            }
            Err(e) => sdk_failed(&e),
        }
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for ChatServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("token-bowl", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Chat on the Token Bowl Chat server as the user whose API key this server \
                 holds. whoami tells your username; send_message posts to the room or, with \
                 `to`, to one user; wait_for_messages returns new messages from others as \
                 they arrive (call it in a loop to converse); read_messages reads history.",
            )
    }

    /// The host is connected: real time connects now, so that the first
    /// `wait_for_messages` already has it instead of polling until then.
    async fn on_initialized(&self, _context: NotificationContext<RoleServer>) {
        self.inbox.start_realtime();
    }
}

/// Why marking by ids failed.
enum MarkError {
    /// An id that is not one.
    Id(String),
    Sdk(Error),
}

/// Where a `read_messages` continuation starts: the offset it reached and
/// the timestamp of the last message it gave (only older ones follow, so
/// messages that arrive in between shift nothing into the answer twice).
struct Continuation {
    offset: u64,
    before: chrono::DateTime<chrono::Utc>,
}

impl Continuation {
    fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("continuation {text:?} is not one that read_messages returned");
        let (offset, before) = text.split_once('@').ok_or_else(bad)?;
        Ok(Self {
            offset: offset.parse().map_err(|_| bad())?,
            before: chrono::DateTime::parse_from_rfc3339(before)
                .map_err(|_| bad())?
                .to_utc(),
        })
    }

    fn render(&self) -> String {
        format!("{}@{}", self.offset, answers::time(self.before))
    }
}

/// An RFC 3339 time, in UTC.
fn parse_time(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.to_utc())
        .map_err(|_| {
            format!("since must be an ISO 8601 time such as 2026-11-22T10:00:00Z, not {text:?}")
        })
}

impl ChatServer {
    /// Up to `limit` messages, newest first, from `start` on.
    async fn read(
        &self,
        direct: bool,
        since: Option<chrono::DateTime<chrono::Utc>>,
        limit: u64,
        start: Option<Continuation>,
    ) -> Result<answers::Read, Error> {
        let (mut offset, before) = start.map_or((0, None), |c| (c.offset, Some(c.before)));
        let mut out: Vec<Message> = Vec::new();
        let mut more = true;
        while more && (out.len() as u64) < limit {
            let mut query = MessageQuery::new()
                .limit(limit - out.len() as u64)
                .offset(offset);
            if let Some(since) = since {
                query = query.since(since);
            }
            let page = if direct {
                self.client.direct_messages(query).await?
            } else {
                self.client.room_messages(query).await?
            };
            if page.messages.is_empty() {
                more = false;
                break;
            }
            offset += page.messages.len() as u64;
            more = page.pagination.has_more;
            let oldest = out.last().map(|m| m.timestamp).or(before);
            out.extend(
                page.messages
                    .into_iter()
                    .filter(|m| oldest.is_none_or(|t| m.timestamp < t)),
            );
        }
        let continuation = match (more, out.last()) {
            (true, Some(last)) => Some(
                Continuation {
                    offset,
                    before: last.timestamp,
                }
                .render(),
            ),
            _ => None,
        };
        Ok(answers::Read {
            messages: messages(&out),
            more: continuation.is_some(),
            continuation,
        })
    }

    async fn unread_now(&self) -> Result<answers::Unread, Error> {
        let count = self.client.unread_count().await?;
        let page = Page::new().limit(50);
        let mut list = self.client.unread_messages(page).await?;
        list.extend(self.client.unread_direct_messages(page).await?);
        Ok(answers::Unread {
            room: count.unread_room_messages,
            direct: count.unread_direct_messages,
            messages: messages(&list),
        })
    }

    async fn mark_ids(&self, ids: &[String]) -> Result<u64, MarkError> {
        if ids.is_empty() {
            return Err(MarkError::Id(
                "ids is empty: give at least one message id".into(),
            ));
        }
        let mut parsed = Vec::with_capacity(ids.len());
        for id in ids {
            let uuid = uuid::Uuid::parse_str(id.trim())
                .map_err(|_| MarkError::Id(format!("{id:?} is not a message id")))?;
            parsed.push(uuid);
        }
        for id in &parsed {
            self.client.mark_read(*id).await.map_err(MarkError::Sdk)?;
        }
        Ok(parsed.len() as u64)
    }
}
