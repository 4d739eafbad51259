//! [`FileStore`]: a bot's memory in a JSON-lines file.

use std::{
    collections::{HashMap, VecDeque},
    fs::{self, File, OpenOptions},
    io::{self, BufRead, BufReader, Write},
    path::{Path, PathBuf},
};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Saved, Store, StoreFuture};
use crate::{Error, Message, Result, delivery::Position};

/// One line of the file.
#[derive(Debug, Serialize, Deserialize)]
enum Line {
    /// The positions, written first by a compaction.
    #[serde(rename = "p")]
    Positions(Positions),
    /// A message taken in.
    #[serde(rename = "r")]
    Received(Box<Message>),
    /// Its handler started.
    #[serde(rename = "s")]
    Started(Uuid),
    /// Its handler finished, or (after a compaction) it is an id to skip.
    #[serde(rename = "d")]
    Done(Uuid),
}

/// The newest room message and the newest direct message taken in.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Positions {
    #[serde(default)]
    room: Position,
    #[serde(default)]
    direct: Position,
}

impl Positions {
    fn advance(&mut self, message: &Message) {
        let position = if message.to_username.is_some() {
            &mut self.direct
        } else {
            &mut self.room
        };
        position.advance(message.id, message.timestamp);
    }

    /// The older of the two (or the one there is).
    fn resume(&self) -> Position {
        match (&self.room.timestamp, &self.direct.timestamp) {
            (Some(room), Some(direct)) if direct < room => self.direct.clone(),
            (Some(_), _) => self.room.clone(),
            (None, _) => self.direct.clone(),
        }
    }
}

#[derive(Debug)]
enum Entry {
    Done,
    Pending(Box<Message>),
    Started,
}

/// A JSON-lines file, one short line per step, appended with one `write`
/// each (so a killed process loses nothing written; `flush` at the end of a
/// run also syncs it to disk). It is rewritten compactly at load and when
/// it has grown to four times its window. One file per bot: two processes
/// must not share one.
#[derive(Debug)]
pub struct FileStore {
    path: PathBuf,
    file: Option<File>,
    window: usize,
    positions: Positions,
    /// Ids in the order they came, with what is known of each.
    order: VecDeque<Uuid>,
    entries: HashMap<Uuid, Entry>,
    lines: usize,
}

impl FileStore {
    /// A store in `path` (created with its folder when missing) that
    /// remembers the newest 4096 ids.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            file: None,
            window: crate::delivery::DEFAULT_CAPACITY,
            positions: Positions::default(),
            order: VecDeque::new(),
            entries: HashMap::new(),
            lines: 0,
        }
    }

    /// Remembers the newest `ids` ids (default 4096; the server keeps only
    /// its newest 100 messages).
    pub fn window(mut self, ids: usize) -> Self {
        self.window = ids.max(1);
        self
    }

    /// The default place for `username`'s bot:
    /// `$XDG_STATE_HOME/token-bowl/bots/<username>.jsonl`, else
    /// `~/.local/state/token-bowl/bots/<username>.jsonl`, else
    /// `.token-bowl-bot-<username>.jsonl` in the current folder.
    pub fn default_path(username: &str) -> PathBuf {
        let file: String = username
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let state = std::env::var_os("XDG_STATE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|home| Path::new(&home).join(".local/state"))
            });
        match state {
            Some(state) => state.join("token-bowl/bots").join(format!("{file}.jsonl")),
            None => PathBuf::from(format!(".token-bowl-bot-{file}.jsonl")),
        }
    }

    /// Its file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, what: &str, source: io::Error) -> Error {
        Error::Io {
            context: format!("cannot {what} the bot's state file {}", self.path.display()),
            source,
        }
    }

    fn append(&mut self, line: &Line) -> Result<()> {
        let mut text = serde_json::to_string(line).expect("a state line serialises");
        text.push('\n');
        let file = match &mut self.file {
            Some(file) => file,
            None => return Err(self.io("write", io::Error::other("it is not open"))),
        };
        if let Err(e) = file.write_all(text.as_bytes()) {
            return Err(self.io("write", e));
        }
        self.lines += 1;
        if self.lines > self.window * 4 + 64 {
            self.compact()?;
        }
        Ok(())
    }

    fn note(&mut self, id: Uuid, entry: Entry) {
        if self.entries.insert(id, entry).is_none() {
            self.order.push_back(id);
        }
        self.forget_beyond_window();
    }

    /// Drops the oldest handled ids beyond the window (pending and started
    /// ones stay until they are done).
    fn forget_beyond_window(&mut self) {
        while self.order.len() > self.window {
            let Some(oldest) = self.order.front().copied() else {
                break;
            };
            if matches!(self.entries.get(&oldest), Some(Entry::Done) | None) {
                self.order.pop_front();
                self.entries.remove(&oldest);
            } else {
                break;
            }
        }
    }

    /// Rewrites the file as what is known now, through a temporary file
    /// and a rename, so a crash leaves the old file or the new one.
    fn compact(&mut self) -> Result<()> {
        let mut text = String::new();
        let mut push = |line: &Line| {
            text.push_str(&serde_json::to_string(line).expect("a state line serialises"));
            text.push('\n');
        };
        push(&Line::Positions(self.positions.clone()));
        let mut lines = 1;
        for id in &self.order {
            match &self.entries[id] {
                Entry::Done => push(&Line::Done(*id)),
                Entry::Pending(m) => push(&Line::Received(m.clone())),
                Entry::Started => push(&Line::Started(*id)),
            }
            lines += 1;
        }
        let tmp = self.path.with_extension("jsonl.tmp");
        let written = (|| {
            let mut file = File::create(&tmp)?;
            file.write_all(text.as_bytes())?;
            file.sync_data()?;
            fs::rename(&tmp, &self.path)
        })();
        written.map_err(|e| self.io("rewrite", e))?;
        let file = OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(|e| self.io("open", e))?;
        self.file = Some(file);
        self.lines = lines;
        Ok(())
    }
}

/// The steps, run at once: one short blocking write each.
impl FileStore {
    fn load_now(&mut self) -> Result<Saved> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| self.io("create the folder of", e))?;
        }
        let mut interrupted = Vec::new();
        match File::open(&self.path) {
            Ok(file) => {
                for (n, line) in BufReader::new(file).lines().enumerate() {
                    let line = line.map_err(|e| self.io("read", e))?;
                    if line.trim().is_empty() {
                        continue;
                    }
                    match serde_json::from_str::<Line>(&line) {
                        Ok(Line::Positions(p)) => self.positions = p,
                        Ok(Line::Received(m)) => {
                            self.positions.advance(&m);
                            self.note(m.id, Entry::Pending(m));
                        }
                        Ok(Line::Started(id)) => self.note(id, Entry::Started),
                        Ok(Line::Done(id)) => self.note(id, Entry::Done),
                        // A line cut by a crash in the middle of a write.
                        Err(e) => tracing::warn!(
                            path = %self.path.display(), line = n + 1, error = %e,
                            "bot state: skipping an unreadable line"
                        ),
                    }
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(self.io("read", e)),
        }
        let mut saved = Saved {
            position: self.positions.resume(),
            ..Saved::default()
        };
        for id in &self.order {
            match self.entries.get_mut(id) {
                Some(Entry::Pending(m)) => saved.pending.push((**m).clone()),
                Some(entry @ Entry::Started) => {
                    interrupted.push(*id);
                    *entry = Entry::Done;
                }
                _ => {}
            }
            saved.seen.push(*id);
        }
        saved.interrupted = interrupted;
        self.compact()?;
        Ok(saved)
    }

    fn received_now(&mut self, message: &Message) -> Result<()> {
        self.append(&Line::Received(Box::new(message.clone())))?;
        self.positions.advance(message);
        self.note(message.id, Entry::Pending(Box::new(message.clone())));
        Ok(())
    }

    fn started_now(&mut self, id: Uuid) -> Result<()> {
        self.append(&Line::Started(id))?;
        self.note(id, Entry::Started);
        Ok(())
    }

    fn done_now(&mut self, id: Uuid) -> Result<()> {
        self.append(&Line::Done(id))?;
        self.note(id, Entry::Done);
        Ok(())
    }

    fn flush_now(&mut self) -> Result<()> {
        self.compact()
    }
}

impl Store for FileStore {
    fn load(&mut self) -> StoreFuture<'_, Saved> {
        Box::pin(async move { self.load_now() })
    }
    fn received<'a>(&'a mut self, message: &'a Message) -> StoreFuture<'a, ()> {
        Box::pin(async move { self.received_now(message) })
    }
    fn started(&mut self, id: Uuid) -> StoreFuture<'_, ()> {
        Box::pin(async move { self.started_now(id) })
    }
    fn done(&mut self, id: Uuid) -> StoreFuture<'_, ()> {
        Box::pin(async move { self.done_now(id) })
    }
    fn flush(&mut self) -> StoreFuture<'_, ()> {
        Box::pin(async move { self.flush_now() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(n: u128) -> Message {
        serde_json::from_value(serde_json::json!({
            "id": Uuid::from_u128(n), "from_user_id": "", "from_username": "bob",
            "content": format!("m{n}"), "message_type": "room", "description": "",
            "timestamp": format!("2026-12-01T10:00:{:02}+00:00", n % 60),
        }))
        .unwrap()
    }

    fn temp_path(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tb-store-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir.join("state.jsonl")
    }

    #[tokio::test]
    async fn a_restart_sees_done_ids_reruns_pending_ones_and_reports_interrupted_ones() {
        let path = temp_path("restart");
        let mut store = FileStore::new(&path);
        assert_eq!(store.load().await.unwrap(), Saved::default());
        for n in 1..=4 {
            store.received(&message(n)).await.unwrap();
        }
        store.started(Uuid::from_u128(1)).await.unwrap();
        store.done(Uuid::from_u128(1)).await.unwrap();
        store.started(Uuid::from_u128(2)).await.unwrap();
        // The process dies here: no flush.
        drop(store);

        let mut again = FileStore::new(&path);
        let saved = again.load().await.unwrap();
        let ids = |v: &[u128]| v.iter().map(|n| Uuid::from_u128(*n)).collect::<Vec<_>>();
        assert_eq!(saved.seen, ids(&[1, 2, 3, 4]));
        assert_eq!(saved.interrupted, ids(&[2]));
        assert_eq!(
            saved.pending.iter().map(|m| m.id).collect::<Vec<_>>(),
            ids(&[3, 4])
        );
        assert_eq!(saved.position.message_id, Some(Uuid::from_u128(4)));
        // A direct message older than the newest room message: resume
        // from it, so room messages after it that were still on their way
        // are fetched again.
        let mut dm = message(3);
        dm.to_username = Some("alice".into());
        dm.id = Uuid::from_u128(99);
        again.received(&dm).await.unwrap();
        again.flush().await.unwrap();
        let resumed = FileStore::new(&path).load().await.unwrap().position;
        assert_eq!(resumed.message_id, Some(Uuid::from_u128(99)));
        // The interrupted one is reported once, not on every start.
        again.flush().await.unwrap();
        let third = FileStore::new(&path).load().await.unwrap();
        assert!(third.interrupted.is_empty());
        assert_eq!(third.pending.len(), 3, "3, 4 and the direct message");
        let _ = fs::remove_dir_all(path.parent().unwrap());
    }

    #[tokio::test]
    async fn a_torn_last_line_is_skipped_and_the_file_stays_bounded() {
        let path = temp_path("torn");
        let mut store = FileStore::new(&path).window(8);
        store.load().await.unwrap();
        for n in 1..=200 {
            store.received(&message(n)).await.unwrap();
            store.started(Uuid::from_u128(n)).await.unwrap();
            store.done(Uuid::from_u128(n)).await.unwrap();
        }
        drop(store);
        let lines = fs::read_to_string(&path).unwrap().lines().count();
        assert!(lines <= 8 * 4 + 64 + 1, "{lines} lines");
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(br#"{"r":{"id":"0000"#).unwrap();
        drop(file);
        let saved = FileStore::new(&path).window(8).load().await.unwrap();
        assert_eq!(saved.seen.len(), 8);
        assert_eq!(saved.seen.last(), Some(&Uuid::from_u128(200)));
        assert!(saved.pending.is_empty() && saved.interrupted.is_empty());
        let _ = fs::remove_dir_all(path.parent().unwrap());
    }
}
