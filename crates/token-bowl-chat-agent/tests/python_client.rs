//! The stand-in model server checked by the official `openai` Python
//! client (a real client no one here wrote).

mod support;

use std::{
    io::{BufRead, BufReader, Write},
    process::{Command, Stdio},
    time::Duration,
};

use support::standin::{Fault, Standin};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_openai_client_reads_the_standin() {
    let Some(python) = support::python() else {
        return;
    };
    let s = Standin::start("sk-py-check", &["tiny"], Duration::ZERO).await;
    let url = s.url();
    let mut child = Command::new(python)
        .arg(support::py_file("openai_client.py"))
        .args([url.as_str(), "sk-py-check", "tiny"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut lines = Vec::new();
    let ready = tokio::task::block_in_place(|| {
        let mut line = String::new();
        while out.read_line(&mut line).unwrap() > 0 {
            lines.push(std::mem::take(&mut line));
            if lines.last().unwrap().starts_with("ready for faults") {
                return true;
            }
        }
        false
    });
    assert!(ready, "the client stopped early: {lines:?}");
    s.fail_next(&[Fault::RateLimited(1), Fault::RateLimited(1)]);
    child.stdin.take().unwrap().write_all(b"go\n").unwrap();
    let rest = tokio::task::block_in_place(|| {
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
        rest
    });
    let status = child.wait().unwrap();
    assert!(status.success(), "{lines:?}\n{rest}");
    assert!(rest.contains("all checks passed"), "{rest}");
}
