//! The normaliser: every pass after the 3.1 → 3.0.3 conversion
//! ([`crate::convert`]), in the order they run. Every pass is idempotent:
//! normalising `openapi.json` again changes nothing.
//!
//! The passes live by why they exist, as the README's "Regenerating when
//! the server changes" names them:
//! - [`crate::generator`]: what progenitor cannot read ("Any FastAPI
//!   document"), first, so every later pass sees a document it can take;
//! - [`crate::conventions`]: this SDK's shape conventions (steps 1 to 3 and
//!   8 of "Normalisation for this SDK");
//! - [`crate::rules`]: the Token Bowl server's rules (steps 4 to 7), which
//!   only its documents, or `--rules token-bowl`, get.
//!
//! Ordering needs no pass of its own: `serde_json`'s map (without
//! `preserve_order`) keeps keys sorted, so the written document is stable.

use serde_json::Value;

use crate::{
    conventions,
    generator::{self, names, requests, responses, schemas},
    rules::{self, Rules},
};

/// Applies every normalisation pass, in order.
pub fn normalize(doc: &mut Value, server: &Rules) {
    // What the generator cannot read ("Any FastAPI document").
    generator::info_placeholders(doc);
    names::path_parameters_match_the_template(doc);
    requests::one_request_media_type(doc);
    schemas::enums_and_defaults(doc);
    names::unique_operation_ids(doc);
    requests::skip_unsupported_bodies(doc);
    requests::unsupported_parameters(doc);
    schemas::translate_patterns(doc);
    schemas::known_types_only(doc);
    // "Normalisation for this SDK", by the README's numbers.
    conventions::strip_operation_id_suffixes(doc); // 1
    rules::mark_idempotent(doc, server); // by the final ids of 1
    conventions::remove_authorization_parameters(doc); // 2
    conventions::shared_error_schema(doc); // 3
    if server.connection_token {
        rules::typed_connection_token(doc); // 4
    }
    rules::typed_answers(doc, server); // 5
    // The generator's one kind of answer per outcome, after the typed
    // answers, which must see the server's own first body.
    responses::one_kind_per_outcome(doc);
    rules::response_values(doc, server); // 6
    rules::known_formats(doc, server); // 7
    conventions::drop_prose(doc); // 8
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{
        document::{
            fixtures::{one_op, read_and_write},
            json_response, schema_ref,
        },
        rules::TOKEN_BOWL,
    };

    #[test]
    fn reference_ids_in_responses_are_lenient_and_own_ids_strict() {
        // The server's shape of a bot an admin made from a user.
        let mut d = read_and_write(json!({
            "id": {"type": "string"},
            "created_by_id": {"type": "string"},
            "to_user_id": {"type": "string", "nullable": true},
            "from_user_id": {"type": "string", "format": "uuid"}
        }));
        normalize(&mut d, &TOKEN_BOWL);
        let out = &d["components"]["schemas"]["Out"]["properties"];
        assert_eq!(out["id"]["format"], "uuid");
        for id in ["created_by_id", "to_user_id", "from_user_id"] {
            assert_eq!(out[id]["format"], "uuid-or-empty", "{id}");
        }
        assert!(
            d["components"]["schemas"]["In"]["properties"]["created_by_id"]
                .get("format")
                .is_none()
        );
    }

    #[test]
    fn another_servers_answers_keep_their_own_types() {
        // What another API really sends: an id that is no UUID, a signed
        // total, a field named like a secret that is none.
        let fields = json!({
            "id": {"type": "string"},
            "user_id": {"type": "string"},
            "total": {"type": "integer"},
            "token": {"type": "string"},
            "created_at": {"type": "string"},
            "owner_id": {"type": "string", "format": "uuid"},
            "seen": {"type": "integer", "minimum": 0}
        });
        let mut d = read_and_write(fields.clone());
        normalize(&mut d, &crate::rules::NONE);
        let out = &d["components"]["schemas"]["Out"]["properties"];
        for (name, schema) in fields.as_object().unwrap() {
            assert_eq!(&out[name], schema, "{name} keeps its own type");
        }
    }

    #[test]
    fn a_typed_answer_beside_another_success_body_normalises_once() {
        // Found by the `spec` fuzz target: a free-form 200 beside a `2XX`.
        let mut d = one_op(
            "/users/me/webhook",
            "patch",
            json!({"operationId": "update_my_webhook", "responses": {
                "200": json_response("ok", json!({"type": "object", "additionalProperties": {"type": "string"}})),
                "2XX": json_response("other", schema_ref("Other"))}}),
        );
        normalize(&mut d, &TOKEN_BOWL);
        let once = d.clone();
        normalize(&mut d, &TOKEN_BOWL);
        assert_eq!(d, once);
        let responses = &d["paths"]["/users/me/webhook"]["patch"]["responses"];
        assert!(
            responses.get("200").is_none(),
            "the 200 equals the 2XX that covers it, so it goes"
        );
        assert_eq!(
            responses["2XX"]["content"]["application/json"]["schema"],
            json!({"anyOf": [schema_ref("WebhookUpdated"), schema_ref("Other")]})
        );
    }

    #[test]
    fn the_connection_token_beside_another_success_body_normalises_once() {
        // Found by the `spec` fuzz target: the token's 200 was replaced on
        // every run, so the merge with a 201 nested itself.
        let mut d = one_op(
            "/centrifugo/connection-token",
            "get",
            json!({"responses": {
                "200": json_response("ok", json!({"type": "object", "additionalProperties": true})),
                "201": json_response("made", json!({"type": "object", "additionalProperties": true}))}}),
        );
        d["paths"]["/centrifugo/connection-token"]["get"]["responses"]["201"]["content"]["application/json"]
            ["schema"]["x"] = json!(1);
        normalize(&mut d, &TOKEN_BOWL);
        let once = d.clone();
        normalize(&mut d, &TOKEN_BOWL);
        assert_eq!(d, once);
    }

    #[test]
    fn normalising_twice_changes_nothing() {
        let mut d = one_op(
            "/messages",
            "post",
            json!({
                "operationId": "send_message_messages_post",
                "parameters": [{"name": "authorization", "in": "header", "schema": {"type": "string"}}],
                "responses": {"201": json_response("ok", json!({"type": "object", "properties": {"id": {"type": "string"}}}))}
            }),
        );
        normalize(&mut d, &TOKEN_BOWL);
        let once = d.clone();
        normalize(&mut d, &TOKEN_BOWL);
        assert_eq!(d, once);
    }
}
