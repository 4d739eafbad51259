//! Secrets out of text that came from a server, before it reaches an
//! error message or a log.

/// Replaces secrets in text that came from a server: the client's own key
/// wherever it appears, the value of every secret-named JSON field
/// (`api_key`, `token`, `*_token`, `secret`, `password`), even in a body cut
/// short, and any run of 32 or more hex digits (the server's keys are 64).
pub(crate) fn redact(text: &str, own_key: Option<&str>) -> String {
    const REDACTED: &str = "<redacted>";
    let mut text = match own_key {
        Some(key) if !key.is_empty() && text.contains(key) => text.replace(key, REDACTED),
        _ => text.to_owned(),
    };
    // Secret-named JSON string fields. Every quote may open a name: a
    // stray quote (a body cut short, text around JSON) must not shift the
    // pairing and hide a field.
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(open) = rest.find('"') {
        out.push_str(&rest[..=open]);
        rest = &rest[open + 1..];
        let Some(close) = rest.find('"') else { break };
        let name = &rest[..close];
        let after_name = rest[close + 1..].trim_start();
        let Some(value) = after_name
            .strip_prefix(':')
            .map(str::trim_start)
            .and_then(|v| v.strip_prefix('"'))
            .filter(|_| token_bowl_chat_api::is_secret_name(name))
        else {
            continue;
        };
        // Keep the name, the colon and the opening quote; replace the value.
        let lead = rest.len() - value.len();
        out.push_str(&rest[..lead]);
        out.push_str(REDACTED);
        let mut end = value.len();
        let mut escaped = false;
        for (i, c) in value.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = i;
                    break;
                }
                _ => escaped = false,
            }
        }
        rest = &value[end..];
        if let Some(after_value) = rest.strip_prefix('"') {
            out.push('"');
            rest = after_value;
        }
    }
    out.push_str(rest);
    text = out;
    // Long hex runs.
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars() {
        if c.is_ascii_hexdigit() {
            run.push(c);
            continue;
        }
        out.push_str(if run.len() >= 32 { REDACTED } else { &run });
        run.clear();
        out.push(c);
    }
    out.push_str(if run.len() >= 32 { REDACTED } else { &run });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_removes_keys_from_any_body() {
        let key = "5f501011a11f29794472177cee6470d447cb1ac7b57391a694ea0157854bd564";
        for (text, own) in [
            (
                format!(r#"{{"id":"x","api_key":"{key}","username":"b"}}"#),
                None,
            ),
            (format!(r#"{{"api_key" : "{key}"#), None),
            // Found by the property test: a stray quote before the JSON.
            (format!(r#""{{"api_key": "{key}", "next": 1}}"#), None),
            (format!("key {key} rejected"), None),
            (
                r#"{"session_token":"abc","token":"eyJ.x.y"}"#.to_owned(),
                None,
            ),
            ("the key sec-ret is wrong".to_owned(), Some("sec-ret")),
        ] {
            let out = redact(&text, own);
            assert!(!out.contains(key), "{out}");
            assert!(!out.contains("sec-ret"), "{out}");
            assert!(!out.contains("eyJ"), "{out}");
            assert!(!out.contains(r#""abc""#), "{out}");
            assert!(out.contains("<redacted>"), "{out}");
        }
        let plain = r#"{"id":"865ce10f-fb73-460f-abfb-9826f6705e8a","username":"bob"}"#;
        assert_eq!(redact(plain, None), plain, "ids and names stay");
    }
}
