//! MCP tools through rmcp against a real MCP server: the official Python
//! SDK's high-level server (tests/py/mcp_server.py), by stdio and by
//! streamable HTTP.

mod support;

use std::time::Duration;

use token_bowl_chat::Client;
use token_bowl_chat_agent::{
    Place,
    mcp::McpServer,
    tools::{ToolContext, Tools},
};

fn offline_client() -> Client {
    Client::builder()
        .base_url("http://127.0.0.1:9")
        .use_env(false)
        .build()
        .unwrap()
}

async fn exercise(server: McpServer) {
    let mut names: Vec<_> = server.tools().iter().map(|t| t.name.to_string()).collect();
    names.sort();
    assert_eq!(names, ["add", "shout"]);
    let mut tools = Tools::chat(true);
    tools.add_mcp(server);
    let client = offline_client();
    let cx = ToolContext {
        client: &client,
        place: &Place::Room,
    };
    assert_eq!(tools.call("add", r#"{"a": 2, "b": 40}"#, cx).await, "42");
    assert_eq!(tools.call("shout", r#"{"text": "hi"}"#, cx).await, "HI");
    let bad = tools.call("add", r#"{"a": "two"}"#, cx).await;
    assert!(bad.starts_with("error: "), "{bad}");
}

#[tokio::test]
async fn a_stdio_mcp_server_lends_its_tools() {
    let Some(python) = support::python() else {
        return;
    };
    let spec = format!(
        "{} {}",
        python.display(),
        support::py_file("mcp_server.py").display()
    );
    exercise(McpServer::connect(&spec).await.unwrap()).await;
}

#[tokio::test]
async fn a_streamable_http_mcp_server_lends_its_tools() {
    let Some(python) = support::python() else {
        return;
    };
    let port = support::free_port();
    let mut child = tokio::process::Command::new(python)
        .arg(support::py_file("mcp_server.py"))
        .args(["--http", &port.to_string()])
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/mcp");
    let mut server = None;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            server = Some(McpServer::connect(&url).await.unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    exercise(server.expect("the MCP server did not listen within 10 s")).await;
    child.kill().await.unwrap();
}

#[tokio::test]
async fn a_command_that_is_no_mcp_server_is_a_clear_error() {
    let e = McpServer::connect("/nonexistent/mcp-server --x")
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("/nonexistent/mcp-server"), "{text}");
}
