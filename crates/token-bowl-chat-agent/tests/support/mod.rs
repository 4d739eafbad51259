//! Shared test helpers.
#![allow(dead_code)]

pub mod standin;

use std::path::PathBuf;

/// The Python with `openai` and `mcp` (tests/py/requirements.txt):
/// `TOKEN_BOWL_AGENT_PYTHON`, else `python3`. `None` (the test skips, with
/// a note) when it lacks them, unless `TOKEN_BOWL_REQUIRE_PY_CLIENTS=1`,
/// where that fails the test.
pub fn python() -> Option<PathBuf> {
    let python = std::env::var_os("TOKEN_BOWL_AGENT_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"));
    let ok = std::process::Command::new(&python)
        .args(["-c", "import openai, mcp.server.mcpserver"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(python);
    }
    let note = format!(
        "{} lacks openai/mcp (pip install -r tests/py/requirements.txt, \
         or set TOKEN_BOWL_AGENT_PYTHON)",
        python.display()
    );
    if std::env::var("TOKEN_BOWL_REQUIRE_PY_CLIENTS").as_deref() == Ok("1") {
        panic!("{note}");
    }
    eprintln!("skipped: {note}");
    None
}

/// A file under tests/py.
pub fn py_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/py")
        .join(name)
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub mod chat;
