//! A conversation's worker: gather, think (tools, anti-repetition), answer.

use std::{
    sync::{Arc, atomic::Ordering},
    time::{Duration, Instant},
};

use async_openai::types::chat::{
    ChatCompletionMessageToolCalls, ChatCompletionRequestAssistantMessage,
    ChatCompletionRequestMessage, ChatCompletionRequestSystemMessage,
    ChatCompletionRequestToolMessage, ChatCompletionRequestUserMessage,
};
use chrono::Utc;
use token_bowl_chat::{
    Error as ChatError, Message,
    bot::{Context, send_once},
};
use uuid::Uuid;

use crate::{
    BotDirectPolicy, Error, Place,
    agent::{Inner, lock},
    limits,
    memory::{self, Entry, Speaker},
    stats::Stats,
    tools::ToolContext,
};

/// The longest message the server takes.
const MAX_CONTENT: usize = 10_000;

/// The most characters of one tool result the model reads.
const MAX_TOOL_RESULT: usize = 16_000;

/// The longest a conversation's gathering waits, however busy it is.
const GATHER_LIMIT_WINDOWS: u32 = 4;

/// What a turn ends with.
pub(crate) enum Thought {
    /// An answer, and its size in tokens when the endpoint said.
    Answer(String, Option<u32>),
    /// Only repeats came back: nothing is sent.
    Repeat,
}

impl Inner {
    /// Answers `place`'s waiting messages until none wait.
    pub(crate) async fn work(self: Arc<Self>, place: Place) {
        let mut stopping = self.stopping.subscribe();
        loop {
            self.gather(&place).await;
            if let Some(wait) = self.cooldown_wait() {
                tracing::info!(%place, wait_s = wait.as_secs(), "agent: cooling down");
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    _ = stopping.wait_for(|s| *s) => {}
                }
            }
            let Some((ids, cx)) = self.begin(&place) else {
                break;
            };
            self.turn(&place, &ids, cx).await;
            let mut memory = lock(&self.memory);
            let conversation = memory.at(&place);
            conversation.waiting.retain(|id| !ids.contains(id));
            conversation.answering.clear();
            if let Err(e) = memory.save(&self.memory_path) {
                tracing::error!(error = %e, "agent: cannot save the memory");
            }
        }
        if self.workers.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.idle.notify_waiters();
        }
    }

    /// Waits for a quiet `batch_window` after the newest message (at most
    /// four windows in all), or a stop.
    async fn gather(&self, place: &Place) {
        let window = self.config.batch_window;
        let started = Instant::now();
        let limit = window * GATHER_LIMIT_WINDOWS;
        loop {
            if *self.stopping.borrow() {
                return;
            }
            let (last, wake) = {
                let live = lock(&self.live);
                let state = &live[place];
                (state.last_arrival.unwrap_or(started), state.wake.clone())
            };
            let quiet_at = (last + window).min(started + limit);
            let now = Instant::now();
            if quiet_at <= now {
                return;
            }
            let notified = wake.notified();
            tokio::select! {
                () = tokio::time::sleep(quiet_at - now) => {}
                () = notified => {}
            }
        }
    }

    fn cooldown_wait(&self) -> Option<Duration> {
        let wait = lock(&self.cooldown).wait(Instant::now());
        (!wait.is_zero() && !*self.stopping.borrow()).then_some(wait)
    }

    /// Takes what waits (recording the turn's start), or ends the worker
    /// when nothing waits or the agent stops.
    fn begin(&self, place: &Place) -> Option<(Vec<Uuid>, Option<Context>)> {
        let mut live = lock(&self.live);
        let mut memory = lock(&self.memory);
        let conversation = memory.at(place);
        if conversation.waiting.is_empty() || *self.stopping.borrow() {
            let state = live.get_mut(place).expect("a worker's place is live");
            state.running = false;
            return None;
        }
        let ids = conversation.waiting.clone();
        conversation.answering = ids.clone();
        if let Err(e) = memory.save(&self.memory_path) {
            tracing::error!(error = %e, "agent: cannot save the memory");
        }
        let cx = live.get(place).and_then(|s| s.context.clone());
        Some((ids, cx))
    }

    /// One turn: think, then answer (or apologise).
    async fn turn(&self, place: &Place, ids: &[Uuid], cx: Option<Context>) {
        Stats::add(&self.stats.turns, 1);
        tracing::debug!(%place, messages = ids.len(), "agent: turn");
        if let Some(cx) = cx.clone() {
            // Beside the model request, not before it: the indicator's
            // round trip (20-60 ms on the real server) would delay every
            // answer.
            tokio::spawn(async move {
                if let Err(e) = cx.typing().await {
                    tracing::debug!(error = %e, "agent: cannot show typing");
                }
            });
        }
        let (prompt, after) = self.prompt(place);
        let (text, tokens) = match self.think(place, prompt).await {
            Ok(Thought::Answer(text, tokens)) => (text, tokens),
            Ok(Thought::Repeat) => {
                Stats::add(&self.stats.repeats_suppressed, 1);
                tracing::warn!(%place, "agent: the model only repeated itself; nothing sent");
                return;
            }
            Err(e) => {
                Stats::add(&self.stats.errors, 1);
                Stats::add(&self.stats.apologies, 1);
                tracing::warn!(%place, error = %e, "agent: the model failed; sending the apology");
                (self.config.apology.clone(), None)
            }
        };
        match self.deliver(place, cx.as_ref(), &text).await {
            Ok(sent) => {
                Stats::add(&self.stats.messages_out, 1);
                let entry = Entry {
                    speaker: Speaker::Me,
                    name: self.me.clone(),
                    text: sent.content,
                    id: Some(sent.id),
                    at: sent.timestamp,
                    tokens,
                };
                lock(&self.memory).answered(place, after, entry, self.config.max_history);
                if lock(&self.cooldown).replied(Instant::now()) {
                    tracing::info!("agent: cooldown starts");
                }
            }
            Err(ChatError::ReplyBudget { .. }) => {
                Stats::add(&self.stats.skipped, 1);
                tracing::warn!(%place, "agent: the reply budget is spent; answer not sent");
            }
            Err(e) => {
                Stats::add(&self.stats.errors, 1);
                tracing::warn!(%place, error = %e, "agent: cannot send the answer");
            }
        }
    }

    /// Asks the model, running its tool calls (at most `max_tool_rounds`
    /// rounds), and asks once more when the answer repeats a recent one.
    async fn think(
        &self,
        place: &Place,
        mut messages: Vec<ChatCompletionRequestMessage>,
    ) -> Result<Thought, Error> {
        let recent = self.recent_replies(place);
        let tool_cx = ToolContext {
            client: &self.client,
            place,
        };
        let (mut rounds, mut asked_again) = (0, false);
        loop {
            let last_round = rounds >= self.config.max_tool_rounds;
            let chars: usize = messages.iter().map(content_chars).sum();
            let done = self
                .model
                .complete(messages.clone(), self.tools.definitions(), last_round)
                .await?;
            self.stats.latency(done.latency);
            let mut answer_tokens = None;
            if let Some(usage) = &done.usage {
                Stats::add(&self.stats.tokens_in, u64::from(usage.prompt_tokens));
                Stats::add(&self.stats.tokens_out, u64::from(usage.completion_tokens));
                lock(&self.memory).calibrate(chars, messages.len(), usage.prompt_tokens);
                answer_tokens = Some(usage.completion_tokens);
            }
            let calls = done.message.tool_calls.clone().unwrap_or_default();
            if !calls.is_empty() && !last_round {
                rounds += 1;
                self.run_tools(&mut messages, calls, tool_cx).await;
                continue;
            }
            let text = done.message.content.unwrap_or_default().trim().to_owned();
            if text.is_empty() {
                return Err(Error::Model("the model answered with no text".to_owned()));
            }
            if limits::repeats(&text, &recent, self.config.similarity_threshold) {
                if asked_again {
                    return Ok(Thought::Repeat);
                }
                asked_again = true;
                messages.push(assistant_text(&text));
                messages.push(system(
                    "That answer repeats one of your recent answers almost word for word. \
                     Answer again, saying something new.",
                ));
                continue;
            }
            return Ok(Thought::Answer(text, answer_tokens));
        }
    }

    async fn run_tools(
        &self,
        messages: &mut Vec<ChatCompletionRequestMessage>,
        calls: Vec<ChatCompletionMessageToolCalls>,
        cx: ToolContext<'_>,
    ) {
        messages.push(ChatCompletionRequestMessage::Assistant(
            ChatCompletionRequestAssistantMessage {
                tool_calls: Some(calls.clone()),
                ..Default::default()
            },
        ));
        for call in calls {
            let (id, result) = match call {
                ChatCompletionMessageToolCalls::Function(call) => {
                    Stats::add(&self.stats.tool_calls, 1);
                    tracing::info!(tool = %call.function.name, "agent: tool call");
                    let result = self
                        .tools
                        .call(&call.function.name, &call.function.arguments, cx)
                        .await;
                    (call.id, result)
                }
                ChatCompletionMessageToolCalls::Custom(call) => {
                    (call.id, "error: custom tools are not offered".to_owned())
                }
            };
            let cut = result.chars().count() > MAX_TOOL_RESULT;
            let mut result: String = result.chars().take(MAX_TOOL_RESULT).collect();
            if cut {
                result.push_str("\n[cut: the result was longer]");
            }
            messages.push(ChatCompletionRequestMessage::Tool(
                ChatCompletionRequestToolMessage {
                    content: result.into(),
                    tool_call_id: id,
                },
            ));
        }
    }

    /// The system prompt (with the instruction) and the conversation,
    /// trimmed to the context window less the answer and the tools; and
    /// the id of the newest message in it (the answer goes after it, before
    /// what came while the model thought).
    fn prompt(&self, place: &Place) -> (Vec<ChatCompletionRequestMessage>, Option<Uuid>) {
        let now = Utc::now();
        let mut system_text = self.config.system_prompt.render(&self.me, place, now);
        if let Some(instruction) = &self.config.instruction {
            system_text.push_str("\n\n");
            system_text.push_str(&instruction.render(&self.me, place, now));
        }
        let memory = lock(&self.memory);
        let tools_chars = serde_json::to_string(self.tools.definitions())
            .map(|s| s.len())
            .unwrap_or(0);
        let fixed = memory.estimate(&system_text)
            + (tools_chars as f64 / memory.chars_per_token).ceil() as u32;
        let budget = self
            .config
            .model
            .context_window
            .saturating_sub(self.config.model.max_answer_tokens)
            .saturating_sub(fixed)
            .max(64);
        let mut messages = vec![system(&system_text)];
        let window = memory.window(place, budget);
        let newest = window.last().and_then(|e| e.id);
        for entry in window {
            messages.push(match entry.speaker {
                Speaker::Me => assistant_text(&entry.text),
                Speaker::Other => ChatCompletionRequestMessage::User(
                    ChatCompletionRequestUserMessage::from(memory::as_line(&entry)),
                ),
            });
        }
        (messages, newest)
    }

    fn recent_replies(&self, place: &Place) -> Vec<String> {
        let memory = lock(&self.memory);
        memory
            .conversations
            .get(place)
            .map(|c| {
                c.entries
                    .iter()
                    .rev()
                    .filter(|e| e.speaker == Speaker::Me)
                    .take(self.config.recent_replies)
                    .map(|e| e.text.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Sends the answer: through the runtime's context (its reply budget,
    /// its exactly-once send) when there is one; for a bot account's direct
    /// partner under [`BotDirectPolicy::Room`], in the room with a mention.
    async fn deliver(
        &self,
        place: &Place,
        cx: Option<&Context>,
        text: &str,
    ) -> Result<Message, ChatError> {
        let mut text: String = text.chars().take(MAX_CONTENT).collect();
        let to = match place {
            Place::Direct(partner)
                if self.is_bot && self.config.bot_direct == BotDirectPolicy::Room =>
            {
                text = format!("@{partner} {text}")
                    .chars()
                    .take(MAX_CONTENT)
                    .collect();
                if let Some(cx) = cx {
                    return cx.reply_in_room(&text).await;
                }
                None
            }
            Place::Direct(partner) => Some(partner.as_str()),
            Place::Room => None,
        };
        match cx {
            Some(cx) => cx.reply(&text).await,
            None => send_once(&self.client, to, &text).await,
        }
    }
}

fn system(text: &str) -> ChatCompletionRequestMessage {
    ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage::from(text))
}

fn assistant_text(text: &str) -> ChatCompletionRequestMessage {
    ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage::from(text))
}

/// About how many characters a request message carries (for calibration).
fn content_chars(message: &ChatCompletionRequestMessage) -> usize {
    serde_json::to_value(message)
        .ok()
        .and_then(|v| v.get("content").map(|c| c.to_string().len()))
        .unwrap_or(0)
}
