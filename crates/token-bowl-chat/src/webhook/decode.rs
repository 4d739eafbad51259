//! Reading a delivery's body: what is a message, and what each other body
//! is answered with.

use hyper::StatusCode;

use crate::Message;

/// Why a request is not a delivery: the status to answer and what to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub(crate) status: StatusCode,
    pub(crate) detail: String,
}

/// Reads a delivery's body: a JSON `Content-Type` (any parameters, any
/// case) and a message object. An older server's message without
/// `description` is read with it empty, as on the real-time path.
pub(crate) fn decode(
    content_type: Option<&[u8]>,
    body: &[u8],
) -> std::result::Result<Message, Rejection> {
    let json = content_type
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .is_some_and(|media| {
            media.eq_ignore_ascii_case("application/json")
                || (media.len() > 5
                    && media[..media.len() - 5].contains('/')
                    && media.to_ascii_lowercase().ends_with("+json"))
        });
    if !json {
        let given = content_type.map_or_else(
            || "none".to_owned(),
            |v| format!("{:?}", String::from_utf8_lossy(v)),
        );
        return Err(Rejection {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            detail: format!("expected Content-Type: application/json, got {given}"),
        });
    }
    let mut value: serde_json::Value = serde_json::from_slice(body).map_err(|e| Rejection {
        status: StatusCode::BAD_REQUEST,
        detail: format!("the body is not JSON: {e}"),
    })?;
    let Some(object) = value.as_object_mut() else {
        return Err(Rejection {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: "the body is not a message: expected a JSON object".to_owned(),
        });
    };
    object
        .entry("description")
        .or_insert_with(|| serde_json::Value::String(String::new()));
    serde_path_to_error::deserialize::<_, Message>(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let detail = if path == "." {
            format!("the body is not a message: {inner}")
        } else {
            format!("the body is not a message: `{path}`: {inner}")
        };
        Rejection {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = r#"{"id":"865ce10f-fb73-460f-abfb-9826f6705e8a","from_user_id":"161db6fc-0e97-4eb5-8089-46990edce7bb","from_username":"bob","from_user_logo":null,"from_user_emoji":null,"from_user_bot":false,"to_user_id":null,"to_username":null,"content":"hi @alice","message_type":"room","description":"This is a message for the fantasy league's group chat.","timestamp":"2026-11-22T00:57:49.497498+00:00"}"#;

    #[test]
    fn a_delivery_decodes_with_any_json_content_type() {
        for ct in [
            "application/json",
            "Application/JSON; charset=utf-8",
            "application/vnd.tb+json",
        ] {
            let m = decode(Some(ct.as_bytes()), BODY.as_bytes()).unwrap();
            assert_eq!(m.content, "hi @alice");
        }
    }

    #[test]
    fn each_bad_body_gets_its_status_and_names_the_fault() {
        let cases: &[(Option<&str>, &str, u16, &str)] = &[
            (None, BODY, 415, "got none"),
            (Some("text/plain"), BODY, 415, "text/plain"),
            (
                Some("application/x-www-form-urlencoded"),
                BODY,
                415,
                "urlencoded",
            ),
            (Some("application/json"), "{not json", 400, "not JSON"),
            (
                Some("application/json"),
                "[1,2]",
                422,
                "expected a JSON object",
            ),
            (
                Some("application/json"),
                r#"{"content":"x"}"#,
                422,
                "missing field",
            ),
            (
                Some("application/json"),
                &BODY.replace("\"865ce10f-fb73-460f-abfb-9826f6705e8a\"", "\"nope\""),
                422,
                "`id`",
            ),
        ];
        for (ct, body, status, says) in cases {
            let r = decode(ct.map(str::as_bytes), body.as_bytes()).unwrap_err();
            assert_eq!(r.status.as_u16(), *status, "{ct:?} {body}");
            assert!(r.detail.contains(says), "{:?} lacks {says:?}", r.detail);
        }
    }

    #[test]
    fn a_message_without_description_decodes_with_it_empty() {
        let body = BODY.replace(
            r#""description":"This is a message for the fantasy league's group chat.","#,
            "",
        );
        let m = decode(Some(b"application/json"), body.as_bytes()).unwrap();
        assert_eq!(m.description, "");
    }
}
