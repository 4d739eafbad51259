//! Which handler a message is for: commands, mentions, direct messages.

use std::{future::Future, sync::Arc};

use futures::future::BoxFuture;
use serde::Serialize;

use super::{Context, HandlerResult};
use crate::{Message, MessageType};

/// A handler as the bot keeps it.
pub(super) type Handler = Arc<dyn Fn(Context) -> BoxFuture<'static, HandlerResult> + Send + Sync>;

pub(super) fn handler<F, Fut>(f: F) -> Handler
where
    F: Fn(Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = HandlerResult> + Send + 'static,
{
    Arc::new(move |cx| Box::pin(f(cx)))
}

/// A bot's handlers: at most one per kind, and its commands.
#[derive(Clone, Default)]
pub(super) struct Routes {
    pub(super) direct: Option<Handler>,
    pub(super) mention: Option<Handler>,
    pub(super) message: Option<Handler>,
    pub(super) commands: Vec<(String, Handler)>,
}

impl Routes {
    /// The trigger and handler for `message` to `me`, if any handler is.
    pub(super) fn route(
        &self,
        message: &Message,
        me: &str,
        commands_need_mention: bool,
    ) -> Option<(Trigger, Handler)> {
        let has = Has {
            direct: self.direct.is_some(),
            mention: self.mention.is_some(),
            message: self.message.is_some(),
            commands_need_mention,
        };
        let names = self.commands.iter().map(|(name, _)| name.as_str());
        let trigger = route(message, me, names, has)?;
        let handler = match &trigger {
            Trigger::Command { name, .. } => self
                .commands
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, h)| h.clone()),
            Trigger::Direct => self.direct.clone(),
            Trigger::Mention => self.mention.clone(),
            Trigger::Message => self.message.clone(),
        }?;
        Some((trigger, handler))
    }
}

/// Why a handler was called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Trigger {
    /// A registered command: `/roll 2d6` gives `name: "roll"`, `args:
    /// "2d6"`.
    Command {
        /// The command's name as registered (without the `/`).
        name: String,
        /// The text after it, trimmed.
        args: String,
    },
    /// A direct message to the bot.
    Direct,
    /// A room message that mentions the bot.
    Mention,
    /// Any other message (the `on_message` handler).
    Message,
}

/// Whether `text` mentions `name`: an `@` followed by the name, compared
/// without regard to case, where the `@` starts the text or follows a
/// character that is not a letter, digit, `_` or `-` (so an e-mail address
/// is no mention), and the name is followed by the end of the text or by a
/// character that cannot continue a name: whitespace or punctuation other
/// than `_`, `-` and a `.` that a letter or digit follows. `@bot`, `@Bot,`
/// `(@bot)`, `@bot: hi`, `hi @bot.` and `@bot!` mention `bot`; `@bots`,
/// `@bot_2`, `@bot-x`, `@bot.io` and `me@bot` do not.
pub fn mentions(text: &str, name: &str) -> bool {
    mention_spans(text, name).next().is_some()
}

/// The byte ranges of each mention of `name` (the `@` included).
fn mention_spans<'a>(text: &'a str, name: &'a str) -> impl Iterator<Item = (usize, usize)> + 'a {
    text.match_indices('@').filter_map(move |(at, _)| {
        let before = text[..at].chars().next_back();
        if before.is_some_and(continues_name) {
            return None;
        }
        let rest = &text[at + 1..];
        let end = prefix_len_ignoring_case(rest, name)?;
        let after = &rest[end..];
        let mut chars = after.chars();
        let ends = match chars.next() {
            None => true,
            Some('.') => !chars.next().is_some_and(char::is_alphanumeric),
            Some(c) => !continues_name(c),
        };
        ends.then_some((at, at + 1 + end))
    })
}

fn continues_name(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// The byte length of the prefix of `text` equal to `name` ignoring case,
/// if it starts with it.
fn prefix_len_ignoring_case(text: &str, name: &str) -> Option<usize> {
    if name.is_empty() {
        return None;
    }
    let mut rest = text.char_indices();
    for expected in name.chars() {
        let (_, got) = rest.next()?;
        if got != expected && !got.to_lowercase().eq(expected.to_lowercase()) {
            return None;
        }
    }
    Some(rest.next().map_or(text.len(), |(i, _)| i))
}

/// `text` without a leading mention of `name` and what follows it (`:`,
/// `,` and whitespace): `"@bot, /roll 2d6"` gives `"/roll 2d6"`.
pub(crate) fn strip_leading_mention<'a>(text: &'a str, name: &str) -> &'a str {
    let trimmed = text.trim_start();
    match mention_spans(trimmed, name).next() {
        Some((0, end)) => trimmed[end..].trim_start_matches([':', ',']).trim_start(),
        _ => trimmed,
    }
}

/// A command in `text`: `/name args`, or `/name@bot args` (the form some
/// chat clients use to address one bot). The name ends at whitespace; it is
/// compared with the registered ones without regard to ASCII case.
/// Returns the registered name and the trimmed arguments.
pub(crate) fn command<'n>(
    text: &str,
    me: &str,
    registered: impl IntoIterator<Item = &'n str>,
) -> Option<(&'n str, String)> {
    let body = text.strip_prefix('/')?;
    let (word, args) = body.split_once(char::is_whitespace).unwrap_or((body, ""));
    let word = match word.split_once('@') {
        Some((word, to)) if prefix_len_ignoring_case(to, me) == Some(to.len()) => word,
        Some(_) => return None,
        None => word,
    };
    let name = registered
        .into_iter()
        .find(|name| name.eq_ignore_ascii_case(word))?;
    Some((name, args.trim().to_owned()))
}

/// Which trigger `message` has for a bot named `me`, given the registered
/// commands and which kinds of handler exist; `None` when no handler is
/// for it. The most specific kind wins: a command, then a direct message
/// (or, in the room, a mention), then `on_message`.
pub(crate) fn route<'n>(
    message: &Message,
    me: &str,
    commands: impl IntoIterator<Item = &'n str>,
    has: Has,
) -> Option<Trigger> {
    let direct =
        matches!(message.message_type, MessageType::Direct) || message.to_username.is_some();
    let mentioned = !direct && mentions(&message.content, me);
    let addressed = strip_leading_mention(&message.content, me);
    let may_command = direct || mentioned || !has.commands_need_mention;
    if may_command && let Some((name, args)) = command(addressed, me, commands) {
        return Some(Trigger::Command {
            name: name.to_owned(),
            args,
        });
    }
    if direct && has.direct {
        return Some(Trigger::Direct);
    }
    if mentioned && has.mention {
        return Some(Trigger::Mention);
    }
    has.message.then_some(Trigger::Message)
}

/// Which handlers a bot has.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Has {
    pub(crate) direct: bool,
    pub(crate) mention: bool,
    pub(crate) message: bool,
    pub(crate) commands_need_mention: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_follow_the_written_rules() {
        for text in [
            "@bot",
            "@Bot, hi",
            "hey @BOT!",
            "(@bot)",
            "@bot: do it",
            "thanks @bot.",
            "@bot?",
            "ask @bot\nplease",
            "«@bot»",
            "@bots and @bot",
        ] {
            assert!(mentions(text, "bot"), "{text:?} mentions bot");
        }
        for text in [
            "@bots", "@bot_2", "@bot-x", "@bot.io", "me@bot", "bot", "@ bot", "", "@", "@bo",
        ] {
            assert!(!mentions(text, "bot"), "{text:?} does not mention bot");
        }
        assert!(mentions("hi @Ünïcode-free", "ünïcode-free"));
        assert!(mentions("@claude-3.5, hi", "claude-3.5"));
    }

    #[test]
    fn commands_are_found_after_a_leading_mention_and_addressed_forms() {
        let names = ["roll", "help"];
        let find = |text: &str| {
            command(strip_leading_mention(text, "bot"), "bot", names)
                .map(|(n, a)| (n.to_owned(), a))
        };
        assert_eq!(find("/roll 2d6"), Some(("roll".into(), "2d6".into())));
        assert_eq!(find("/ROLL   2d6  "), Some(("roll".into(), "2d6".into())));
        assert_eq!(find("@bot /help"), Some(("help".into(), String::new())));
        assert_eq!(find("@Bot: /roll d20"), Some(("roll".into(), "d20".into())));
        assert_eq!(find("/roll@bot 3d4"), Some(("roll".into(), "3d4".into())));
        assert_eq!(find("/roll@other 3d4"), None, "addressed to another bot");
        assert_eq!(find("/unknown x"), None);
        assert_eq!(find("say /roll"), None);
        assert_eq!(find("/"), None);
    }
}
