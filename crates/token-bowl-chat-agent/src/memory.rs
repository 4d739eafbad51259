//! Conversations: one per place (the room, each direct partner), trimmed
//! to a token budget, kept in a JSON file across restarts.

use std::{
    collections::{BTreeMap, VecDeque},
    fmt,
    io::Write,
    path::{Path, PathBuf},
};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Error;

/// Where a conversation happens. Written as `room` or `dm:<username>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    /// The room.
    Room,
    /// Direct messages with this user.
    Direct(String),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Room => f.write_str("room"),
            Self::Direct(who) => write!(f, "dm:{who}"),
        }
    }
}

impl Serialize for Place {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Place {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match text.strip_prefix("dm:") {
            Some(who) if !who.is_empty() => Ok(Self::Direct(who.to_owned())),
            _ if text == "room" => Ok(Self::Room),
            _ => Err(serde::de::Error::custom(format!(
                "a place is `room` or `dm:<username>`, not {text:?}"
            ))),
        }
    }
}

/// Who said an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    /// Someone else (`Entry::name`).
    Other,
    /// The agent.
    Me,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Who.
    pub speaker: Speaker,
    /// Their username.
    pub name: String,
    /// What they said.
    pub text: String,
    /// The server's id of the message (none for answers not stored yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// When.
    pub at: DateTime<Utc>,
    /// Its size in tokens as the endpoint counted it (`usage`), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<u32>,
}

/// One conversation: what was said, and what still waits for an answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Conversation {
    /// Oldest first.
    pub entries: VecDeque<Entry>,
    /// Ids of messages that wait for an answer, oldest first.
    #[serde(default)]
    pub waiting: Vec<Uuid>,
    /// Ids whose turn had started (a model call ran for them); set when a
    /// turn starts, cleared when it ends.
    #[serde(default)]
    pub answering: Vec<Uuid>,
}

/// Everything remembered, as kept in the file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Memory {
    /// One conversation per place.
    pub conversations: BTreeMap<Place, Conversation>,
    /// Characters per token, learnt from the endpoint's `usage` (4 until
    /// then).
    #[serde(default = "default_chars_per_token")]
    pub chars_per_token: f64,
}

fn default_chars_per_token() -> f64 {
    4.0
}

/// The fixed cost of one chat message in tokens (role, separators).
const PER_MESSAGE_TOKENS: u32 = 4;

impl Memory {
    /// An empty memory.
    pub fn new() -> Self {
        Self {
            conversations: BTreeMap::new(),
            chars_per_token: default_chars_per_token(),
        }
    }

    /// Reads `path`; a missing file is an empty memory, an unreadable or
    /// malformed one an error naming it.
    pub fn load(path: &Path) -> Result<Self, Error> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
                Error::Config(format!(
                    "the agent's memory file {} is not valid: {e}",
                    path.display()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::new()),
            Err(e) => Err(Error::Io {
                what: format!("read the agent's memory file {}", path.display()),
                source: e,
            }),
        }
    }

    /// Writes `path` whole (a temporary file renamed over it, so a crash
    /// leaves the old or the new memory, never half of one).
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let io = |what: &str, source| Error::Io {
            what: format!("{what} the agent's memory file {}", path.display()),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io("create the folder of", e))?;
        }
        let tmp = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec(self).expect("memory serialises");
        let mut file = std::fs::File::create(&tmp).map_err(|e| io("create", e))?;
        file.write_all(&bytes).map_err(|e| io("write", e))?;
        file.sync_data().map_err(|e| io("sync", e))?;
        std::fs::rename(&tmp, path).map_err(|e| io("replace", e))
    }

    /// The conversation at `place` (created empty).
    pub fn at(&mut self, place: &Place) -> &mut Conversation {
        self.conversations.entry(place.clone()).or_default()
    }

    /// Adds what someone said; when `answer`, it also waits for an answer.
    /// A message already present (same id) is not added twice. Keeps at
    /// most `max_history` entries.
    pub fn heard(&mut self, place: &Place, entry: Entry, answer: bool, max_history: usize) {
        let conversation = self.at(place);
        let id = entry.id;
        if id.is_some() && conversation.entries.iter().any(|e| e.id == id) {
            return;
        }
        conversation.entries.push_back(entry);
        if answer && let Some(id) = id {
            conversation.waiting.push(id);
        }
        while conversation.entries.len() > max_history.max(1) {
            conversation.entries.pop_front();
        }
    }

    /// Adds the agent's answer right after the message with id `after`
    /// (the newest it answered), so that what came while the model thought
    /// stays after it, still to be answered. At the end when `after` is
    /// not found.
    pub fn answered(
        &mut self,
        place: &Place,
        after: Option<Uuid>,
        entry: Entry,
        max_history: usize,
    ) {
        let conversation = self.at(place);
        let at = after
            .and_then(|id| conversation.entries.iter().position(|e| e.id == Some(id)))
            .map_or(conversation.entries.len(), |i| i + 1);
        conversation.entries.insert(at, entry);
        while conversation.entries.len() > max_history.max(1) {
            conversation.entries.pop_front();
        }
    }

    /// Learns the characters-per-token ratio from a request of `chars`
    /// characters in `messages` messages that the endpoint counted as
    /// `prompt_tokens`.
    pub fn calibrate(&mut self, chars: usize, messages: usize, prompt_tokens: u32) {
        let overhead = PER_MESSAGE_TOKENS as usize * messages;
        let content_tokens = (prompt_tokens as usize).saturating_sub(overhead);
        if chars >= 200 && content_tokens > 0 {
            let ratio = chars as f64 / content_tokens as f64;
            // Smoothed, and kept within what real tokenizers give.
            self.chars_per_token = (0.7 * self.chars_per_token + 0.3 * ratio).clamp(1.0, 8.0);
        }
    }

    /// An estimate of `text`'s tokens as one chat message.
    pub fn estimate(&self, text: &str) -> u32 {
        let chars = text.chars().count() as f64;
        (chars / self.chars_per_token).ceil() as u32 + PER_MESSAGE_TOKENS
    }

    /// The tokens of one entry: the endpoint's count when known.
    pub fn tokens_of(&self, entry: &Entry) -> u32 {
        entry
            .tokens
            .map(|t| t + PER_MESSAGE_TOKENS)
            .unwrap_or_else(|| self.estimate(&as_line(entry)))
    }

    /// The newest entries of `place` that fit in `budget` tokens, oldest
    /// first. The newest one is always included (cut to fit) so a turn
    /// never has nothing to answer.
    pub fn window(&self, place: &Place, budget: u32) -> Vec<Entry> {
        let Some(conversation) = self.conversations.get(place) else {
            return Vec::new();
        };
        let mut used = 0u32;
        let mut kept = Vec::new();
        for entry in conversation.entries.iter().rev() {
            let cost = self.tokens_of(entry);
            if used + cost > budget {
                if kept.is_empty() {
                    let room = budget.saturating_sub(PER_MESSAGE_TOKENS) as f64;
                    let prefix = as_line(entry).chars().count() - entry.text.chars().count();
                    let chars = ((room * self.chars_per_token) as usize).saturating_sub(prefix);
                    let mut cut = entry.clone();
                    let skip = entry.text.chars().count().saturating_sub(chars);
                    cut.text = entry.text.chars().skip(skip).collect();
                    cut.tokens = None;
                    kept.push(cut);
                }
                break;
            }
            used += cost;
            kept.push(entry.clone());
        }
        kept.reverse();
        kept
    }
}

/// How an entry of someone else reads to the model: `name: text`.
pub fn as_line(entry: &Entry) -> String {
    match entry.speaker {
        Speaker::Other => format!("{}: {}", entry.name, entry.text),
        Speaker::Me => entry.text.clone(),
    }
}

/// The memory file beside a bot store at `store`: `<store stem>.agent.json`.
pub fn path_beside(store: &Path) -> PathBuf {
    store.with_extension("agent.json")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(name: &str, text: &str, n: u128) -> Entry {
        Entry {
            speaker: if name == "me" {
                Speaker::Me
            } else {
                Speaker::Other
            },
            name: name.into(),
            text: text.into(),
            id: Some(Uuid::from_u128(n)),
            at: Utc::now(),
            tokens: None,
        }
    }

    #[test]
    fn the_window_keeps_the_newest_that_fit() {
        let mut m = Memory::new();
        for i in 0..10u128 {
            m.heard(&Place::Room, said("ann", &"x".repeat(40), i), false, 100);
        }
        // "ann: " + 40 chars = 45 chars -> 12 tokens + 4 = 16 each.
        let w = m.window(&Place::Room, 50);
        assert_eq!(w.len(), 3);
        assert_eq!(w.last().unwrap().id, Some(Uuid::from_u128(9)));
        assert_eq!(w[0].id, Some(Uuid::from_u128(7)));
    }

    #[test]
    fn usage_counts_win_over_the_estimate() {
        let mut m = Memory::new();
        let mut e = said("me", &"y".repeat(400), 1);
        e.tokens = Some(10);
        m.heard(&Place::Room, e, false, 100);
        assert_eq!(m.tokens_of(&m.conversations[&Place::Room].entries[0]), 14);
        assert_eq!(m.window(&Place::Room, 14).len(), 1);
    }

    #[test]
    fn a_too_long_newest_entry_is_cut_not_dropped() {
        let mut m = Memory::new();
        m.heard(&Place::Room, said("bob", &"z".repeat(1000), 1), true, 100);
        let w = m.window(&Place::Room, 20);
        assert_eq!(w.len(), 1);
        assert!(m.tokens_of(&w[0]) <= 20, "{}", m.tokens_of(&w[0]));
        assert!(w[0].text.ends_with('z'));
    }

    #[test]
    fn calibration_follows_the_endpoint() {
        let mut m = Memory::new();
        for _ in 0..30 {
            m.calibrate(2000, 2, 1008); // 2000 chars in 1000 tokens
        }
        assert!(
            (m.chars_per_token - 2.0).abs() < 0.05,
            "{}",
            m.chars_per_token
        );
        assert_eq!(m.estimate("abcd"), 2 + PER_MESSAGE_TOKENS);
    }

    #[test]
    fn history_is_bounded_and_ids_are_not_added_twice() {
        let mut m = Memory::new();
        for i in 0..5u128 {
            m.heard(&Place::Direct("ann".into()), said("ann", "hi", i), true, 3);
        }
        m.heard(&Place::Direct("ann".into()), said("ann", "hi", 4), true, 3);
        let c = &m.conversations[&Place::Direct("ann".into())];
        assert_eq!(c.entries.len(), 3);
        assert_eq!(c.waiting.len(), 5);
    }

    #[test]
    fn an_answer_goes_after_what_it_answered() {
        let mut m = Memory::new();
        m.heard(&Place::Room, said("ann", "q1", 1), true, 10);
        m.heard(
            &Place::Room,
            said("ann", "q2 (came while thinking)", 2),
            true,
            10,
        );
        m.answered(
            &Place::Room,
            Some(Uuid::from_u128(1)),
            said("me", "a1", 3),
            10,
        );
        let texts: Vec<_> = m.conversations[&Place::Room]
            .entries
            .iter()
            .map(|e| e.text.as_str())
            .collect();
        assert_eq!(texts, ["q1", "a1", "q2 (came while thinking)"]);
        m.answered(&Place::Room, None, said("me", "a2", 4), 10);
        assert_eq!(
            m.conversations[&Place::Room].entries.back().unwrap().text,
            "a2"
        );
    }

    #[test]
    fn memory_survives_a_save_and_load() {
        let dir = std::env::temp_dir().join(format!("tb-agent-mem-{}", std::process::id()));
        let path = dir.join("bot.agent.json");
        let mut m = Memory::new();
        m.heard(
            &Place::Direct("ann".into()),
            said("ann", "remember 42", 1),
            true,
            10,
        );
        m.save(&path).unwrap();
        let back = Memory::load(&path).unwrap();
        let c = &back.conversations[&Place::Direct("ann".into())];
        assert_eq!(c.entries[0].text, "remember 42");
        assert_eq!(c.waiting, vec![Uuid::from_u128(1)]);
        std::fs::write(&path, b"{not json").unwrap();
        let e = Memory::load(&path).unwrap_err().to_string();
        assert!(e.contains("bot.agent.json"), "{e}");
        assert!(
            Memory::load(&dir.join("absent.json"))
                .unwrap()
                .conversations
                .is_empty()
        );
    }

    #[test]
    fn the_memory_file_sits_beside_the_store() {
        assert_eq!(
            path_beside(Path::new("/s/bots/ada.jsonl")),
            PathBuf::from("/s/bots/ada.agent.json")
        );
    }
}
