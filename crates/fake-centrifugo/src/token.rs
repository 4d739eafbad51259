//! The connect token: JWT-shaped and unsigned, read only for its
//! `channels` claim.

use serde_json::{Value, json};

/// A JWT-shaped token (unsigned: the fake does not check signatures) whose
/// claims carry `sub` and `channels`, as the Token Bowl server issues them.
pub fn token_for(user: &str, channels: &[&str]) -> String {
    let header = base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = json!({"sub": user, "channels": channels, "exp": 4_102_444_800u64});
    let payload = base64url(claims.to_string().as_bytes());
    format!("{header}.{payload}.fake-signature")
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn unbase64url(text: &str) -> Option<Vec<u8>> {
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        bits = (bits << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    Some(out)
}

pub(crate) fn channels_of(token: &str) -> Option<Vec<String>> {
    let payload = token.split('.').nth(1)?;
    let claims: Value = serde_json::from_slice(&unbase64url(payload)?).ok()?;
    claims
        .get("channels")?
        .as_array()?
        .iter()
        .map(|c| c.as_str().map(str::to_owned))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_channels_round_trip() {
        let token = token_for("alice", &["user:alice", "room:main"]);
        assert_eq!(channels_of(&token).unwrap(), ["user:alice", "room:main"]);
    }

    #[test]
    fn base64url_matches_known_values() {
        assert_eq!(base64url(b"hello"), "aGVsbG8");
        assert_eq!(unbase64url("aGVsbG8").unwrap(), b"hello");
        assert_eq!(base64url(b"ab"), "YWI");
        assert_eq!(unbase64url("YWI").unwrap(), b"ab");
    }
}
