//! A stand-in chat server for agent tests without the real one: the few
//! calls an agent makes, answered with bodies shaped from the real server's
//! recorded traffic (2.0.1: `GET /users/me`, `POST /messages` 201,
//! `POST /typing`, empty message pages). Messages reach the bot through
//! its webhook receiver, as the real server delivers them.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers::any};

/// A running stand-in chat server.
pub struct Chat {
    pub server: MockServer,
    sent: Arc<Mutex<Vec<Value>>>,
}

struct Responder {
    me: String,
    role: String,
    sent: Arc<Mutex<Vec<Value>>>,
}

/// A message as the server shows it (`MessageResponse`).
pub fn message(from: &str, to: Option<&str>, content: &str) -> Value {
    json!({
        "id": uuid::Uuid::new_v4(),
        "from_user_id": uuid::Uuid::new_v4(),
        "from_username": from,
        "from_user_logo": null,
        "from_user_emoji": null,
        "from_user_bot": false,
        "to_user_id": to.map(|_| uuid::Uuid::new_v4()),
        "to_username": to,
        "content": content,
        "message_type": if to.is_some() { "direct" } else { "room" },
        "description": "This is a message for the fantasy league's group chat.",
        "timestamp": chrono::Utc::now().to_rfc3339(),
    })
}

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let path = request.url.path();
        match (request.method.as_str(), path) {
            ("GET", "/users/me") => ResponseTemplate::new(200).set_body_json(json!({
                "id": "53bd0efd-ef7b-4069-9ffa-1837d1aeec37",
                "username": self.me,
                "role": self.role,
                "email": null,
                "api_key": "e1f468ed0130890b04b123d4fd4058ead1624ffba4a6508c702a33aa46485a60",
                "webhook_url": null,
                "logo": null,
                "viewer": false,
                "admin": false,
                "bot": self.role == "bot",
                "emoji": null,
                "created_at": "2026-11-22T01:02:30.135906+00:00"
            })),
            ("POST", "/messages") => {
                let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
                let to = body["to_username"].as_str();
                let sent = message(&self.me, to, body["content"].as_str().unwrap_or_default());
                self.sent.lock().unwrap().push(sent.clone());
                ResponseTemplate::new(201).set_body_json(sent)
            }
            ("POST", "/typing") => ResponseTemplate::new(200)
                .set_body_json(json!({"status": "typing indicator sent", "to": "room"})),
            ("GET", "/messages" | "/messages/direct") => ResponseTemplate::new(200).set_body_json(
                json!({"messages": [], "pagination": {"total": 0, "offset": 0, "limit": 50, "has_more": false}}),
            ),
            (method, path) => ResponseTemplate::new(404)
                .set_body_json(json!({"detail": format!("{method} {path} was not expected")})),
        }
    }
}

impl Chat {
    /// A server where the key's user is `me` with `role`.
    pub async fn start(me: &str, role: &str) -> Self {
        let server = MockServer::start().await;
        let sent = Arc::new(Mutex::new(Vec::new()));
        Mock::given(any())
            .respond_with(Responder {
                me: me.to_owned(),
                role: role.to_owned(),
                sent: sent.clone(),
            })
            .mount(&server)
            .await;
        Self { server, sent }
    }

    /// The messages the agent sent, in order.
    pub fn sent(&self) -> Vec<Value> {
        self.sent.lock().unwrap().clone()
    }

    /// Waits until `n` messages were sent (at most `secs`).
    pub async fn wait_sent(&self, n: usize, secs: u64) -> Vec<Value> {
        for _ in 0..secs * 20 {
            if self.sent.lock().unwrap().len() >= n {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.sent()
    }
}
