//! End-to-end robustness: hostile and broken input over stdio, each with a defined behaviour (an
//! error response, a diagnostic or a log line), after which the server answers the next request
//! correctly. Also panic isolation, the ordering stress test and the lifecycle rules that
//! `e2e.rs` does not cover (parent process death).

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::buffer::{random_edit, Buffer, Rng};
use support::{uri, Server};

/// A document with a known definition at (1, 13) → (0, 15)..(0, 20), to prove the server still
/// answers correctly after whatever a test did.
fn assert_still_answers(s: &mut Server) {
    let u = uri("still-alive/Dockerfile");
    s.open(&u, 1, "FROM golang AS build\nCOPY --from=build / /\n");
    let result = s.result("textDocument/definition", Server::at(&u, 1, 13));
    assert_eq!(
        result,
        json!([{"uri": u, "range": {"start": {"line": 0, "character": 15}, "end": {"line": 0, "character": 20}}}]),
        "{}",
        s.stderr()
    );
    s.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
}

/// Waits until the server's log contains `needle`.
fn wait_for_log(s: &Server, needle: &str) {
    let deadline = Instant::now() + support::TIMEOUT;
    while !s.stderr().contains(needle) {
        assert!(
            Instant::now() < deadline,
            "no log line with {needle:?}\n--- server stderr ---\n{}",
            s.stderr()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

#[test]
fn a_truncated_frame_is_dropped_and_later_frames_work() {
    let mut s = Server::start();
    // Declares 200 bytes but the body ends early: the guard takes the next 200 bytes (the start
    // of the following frame) as this body, drops it as invalid JSON, and skips the rest of that
    // frame as garbage up to the next header.
    s.send_raw(b"Content-Length: 200\r\n\r\n{\"jsonrpc\":\"2.0\",");
    let sacrificial =
        json!({"jsonrpc": "2.0", "method": "$/ignored", "params": {"pad": "x".repeat(400)}});
    s.send_raw(&frame(sacrificial.to_string().as_bytes()));
    wait_for_log(&s, "not valid JSON");
    assert_still_answers(&mut s);
}

#[test]
fn a_frame_cut_off_by_the_end_of_input_ends_the_process_with_1() {
    let mut s = Server::start();
    s.send_raw(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"");
    s.close_stdin();
    assert_eq!(s.wait_exit().code(), Some(1));
}

#[test]
fn invalid_utf8_and_lone_surrogates_in_a_frame_are_dropped_with_a_log_line() {
    let mut s = Server::start();
    let u = uri("bad-bytes/Dockerfile");
    let mut body =
        br#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":""#
            .to_vec();
    body.extend_from_slice(u.as_bytes());
    body.extend_from_slice(
        br#"","languageId":"dockerfile","version":1,"text":"FROM \xff\xfe AS x\n"}}}"#,
    );
    // A raw string: `\xff` here is an invalid JSON escape, not a byte.
    s.send_raw(&frame(&body));
    wait_for_log(&s, "not valid JSON");
    // The bytes themselves: not UTF-8 (tower-lsp-server's reader would stop at them).
    let raw: Vec<u8> = body
        .windows(8)
        .position(|w| w == br"\xff\xfe")
        .map(|at| [&body[..at], &[0xff, 0xfe][..], &body[at + 8..]].concat())
        .expect("the escaped bytes");
    s.send_raw(&frame(&raw));
    wait_for_log(&s, "not UTF-8");
    let surrogate = br#"{"jsonrpc":"2.0","id":"s","method":"textDocument/definition","params":{"textDocument":{"uri":"file:///\ud800"},"position":{"line":0,"character":0}}}"#;
    s.send_raw(&frame(surrogate));
    // The document was never opened.
    assert_eq!(
        s.result("textDocument/definition", Server::at(&u, 0, 6)),
        Value::Null
    );
    assert_still_answers(&mut s);
}

/// Messages tower-lsp-server's reader cannot decode although they are JSON: a number out of
/// `serde_json`'s range in a field no message has, and ids it cannot hold. Each once ended the
/// session (the reader's stream stops at its first decode error).
#[test]
fn numbers_serde_json_cannot_hold_do_not_end_the_session() {
    let mut s = Server::start();
    s.send_raw(&frame(
        br#"{"jsonrpc":"2.0","method":"$/setTrace","params":{"value":"off"},"x":1e400}"#,
    ));
    wait_for_log(&s, "dropping an invalid JSON-RPC message");
    s.send_raw(&frame(
        br#"{"jsonrpc":"2.0","id":41,"method":"workspace/symbol","params":{"query":""},"x":-1e999}"#,
    ));
    let response = s.wait_for("error for id 41", |m| m["id"] == 41);
    assert_eq!(response["error"]["code"], -32600, "{response}");
    s.send_raw(&frame(br#"{"jsonrpc":"2.0","id":1.5,"method":7}"#));
    s.send_raw(&frame(
        br#"{"jsonrpc":"2.0","id":18446744073709551615,"method":"shutdown"}"#,
    ));
    wait_for_log(&s, "its id cannot be answered");
    assert_still_answers(&mut s);
}

#[test]
fn nul_characters_in_a_document_are_text() {
    let mut s = Server::start();
    let u = uri("nul/Dockerfile");
    s.open(
        &u,
        1,
        "FROM a\u{0} AS b\u{0}\nFROM b\u{0}\nCOPY --from=b\u{0} / /\n\u{0}\u{0}",
    );
    let diags = s.diagnostics(&u, 1);
    assert!(
        diags.iter().all(|d| d["source"] == "dockerfile-ls"),
        "{diags:?}"
    );
    let result = s.result("textDocument/references", {
        let mut p = Server::at(&u, 0, 13);
        p["context"] = json!({"includeDeclaration": true});
        p
    });
    assert!(result.is_array(), "{result}");
    assert_still_answers(&mut s);
}

#[test]
fn unknown_methods_get_method_not_found_and_unknown_notifications_are_ignored() {
    let mut s = Server::start();
    let response = s.request("textDocument/noSuchThing", json!({}));
    assert_eq!(response["error"]["code"], -32601, "{response}");
    s.notify("dockerfile-ls/noSuchNotification", json!({"x": 1}));
    s.notify("$/noSuchNotification", json!(null));
    // `$/` requests may be answered with an error or not at all; the server goes on either way.
    assert_still_answers(&mut s);
}

#[test]
fn requests_before_initialize_get_server_not_initialized() {
    let mut s = Server::spawn(&[]);
    let response = s.request("textDocument/definition", Server::at(&uri("x"), 0, 0));
    assert_eq!(response["error"]["code"], -32002, "{response}");
    // Notifications before initialize are dropped; the handshake still works afterwards.
    s.open(&uri("early/Dockerfile"), 1, "FROM a\n");
    s.result("initialize", json!({"processId": null, "capabilities": {}}));
    s.notify("initialized", json!({}));
    assert_eq!(
        s.result(
            "textDocument/definition",
            Server::at(&uri("early/Dockerfile"), 0, 5)
        ),
        Value::Null
    );
    assert_still_answers(&mut s);
}

#[test]
fn invalid_params_get_invalid_params() {
    let mut s = Server::start();
    let response = s.request("textDocument/definition", json!({"textDocument": 5}));
    assert_eq!(response["error"]["code"], -32602, "{response}");
    let response = s.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": "file:///x"}, "position": {"line": -1, "character": 0}}),
    );
    assert_eq!(response["error"]["code"], -32602, "{response}");
    assert_still_answers(&mut s);
}

#[test]
fn did_open_twice_replaces_the_text() {
    let mut s = Server::start();
    let u = uri("twice/Dockerfile");
    s.open(&u, 1, "FROM a AS one\nCOPY --from=one / /\n");
    s.diagnostics(&u, 1);
    s.open(&u, 1, "# moved\nFROM a AS one\nCOPY --from=one / /\n");
    s.diagnostics(&u, 1);
    wait_for_log(&s, "didOpen of a document that is already open");
    let result = s.result("textDocument/definition", Server::at(&u, 2, 13));
    assert_eq!(
        result,
        json!([{"uri": u, "range": {"start": {"line": 1, "character": 10}, "end": {"line": 1, "character": 13}}}])
    );
}

#[test]
fn did_close_of_an_unopened_document_clears_its_diagnostics_and_logs() {
    let mut s = Server::start();
    let u = uri("never-opened/Dockerfile");
    s.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    let msg = s.wait_for("empty diagnostics", |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == u
    });
    assert_eq!(msg["params"]["diagnostics"], json!([]));
    wait_for_log(&s, "didClose of a document that is not open");
    assert_still_answers(&mut s);
}

#[test]
fn skipped_versions_apply_and_a_repeated_version_is_ignored() {
    let mut s = Server::start();
    let u = uri("versions/Dockerfile");
    s.open(&u, 1, "FROM a AS b\n");
    s.diagnostics(&u, 1);
    // 1 → 7: versions need only increase.
    s.change(&u, 7, [0, 0, 0, 0], "# x\n");
    s.diagnostics(&u, 7);
    // 7 again: not newer, ignored with a log line.
    s.change(&u, 7, [0, 0, 0, 0], "# y\n");
    wait_for_log(&s, "not newer than the document");
    let hash = s.result(
        "dockerfile-ls/debugTextHash",
        json!({"textDocument": {"uri": u}}),
    );
    assert_eq!(hash["hash"], Buffer::new("# x\nFROM a AS b\n").hash());
    assert_eq!(hash["version"], 7);
}

#[test]
fn a_panicking_handler_becomes_an_internal_error_and_the_server_lives() {
    let mut s = Server::start();
    for _ in 0..3 {
        let response = s.request("dockerfile-ls/debugPanic", Value::Null);
        assert_eq!(response["error"]["code"], -32603, "{response}");
        assert_eq!(
            response["error"]["message"],
            "internal error in `dockerfile-ls/debugPanic`"
        );
    }
    wait_for_log(&s, "handler for `dockerfile-ls/debugPanic` panicked");
    assert_still_answers(&mut s);
}

/// Opens `text`, waits for its diagnostics (at most `limit`), and returns them with the time.
fn open_and_time(s: &mut Server, u: &str, text: &str) -> (Vec<Value>, Duration) {
    let t = Instant::now();
    s.open(u, 1, text);
    // Generous: a debug build on a shared machine parses a 20 MB file slowly.
    let msg = s.wait_for_within(
        Duration::from_secs(300),
        "diagnostics of a big document",
        |m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == u,
    );
    let diags = msg["params"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    (diags, t.elapsed())
}

#[test]
fn a_20_mb_document_is_served() {
    let mut s = Server::start();
    let u = uri("huge/Dockerfile");
    let block = "RUN apk add --no-cache curl \\\n    && echo $HOME done\nCOPY --from=base /a /b\nENV A=1 B=${A:-x}\n";
    let text = format!(
        "FROM alpine:3.20 AS base\n{}",
        block.repeat(20 * 1024 * 1024 / block.len() + 1)
    );
    assert!(text.len() >= 20 * 1024 * 1024);
    let (diags, took) = open_and_time(&mut s, &u, &text);
    eprintln!("20 MB didOpen → diagnostics: {took:?}");
    // Hundreds of thousands of problems: the most severe 1,000 and a note on the rest.
    assert_eq!(diags.len(), 1001);
    let note = diags[0]["message"].as_str().unwrap_or_default();
    assert!(note.contains("more problems are not shown"), "{note}");
    assert!(
        diags[1..].iter().all(|d| d["severity"] == 1),
        "errors first"
    );
    // A request at the very end is answered.
    let lines = u32::try_from(text.lines().count()).unwrap();
    let result = s.result("textDocument/definition", Server::at(&u, lines - 1, 13));
    assert!(result.is_array(), "{result}");
    // An edit at the end of the big document lands.
    s.change(&u, 2, [lines, 0, lines, 0], "RUN true\n");
    s.wait_for_within(
        Duration::from_secs(300),
        "diagnostics after the edit",
        |m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 2,
    );
    s.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
    assert_still_answers(&mut s);
}

#[test]
fn a_1_mb_single_line_is_served() {
    let mut s = Server::start();
    let u = uri("long-line/Dockerfile");
    let text = format!("FROM a AS b\nRUN echo {} $A\n", "x".repeat(1024 * 1024));
    open_and_time(&mut s, &u, &text);
    let end = u32::try_from(text.lines().nth(1).unwrap().len()).unwrap();
    for character in [end, end / 2, end + 10] {
        s.result("textDocument/completion", Server::at(&u, 1, character));
        s.result(
            "textDocument/documentHighlight",
            Server::at(&u, 1, character),
        );
    }
    s.change(&u, 2, [1, end, 1, end], " --from=b");
    s.diagnostics(&u, 2);
    assert_still_answers(&mut s);
}

#[test]
fn ten_thousand_stages_are_served() {
    let mut s = Server::start();
    let u = uri("stages/Dockerfile");
    let mut text = String::from("FROM alpine AS s0\n");
    for i in 1..10_000 {
        text.push_str(&format!(
            "FROM s{} AS s{i}\nCOPY --from=s{} /a /b\n",
            i - 1,
            i - 1
        ));
    }
    let (diags, _) = open_and_time(&mut s, &u, &text);
    assert!(diags.is_empty(), "{:?}", &diags[..diags.len().min(3)]);
    // The last line: `COPY --from=s9998`; its definition is the `AS s9998` on line 19995.
    let result = s.result("textDocument/definition", Server::at(&u, 19_998, 13));
    assert_eq!(result[0]["range"]["start"]["line"], 19_995, "{result}");
    let items = s.result("textDocument/completion", Server::at(&u, 19_998, 12));
    let n = items.as_array().map_or(0, Vec::len);
    assert!(n >= 9_999, "{n} completion items");
}

#[test]
fn deeply_nested_variable_expansions_are_served() {
    let mut s = Server::start();
    let u = uri("nested/Dockerfile");
    let depth = 20_000;
    let nested = format!("{}x{}", "${A:-".repeat(depth), "}".repeat(depth));
    let unclosed = "${A:-".repeat(depth);
    let text =
        format!("ARG A=1\nFROM a\nRUN echo {nested}\nENV B={unclosed}\nFROM ${{A:-{unclosed}\n");
    let (_, took) = open_and_time(&mut s, &u, &text);
    eprintln!("nested expansions: {took:?}");
    for character in [7, 12, 1000, 99_999] {
        s.result(
            "textDocument/documentHighlight",
            Server::at(&u, 2, character),
        );
        s.result("textDocument/completion", Server::at(&u, 2, character));
    }
    assert_still_answers(&mut s);
}

#[test]
fn a_heredoc_that_never_ends_runs_to_the_end_of_the_file() {
    let mut s = Server::start();
    let u = uri("heredoc/Dockerfile");
    let mut text = String::from("FROM a AS b\nRUN <<EOF\n");
    for i in 0..5_000 {
        text.push_str(&format!("echo line {i} $HOME \\\n"));
    }
    text.push_str("COPY --from=b / /\n");
    s.open(&u, 1, &text);
    s.diagnostics(&u, 1);
    // The COPY line is heredoc body, not an instruction: no stage reference there.
    let result = s.result("textDocument/definition", Server::at(&u, 5_002, 13));
    assert_eq!(result, Value::Null);
    // Ending the heredoc makes the COPY an instruction again.
    s.change(&u, 2, [5_002, 0, 5_002, 0], "EOF\n");
    s.diagnostics(&u, 2);
    let result = s.result("textDocument/definition", Server::at(&u, 5_003, 13));
    assert_eq!(result[0]["range"]["start"]["line"], 0, "{result}");
}

/// 10,000 `didChange`s, interleaved with requests, all sent without waiting for anything; the
/// server's text must then equal the client's, byte for byte.
fn ordering_stress(utf8: bool) {
    let caps = if utf8 {
        let mut c = support::default_capabilities();
        c["general"] = json!({"positionEncodings": ["utf-8"]});
        c
    } else {
        support::default_capabilities()
    };
    let mut s = Server::start_with(caps);
    let u = uri("stress/Dockerfile");
    let mut buf = Buffer::new("FROM golang AS build\r\nRUN 😀 e\u{301}\rCOPY --from=build / /\n");
    s.open(&u, 1, &buf.text);
    let mut rng = Rng::new(if utf8 { 8 } else { 16 });
    let mut ids = Vec::new();
    for version in 2..10_002 {
        let (a, b, text) = random_edit(&buf, &mut rng, utf8);
        s.change(
            &u,
            version,
            [a.line, a.character, b.line, b.character],
            &text,
        );
        buf.edit(a, b, &text, utf8);
        if version % 50 == 0 {
            let line = u32::try_from(rng.below(buf.line_count() as usize)).unwrap();
            ids.push(s.send_request("textDocument/completion", Server::at(&u, line, 3)));
            ids.push(s.send_request("textDocument/documentHighlight", Server::at(&u, line, 1)));
        }
    }
    let hash = s.result(
        "dockerfile-ls/debugTextHash",
        json!({"textDocument": {"uri": u}}),
    );
    assert_eq!(hash["version"], 10_001);
    assert_eq!(hash["length"], buf.text.len());
    assert_eq!(
        hash["hash"],
        buf.hash(),
        "the server's text drifted from the client's"
    );
    for id in ids {
        let response = s.wait_for("interleaved response", |m| m["id"] == id);
        assert!(response.get("error").is_none(), "{response}");
    }
}

#[test]
fn ten_thousand_unawaited_changes_keep_the_text_utf16() {
    ordering_stress(false);
}

#[test]
fn ten_thousand_unawaited_changes_keep_the_text_utf8() {
    ordering_stress(true);
}

#[test]
fn the_server_exits_when_the_client_process_dies() {
    let mut parent = Command::new("sleep")
        .arg("60")
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn sleep");
    let mut s = Server::spawn(&[]);
    s.result(
        "initialize",
        json!({"processId": parent.id(), "capabilities": {}}),
    );
    s.notify("initialized", json!({}));
    assert_still_answers(&mut s);
    parent.kill().unwrap();
    parent.wait().unwrap();
    // Checked every 2 s; `wait_exit` allows 5 s. No shutdown came first: code 1.
    assert_eq!(s.wait_exit().code(), Some(1), "{}", s.stderr());
    assert!(s.stderr().contains("is gone"), "{}", s.stderr());
}

#[test]
fn the_server_exits_when_the_client_process_id_from_the_command_line_dies() {
    let mut parent = Command::new("sleep")
        .arg("60")
        .stdin(Stdio::null())
        .spawn()
        .expect("spawn sleep");
    let pid = parent.id().to_string();
    let mut s = Server::spawn(&["--stdio", "--clientProcessId", &pid]);
    s.result("initialize", json!({"processId": null, "capabilities": {}}));
    s.result("shutdown", Value::Null);
    parent.kill().unwrap();
    parent.wait().unwrap();
    // `shutdown` came first: code 0.
    assert_eq!(s.wait_exit().code(), Some(0), "{}", s.stderr());
}

#[test]
fn a_living_client_process_keeps_the_server_running() {
    let mut s = Server::spawn(&[]);
    s.result(
        "initialize",
        json!({"processId": std::process::id(), "capabilities": {}}),
    );
    s.notify("initialized", json!({}));
    std::thread::sleep(Duration::from_millis(4500));
    assert_still_answers(&mut s);
}

/// Node.js (VS Code) and Neovim (libuv) start a server with a socket pair as stdin and stdout,
/// which the server reads and writes through its event loop (`lsp::stdio`): a whole session
/// over one, with a large document, diagnostics, direct answers and a clean exit.
#[test]
fn a_session_over_a_socket_pair_works_and_exits_0() {
    use std::os::fd::OwnedFd;
    use std::os::unix::net::UnixStream;

    let (mut ours, theirs) = UnixStream::pair().unwrap();
    let child_in = OwnedFd::from(theirs.try_clone().unwrap());
    let child_out = OwnedFd::from(theirs);
    let mut child = std::process::Command::new(support::bin())
        .stdin(std::process::Stdio::from(child_in))
        .stdout(std::process::Stdio::from(child_out))
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    ours.set_read_timeout(Some(support::TIMEOUT)).unwrap();
    let send = |ours: &mut UnixStream, msg: Value| {
        std::io::Write::write_all(ours, &frame(msg.to_string().as_bytes())).unwrap();
    };
    let mut buf: Vec<u8> = Vec::new();
    let mut recv = |ours: &mut UnixStream| -> Value {
        loop {
            if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let header = std::str::from_utf8(&buf[..at]).unwrap();
                let len: usize = header["Content-Length: ".len()..].trim().parse().unwrap();
                if buf.len() >= at + 4 + len {
                    let body: Vec<u8> = buf.drain(..at + 4 + len).skip(at + 4).collect();
                    return serde_json::from_slice(&body).unwrap();
                }
            }
            let mut chunk = [0u8; 65536];
            let n = std::io::Read::read(ours, &mut chunk).expect("the server answers in time");
            assert!(n > 0, "the server closed the socket");
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    let mut wait_for = |ours: &mut UnixStream, pred: &dyn Fn(&Value) -> bool| loop {
        let m = recv(ours);
        if pred(&m) {
            return m;
        }
    };
    send(
        &mut ours,
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}),
    );
    wait_for(&mut ours, &|m| m["id"] == 1);
    send(
        &mut ours,
        json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}),
    );
    // Bigger than a socket's buffer both ways (the text in, the outline out).
    let text = "FROM alpine AS base\n".to_string()
        + &"RUN echo hi\nENV A=1\n".repeat(5_000)
        + "FROM base\nMAINTAINER someone\n";
    let u = uri("socket/Dockerfile");
    send(
        &mut ours,
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": u, "languageId": "dockerfile", "version": 1, "text": text}}}),
    );
    let diags = wait_for(&mut ours, &|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 1
    });
    assert!(!diags["params"]["diagnostics"]
        .as_array()
        .unwrap()
        .is_empty());
    send(
        &mut ours,
        json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/documentSymbol",
            "params": {"textDocument": {"uri": u}}}),
    );
    let symbols = wait_for(&mut ours, &|m| m["id"] == 2);
    let outline = symbols["result"].as_array().unwrap().len();
    assert!(outline > 10_000, "{outline} symbols");
    send(
        &mut ours,
        json!({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}),
    );
    wait_for(&mut ours, &|m| m["id"] == 3);
    send(&mut ours, json!({"jsonrpc": "2.0", "method": "exit"}));
    let deadline = std::time::Instant::now() + support::EXIT_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(std::time::Instant::now() < deadline, "no exit after `exit`");
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(0));
}
