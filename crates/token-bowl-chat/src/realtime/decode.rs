//! Publications into [`Event`]s: one table of the typed payloads
//! ([`KINDS`]), read two ways that must agree.

use serde::Deserialize;
use serde_json::Value;

use super::Event;
use crate::Message;

/// A typed payload: its `type` value and how to read it, from the text
/// (the fast path) and from a parsed value (the general one).
struct Kind {
    name: &'static str,
    from_text: fn(&str) -> Option<Event>,
    from_value: fn(Value) -> Option<Event>,
}

/// One entry of [`KINDS`]: the payload's `type` and the event variant
/// that carries it.
macro_rules! kind {
    ($name:literal => $variant:path) => {
        Kind {
            name: $name,
            from_text: |text| serde_json::from_str(text).ok().map($variant),
            from_value: |value| serde_json::from_value(value).ok().map($variant),
        }
    };
}

/// Every payload with a `type` that this version reads; a message has no
/// `type`. A new kind of event is one line here (and its variant in
/// [`Event`], and its callback in [`Handlers`](super::Handlers)).
const KINDS: &[Kind] = &[
    kind!("read_receipt" => Event::ReadReceipt),
    kind!("typing" => Event::Typing),
    kind!("unread_count" => Event::UnreadCount),
];

fn kind_named(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|kind| kind.name == name)
}

/// Decodes one publication into an event. Unknown or malformed payloads
/// become [`Event::Unknown`]: a newer server must not break this client.
///
/// The usual payloads are read straight into their types (a first pass
/// finds the `type` field without building anything); anything else (an
/// older server's message without `description`, an unknown type, bad
/// JSON) takes the general path through a JSON value, which decides the
/// same way for every input (the `realtime` fuzz target checks that).
pub fn decode(channel: &str, data: &[u8]) -> Event {
    decode_direct(data).unwrap_or_else(|| decode_via_value(channel, data))
}

/// The `type` field of a payload, if it is a string, found without
/// building the rest.
#[derive(Deserialize)]
struct Peek<'a> {
    // Present (even as `null`, which is not a message) or absent.
    #[serde(rename = "type", default, borrow, deserialize_with = "present")]
    kind: Option<PeekKind<'a>>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<PeekKind<'de>>, D::Error> {
    PeekKind::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PeekKind<'a> {
    Text(#[serde(borrow)] std::borrow::Cow<'a, str>),
    Other(serde::de::IgnoredAny),
}

/// The fast path of [`decode`]: `None` when the payload needs the general one.
fn decode_direct(data: &[u8]) -> Option<Event> {
    // The general path reads every string, so it refuses bad UTF-8 even in
    // a field no type has; reading into a type skips such a field unread.
    // (The `realtime` fuzz target found that difference.)
    let text = std::str::from_utf8(data).ok()?;
    // Messages have no `type`: without the word anywhere, skip the peek.
    let peeked = if text.contains("\"type\"") {
        serde_json::from_str::<Peek<'_>>(text).ok()?.kind
    } else {
        None
    };
    match peeked {
        None => serde_json::from_str::<Message>(text)
            .ok()
            .map(|m| Event::Message(Box::new(m))),
        Some(PeekKind::Text(name)) => (kind_named(&name)?.from_text)(text),
        Some(PeekKind::Other(_)) => None,
    }
}

/// [`decode`] through a `serde_json::Value`: the general path, and the
/// reference the fast one is checked against.
pub(crate) fn decode_via_value(channel: &str, data: &[u8]) -> Event {
    let unknown = || Event::Unknown {
        channel: channel.to_owned(),
        data: String::from_utf8_lossy(data).into_owned(),
    };
    let Ok(mut value) = serde_json::from_slice::<Value>(data) else {
        return unknown();
    };
    let decoded = match value.get("type").map(Value::as_str) {
        None => {
            // `description` is required by the spec but missing from older
            // servers' pushes.
            if let Some(object) = value.as_object_mut() {
                object
                    .entry("description")
                    .or_insert_with(|| Value::String(String::new()));
            }
            serde_json::from_value::<Message>(value)
                .ok()
                .map(|m| Event::Message(Box::new(m)))
        }
        Some(Some(name)) => match kind_named(name) {
            Some(kind) => (kind.from_value)(value),
            None => return unknown(),
        },
        Some(None) => return unknown(),
    };
    decoded.unwrap_or_else(unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_direct_decode_decides_like_the_general_one() {
        let recorded = include_str!("../../tests/data/centrifugo-publishes.jsonl");
        let mut payloads: Vec<(String, String)> = recorded
            .lines()
            .map(|line| {
                let record: Value = serde_json::from_str(line).unwrap();
                (
                    record["channel"].as_str().unwrap().to_owned(),
                    record["data"].to_string(),
                )
            })
            .collect();
        assert!(payloads.len() >= 5, "the recorded publishes are there");
        let message = payloads
            .iter()
            .find(|(_, data)| !data.contains("\"type\""))
            .unwrap()
            .1
            .clone();
        for edge in [
            // an older server's message: no description
            message.replacen("\"description\"", "\"former_description\"", 1),
            // `type: null` is not a message
            message.replacen('{', "{\"type\":null,", 1),
            // a key twice: the last one counts
            message.replacen('{', "{\"content\":\"first\",", 1),
            r#"{"type":"reaction","emoji":"x"}"#.to_owned(),
            r#"{"type":"typing","username":5}"#.to_owned(),
            r#"{"type":7}"#.to_owned(),
            "not json".to_owned(),
        ] {
            payloads.push(("room:main".to_owned(), edge));
        }
        // Bad UTF-8 in a field the type does not have (found by fuzzing).
        let bad = b"{\"type\": \"unread_count\", \"unread_room_messages\": 1, \"unread_direct_messages\": 0, \"total_unread\": 1, \"timestamp\": \"2026-11-22T0\x8c1:10:05+00:00\"}";
        assert_eq!(decode("room:main", bad), decode_via_value("room:main", bad));
        assert!(matches!(decode("room:main", bad), Event::Unknown { .. }));
        let mut direct = 0;
        for (channel, data) in &payloads {
            assert_eq!(
                decode(channel, data.as_bytes()),
                decode_via_value(channel, data.as_bytes()),
                "{data}"
            );
            direct += usize::from(decode_direct(data.as_bytes()).is_some());
        }
        assert!(
            direct >= 5,
            "the recorded payloads take the direct path ({direct})"
        );
    }

    #[test]
    fn every_payload_kind_decodes() {
        // Payloads of every kind, in the shapes the server 2.0.1 publishes.
        let published = include_str!("../../tests/data/centrifugo-publishes.jsonl");
        let kinds: Vec<&'static str> = published
            .lines()
            .map(|line| {
                let record: Value = serde_json::from_str(line).unwrap();
                let channel = record["channel"].as_str().unwrap();
                let data = record["data"].to_string();
                match decode(channel, data.as_bytes()) {
                    Event::Message(_) => "message",
                    Event::ReadReceipt(_) => "read_receipt",
                    Event::Typing(_) => "typing",
                    Event::UnreadCount(_) => "unread_count",
                    other => panic!("{line} decoded to {other:?}"),
                }
            })
            .collect();
        for kind in ["message", "read_receipt", "typing", "unread_count"] {
            assert!(kinds.contains(&kind), "{kind} missing in {kinds:?}");
        }
    }

    #[test]
    fn a_message_without_description_decodes() {
        let data = br#"{"id":"865ce10f-fb73-460f-abfb-9826f6705e8a","from_user_id":"","from_username":"alice","content":"hi","message_type":"room","timestamp":"2026-11-22T01:02:32Z"}"#;
        let Event::Message(m) = decode("room:main", data) else {
            panic!()
        };
        assert_eq!(m.description, "");
        assert_eq!(m.from_user_id, None, "a deleted sender's id is empty");
    }

    #[test]
    fn unknown_and_malformed_payloads_are_unknown() {
        let Event::Unknown { channel, data } =
            decode("room:main", br#"{"type":"reaction","emoji":"x"}"#)
        else {
            panic!()
        };
        assert_eq!(channel, "room:main");
        assert_eq!(data, r#"{"type":"reaction","emoji":"x"}"#, "kept as sent");
        assert!(matches!(
            decode("user:bob", b"not json"),
            Event::Unknown { .. }
        ));
        assert!(matches!(
            decode("user:bob", br#"{"type":"typing","username":5}"#),
            Event::Unknown { .. }
        ));
    }

    #[test]
    fn typing_and_unread_fields_map() {
        let Event::Typing(t) = decode(
            "user:bob",
            br#"{"type":"typing","username":"alice","to_username":null,"timestamp":"2026-11-22T01:02:36.048048+00:00"}"#,
        ) else {
            panic!()
        };
        assert_eq!((t.username.as_str(), t.to), ("alice", None));
        let Event::UnreadCount(u) = decode(
            "user:bob",
            br#"{"type":"unread_count","unread_room_messages":2,"unread_direct_messages":1,"total_unread":3,"timestamp":"2026-11-22T01:02:34+00:00"}"#,
        ) else {
            panic!()
        };
        assert_eq!((u.room, u.direct, u.total), (2, 1, 3));
    }
}
