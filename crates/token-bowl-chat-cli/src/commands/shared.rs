//! What more than one area's commands use: the wait with a spinner, the
//! settling of a send whose outcome is unknown, the redaction of secrets,
//! and the answers to a deletion and a new key.

use serde::Serialize;
use serde_json::{Value, json};
use token_bowl_chat::{Client, Message, UnknownSend};

use crate::{
    failure::Failure,
    output::{Out, Spinner},
};

/// What every command returns.
pub type Result<T = ()> = std::result::Result<T, Failure>;

/// Awaits `future` with a spinner on stderr.
pub async fn wait<T>(
    what: &str,
    future: impl std::future::Future<Output = token_bowl_chat::Result<T>>,
) -> Result<T> {
    let _spinner = Spinner::start(what);
    Ok(future.await?)
}

/// A send whose outcome is unknown (the server may have stored it): the
/// recent history says whether it was, so the user learns whether to send
/// again; it is never re-sent here. `Err` is the one line to show.
pub async fn settle(
    client: &Client,
    unknown: &UnknownSend,
) -> std::result::Result<Message, String> {
    let cause = cause(unknown);
    match client.find_sent(unknown).await {
        Ok(Some(message)) => Ok(message),
        Ok(None) => Err(format!(
            "not sent: the send failed{cause} and the message is not in recent history, \
             so the server did not store it; it is safe to send again"
        )),
        Err(e) => Err(format!(
            "the message may have been stored although the send failed{cause}, and looking \
             for it failed too ({e}); it was not re-sent: check `token-bowl messages list` \
             before sending it again"
        )),
    }
}

/// What to tell the user when [`settle`] found the message stored.
pub fn found_note(unknown: &UnknownSend) -> String {
    format!(
        "the server's answer was lost{}, but the message was found stored: it was sent once",
        cause(unknown)
    )
}

fn cause(unknown: &UnknownSend) -> String {
    unknown
        .cause
        .as_ref()
        .map(|c| format!(" ({c})"))
        .unwrap_or_default()
}

const REDACTED: &str = "<redacted>";

/// How [`redacted`] treats a secret-named field.
#[derive(Clone, Copy)]
pub enum Secrets {
    /// Shown as `<redacted>` (lists of bots and users).
    Marked,
    /// Left out (your own profile).
    Omitted,
}

/// JSON of `value` with every secret-named field (`api_key`, `*_token`,
/// ...: the API crate's one list, `is_secret_name`) redacted, at any
/// depth: the CLI's one redaction. Only the commands whose purpose is to
/// hand out a key print one.
pub fn redacted(value: &impl Serialize, secrets: Secrets) -> Value {
    fn walk(value: &mut Value, secrets: Secrets) {
        match value {
            Value::Object(map) => map.retain(|key, inner| {
                if !token_bowl_chat::api::is_secret_name(key) {
                    walk(inner, secrets);
                    return true;
                }
                *inner = json!(REDACTED);
                matches!(secrets, Secrets::Marked)
            }),
            Value::Array(items) => items.iter_mut().for_each(|item| walk(item, secrets)),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(value).unwrap_or(Value::Null);
    walk(&mut value, secrets);
    value
}

/// The answer to a deletion.
pub fn deleted(out: &Out, what: &str, id: uuid::Uuid) -> Result {
    out.show(&json!({"deleted": what, "id": id}), |out| {
        out.line(&format!("Deleted {what} {id}."))?;
        Ok(())
    })?;
    Ok(())
}

/// The answer to a `regenerate-key`: the new key, printed, as that is what
/// was asked for.
pub fn new_key(out: &Out, username: &str, id: uuid::Uuid, key: &token_bowl_chat::ApiKey) -> Result {
    out.show(
        &json!({"username": username, "id": id, "api_key": key.expose_secret()}),
        |out| {
            out.line(&format!(
                "New API key for {username}: {}",
                key.expose_secret()
            ))?;
            Ok(())
        },
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_secret_named_field_is_redacted_at_any_depth() {
        let value = json!({"username": "bob", "api_key": "k1",
            "bots": [{"name": "b", "Refresh_Token": "t1", "token_count": 3}],
            "session": {"client_secret": "s1", "id": 7}});
        assert_eq!(
            redacted(&value, Secrets::Marked),
            json!({"username": "bob", "api_key": REDACTED,
                "bots": [{"name": "b", "Refresh_Token": REDACTED, "token_count": 3}],
                "session": {"client_secret": REDACTED, "id": 7}})
        );
        assert_eq!(
            redacted(&value, Secrets::Omitted),
            json!({"username": "bob", "bots": [{"name": "b", "token_count": 3}],
                "session": {"id": 7}})
        );
    }
}
