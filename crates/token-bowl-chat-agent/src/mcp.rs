//! MCP servers as tool sources, through the official Rust MCP SDK (rmcp):
//! a command started with stdio, or a streamable HTTP URL.

use rmcp::{
    RoleClient, ServiceExt,
    model::{CallToolRequestParams, JsonObject, Tool},
    service::RunningService,
    transport::{StreamableHttpClientTransport, TokioChildProcess},
};

use crate::Error;

/// A connected MCP server and the tools it lists.
pub struct McpServer {
    spec: String,
    service: RunningService<RoleClient, ()>,
    tools: Vec<Tool>,
}

impl std::fmt::Debug for McpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpServer")
            .field("spec", &self.spec)
            .field(
                "tools",
                &self.tools.iter().map(|t| &t.name).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl McpServer {
    /// Connects to `spec`: an `http(s)://` URL (streamable HTTP), else a
    /// command line (quotes group words) started as a child speaking stdio.
    /// Lists its tools.
    pub async fn connect(spec: &str) -> Result<Self, Error> {
        let fail = |message: String| Error::Mcp {
            server: spec.to_owned(),
            message,
        };
        let service = if spec.starts_with("http://") || spec.starts_with("https://") {
            let transport = StreamableHttpClientTransport::from_uri(spec.to_owned());
            ().serve(transport)
                .await
                .map_err(|e| fail(format!("cannot connect: {e}")))?
        } else {
            let words = split_command(spec).map_err(fail)?;
            let (program, args) = words
                .split_first()
                .ok_or_else(|| fail("the command is empty".to_owned()))?;
            let mut command = tokio::process::Command::new(program);
            command.args(args).stderr(std::process::Stdio::inherit());
            let transport = TokioChildProcess::new(command)
                .map_err(|e| fail(format!("cannot start {program}: {e}")))?;
            ().serve(transport)
                .await
                .map_err(|e| fail(format!("cannot start a session: {e}")))?
        };
        let tools = service
            .list_all_tools()
            .await
            .map_err(|e| fail(format!("cannot list its tools: {e}")))?;
        Ok(Self {
            spec: spec.to_owned(),
            service,
            tools,
        })
    }

    /// The tools it offers.
    pub fn tools(&self) -> &[Tool] {
        &self.tools
    }

    /// Where it is (its URL or command).
    pub fn spec(&self) -> &str {
        &self.spec
    }

    /// Calls `name`; the text of its result, or the failure as text.
    pub async fn call(&self, name: &str, arguments: Option<JsonObject>) -> Result<String, String> {
        let mut params = CallToolRequestParams::new(name.to_owned());
        if let Some(arguments) = arguments {
            params = params.with_arguments(arguments);
        }
        let result = self
            .service
            .call_tool(params)
            .await
            .map_err(|e| format!("the MCP server failed the call: {e}"))?;
        let mut text: Vec<String> = result
            .content
            .iter()
            .filter_map(|c| c.as_text().map(|t| t.text.clone()))
            .collect();
        if text.is_empty()
            && let Some(structured) = &result.structured_content
        {
            text.push(structured.to_string());
        }
        let text = text.join("\n");
        if result.is_error == Some(true) {
            return Err(text);
        }
        Ok(text)
    }
}

/// Splits a command line into words: whitespace separates, `'...'` and
/// `"..."` group, `\` escapes the next character outside single quotes.
pub fn split_command(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(format!("an unclosed ' in {line:?}")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => word.extend(chars.next()),
                        Some(c) => word.push(c),
                        None => return Err(format!("an unclosed \" in {line:?}")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                word.extend(chars.next());
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_split_like_a_shell() {
        assert_eq!(
            split_command(r#"python3 -m srv --name "two words" 'a b' c\ d"#).unwrap(),
            ["python3", "-m", "srv", "--name", "two words", "a b", "c d"]
        );
        assert!(split_command("x 'open").unwrap_err().contains("unclosed"));
        assert!(split_command("   ").unwrap().is_empty());
    }
}
