//! The connect token: a JWT read for its `sub` and `channels` claims.
//! Its HS256 signature is checked only when the fake has a secret (as the
//! binary does when it stands in for a real deployment).

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

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

/// What a connect token grants.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Claims {
    /// The user (`sub`), empty when absent.
    pub(crate) user: String,
    /// The channels subscribed server-side.
    pub(crate) channels: Vec<String>,
}

/// Reads a token's claims; with a `secret`, only if its HS256 signature
/// is right. `None` for anything unreadable or wrongly signed.
pub(crate) fn claims_of(token: &str, secret: Option<&[u8]>) -> Option<Claims> {
    let mut parts = token.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if let Some(secret) = secret {
        let signed = format!("{header}.{payload}");
        if base64url(&hmac_sha256(secret, signed.as_bytes())) != signature {
            return None;
        }
    }
    let claims: Value = serde_json::from_slice(&unbase64url(payload)?).ok()?;
    let channels = claims
        .get("channels")?
        .as_array()?
        .iter()
        .map(|c| c.as_str().map(str::to_owned))
        .collect::<Option<Vec<_>>>()?;
    let user = claims
        .get("sub")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    Some(Claims { user, channels })
}

/// HMAC-SHA256 (RFC 2104) of `message` under `key`.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_channels_round_trip() {
        let token = token_for("alice", &["user:alice", "room:main"]);
        let claims = claims_of(&token, None).unwrap();
        assert_eq!(claims.channels, ["user:alice", "room:main"]);
        assert_eq!(claims.user, "alice");
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    /// A token made by PyJWT 2.x (`jwt.encode(claims, secret, "HS256")`) as
    /// the Token Bowl server 2.0.1 makes it, with its default secret.
    const SERVER_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJib2IiLCJleHAiOjQxMDI0NDQ4MDAsImlhdCI6MTc2NDEwMDAwMCwiY2hhbm5lbHMiOlsicm9vbTptYWluIiwidXNlcjpib2IiXX0._I_S7LjrmTAvCfUKNz5Iu7hIEOS3pEx4aeHmTkMmKTU";

    #[test]
    fn server_tokens_are_checked_with_the_secret() {
        let secret = b"your-secret-key-change-in-production".as_slice();
        let claims = claims_of(SERVER_TOKEN, Some(secret)).unwrap();
        assert_eq!(claims.channels, ["room:main", "user:bob"]);
        assert_eq!(claims.user, "bob");
        assert_eq!(claims_of(SERVER_TOKEN, Some(b"another secret")), None);
        // Other claims under the server's signature: refused.
        let forged = token_for("bob", &["room:main", "user:alice"]);
        let parts: Vec<&str> = SERVER_TOKEN.split('.').collect();
        let forged_payload = forged.split('.').nth(1).unwrap();
        let tampered = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
        assert!(claims_of(&tampered, None).is_some());
        assert_eq!(claims_of(&tampered, Some(secret)), None);
    }

    #[test]
    fn base64url_matches_known_values() {
        assert_eq!(base64url(b"hello"), "aGVsbG8");
        assert_eq!(unbase64url("aGVsbG8").unwrap(), b"hello");
        assert_eq!(base64url(b"ab"), "YWI");
        assert_eq!(unbase64url("YWI").unwrap(), b"ab");
    }
}
