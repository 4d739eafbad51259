//! The tools a model may call: the built-in chat tools and those of MCP
//! servers.

use std::collections::HashMap;

use async_openai::types::chat::{ChatCompletionTool, ChatCompletionTools, FunctionObject};
use serde_json::{Value, json};
use token_bowl_chat::{Client, MessageQuery};

use crate::Place;
#[cfg(feature = "mcp")]
use crate::mcp::McpServer;

/// Where a tool call goes.
#[derive(Debug, Clone)]
enum Route {
    ListUsers,
    ReadHistory,
    SendDirect,
    #[cfg(feature = "mcp")]
    Mcp {
        server: usize,
        name: String,
    },
}

/// What a tool call may use: the chat, and the conversation it is for.
#[derive(Debug, Clone, Copy)]
pub struct ToolContext<'a> {
    /// The agent's client.
    pub client: &'a Client,
    /// The conversation the turn is for.
    pub place: &'a Place,
}

/// The tools offered to the model.
#[derive(Default)]
pub struct Tools {
    definitions: Vec<ChatCompletionTools>,
    routes: HashMap<String, Route>,
    #[cfg(feature = "mcp")]
    servers: Vec<McpServer>,
}

impl std::fmt::Debug for Tools {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<_> = self.routes.keys().collect();
        names.sort();
        f.debug_struct("Tools").field("names", &names).finish()
    }
}

fn function(name: &str, description: &str, parameters: Value) -> ChatCompletionTools {
    ChatCompletionTools::Function(ChatCompletionTool {
        function: FunctionObject {
            name: name.to_owned(),
            description: Some(description.to_owned()),
            parameters: Some(parameters),
            strict: None,
        },
    })
}

impl Tools {
    /// No tools.
    pub fn none() -> Self {
        Self::default()
    }

    /// The built-in chat tools; `send_direct_message` only when
    /// `can_send_direct` (a `bot` account cannot on server 2.0.1).
    pub fn chat(can_send_direct: bool) -> Self {
        let mut tools = Self::default();
        tools.add(
            "list_users",
            function(
                "list_users",
                "List the users of the chat: username, role, and whether each is a bot.",
                json!({"type": "object", "properties": {}}),
            ),
            Route::ListUsers,
        );
        tools.add(
            "read_history",
            function(
                "read_history",
                "Read older messages of this conversation (the room, or the direct \
                 conversation with your partner), oldest first.",
                json!({"type": "object", "properties": {
                    "limit": {"type": "integer", "minimum": 1, "maximum": 50,
                              "description": "How many messages (default 20)."},
                    "offset": {"type": "integer", "minimum": 0,
                               "description": "How many of the newest to skip."}
                }}),
            ),
            Route::ReadHistory,
        );
        if can_send_direct {
            tools.add(
                "send_direct_message",
                function(
                    "send_direct_message",
                    "Send a direct message to a user of the chat.",
                    json!({"type": "object", "required": ["to", "text"], "properties": {
                        "to": {"type": "string", "description": "The recipient's username."},
                        "text": {"type": "string", "description": "What to send."}
                    }}),
                ),
                Route::SendDirect,
            );
        }
        tools
    }

    fn add(&mut self, name: &str, definition: ChatCompletionTools, route: Route) {
        self.routes.insert(name.to_owned(), route);
        self.definitions.push(definition);
    }

    /// Adds the tools of a connected MCP server. A name already taken gets
    /// the server's number in front (`s2_search`).
    #[cfg(feature = "mcp")]
    pub fn add_mcp(&mut self, server: McpServer) {
        let index = self.servers.len();
        for tool in server.tools() {
            let mut name = sanitize(&tool.name);
            if self.routes.contains_key(&name) {
                name = format!("s{}_{name}", index + 1);
            }
            let parameters = Value::Object((*tool.input_schema).clone());
            let description = tool.description.as_deref().unwrap_or_default();
            self.add(
                &name,
                function(&name, description, parameters),
                Route::Mcp {
                    server: index,
                    name: tool.name.to_string(),
                },
            );
        }
        self.servers.push(server);
    }

    /// The definitions to send with a request.
    pub fn definitions(&self) -> &[ChatCompletionTools] {
        &self.definitions
    }

    /// The names offered.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<_> = self.routes.keys().cloned().collect();
        names.sort();
        names
    }

    /// Runs one call; the answer is the text the model reads. A failure is
    /// told to the model (`error: ...`), never raised.
    pub async fn call(&self, name: &str, arguments: &str, cx: ToolContext<'_>) -> String {
        let args: Value = match serde_json::from_str(if arguments.trim().is_empty() {
            "{}"
        } else {
            arguments
        }) {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) | Err(_) => {
                return format!("error: the arguments of {name} are not a JSON object");
            }
        };
        let outcome = match self.routes.get(name) {
            None => Err(format!("there is no tool named {name}")),
            Some(Route::ListUsers) => list_users(cx.client).await,
            Some(Route::ReadHistory) => read_history(&args, cx).await,
            Some(Route::SendDirect) => send_direct(&args, cx.client).await,
            #[cfg(feature = "mcp")]
            Some(Route::Mcp { server, name }) => {
                let args = args.as_object().cloned();
                self.servers[*server].call(name, args).await
            }
        };
        outcome.unwrap_or_else(|e| format!("error: {e}"))
    }
}

/// A name OpenAI accepts for a function: `[A-Za-z0-9_-]{1,64}`.
#[cfg_attr(not(feature = "mcp"), allow(dead_code))]
fn sanitize(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    if out.is_empty() {
        out.push_str("tool");
    }
    out
}

async fn list_users(client: &Client) -> Result<String, String> {
    let users = client.users().await.map_err(|e| e.to_string())?;
    let list: Vec<Value> = users
        .iter()
        .take(200)
        .map(|u| json!({"username": u.username, "role": u.role.to_string(), "bot": u.bot}))
        .collect();
    Ok(Value::Array(list).to_string())
}

async fn read_history(args: &Value, cx: ToolContext<'_>) -> Result<String, String> {
    let limit = args["limit"].as_u64().unwrap_or(20).clamp(1, 50);
    let offset = args["offset"].as_u64().unwrap_or(0);
    let query = MessageQuery::new().limit(limit).offset(offset);
    let mut messages = match cx.place {
        Place::Room => cx.client.room_messages(query).await,
        Place::Direct(_) => cx.client.direct_messages(query).await,
    }
    .map_err(|e| e.to_string())?
    .messages;
    if let Place::Direct(partner) = cx.place {
        messages.retain(|m| {
            &m.from_username == partner || m.to_username.as_deref() == Some(partner.as_str())
        });
    }
    messages.reverse();
    let lines: Vec<String> = messages
        .iter()
        .map(|m| {
            format!(
                "[{}] {}: {}",
                m.timestamp.format("%Y-%m-%d %H:%M"),
                m.from_username,
                m.content
            )
        })
        .collect();
    if lines.is_empty() {
        return Ok("no messages".to_owned());
    }
    Ok(lines.join("\n"))
}

async fn send_direct(args: &Value, client: &Client) -> Result<String, String> {
    let (Some(to), Some(text)) = (args["to"].as_str(), args["text"].as_str()) else {
        return Err("send_direct_message needs `to` and `text`".to_owned());
    };
    let sent = client
        .send_direct_message(to, text)
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!("sent (id {})", sent.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bot_accounts_get_no_direct_message_tool() {
        assert_eq!(
            Tools::chat(true).names(),
            ["list_users", "read_history", "send_direct_message"]
        );
        assert_eq!(Tools::chat(false).names(), ["list_users", "read_history"]);
    }

    #[test]
    fn tool_names_are_made_acceptable() {
        assert_eq!(sanitize("web.search v2"), "web_search_v2");
        assert_eq!(sanitize(""), "tool");
    }

    #[tokio::test]
    async fn bad_calls_are_told_to_the_model() {
        let client = Client::builder()
            .base_url("http://127.0.0.1:9")
            .use_env(false)
            .build()
            .unwrap();
        let cx = ToolContext {
            client: &client,
            place: &Place::Room,
        };
        let tools = Tools::chat(false);
        assert_eq!(
            tools.call("nope", "{}", cx).await,
            "error: there is no tool named nope"
        );
        assert!(
            tools
                .call("list_users", "[1]", cx)
                .await
                .contains("not a JSON object")
        );
    }
}
