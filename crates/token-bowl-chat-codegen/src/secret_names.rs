/// Field names that hold a secret, compared without regard to case.
pub const SECRET_NAMES: &[&str] = &["api_key", "apikey", "token", "secret", "password"];
/// Name endings that mark a secret: `bot_api_key`, `refresh_token`,
/// `client_secret`.
pub const SECRET_SUFFIXES: &[&str] = &["_api_key", "_token", "_secret"];

/// Whether a field of this name holds a secret (`SECRET_NAMES`,
/// `SECRET_SUFFIXES`, without regard to case).
pub fn is_secret_name(name: &str) -> bool {
    SECRET_NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
        || SECRET_SUFFIXES.iter().any(|suffix| {
            name.len() >= suffix.len()
                && name.as_bytes()[name.len() - suffix.len()..]
                    .eq_ignore_ascii_case(suffix.as_bytes())
        })
}
