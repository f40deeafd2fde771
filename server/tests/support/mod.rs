//! A small LSP client over stdio for end-to-end tests against the real `dockerfile-ls` binary.
//!
//! Frames `Content-Length` messages, reads the server's output on a thread, answers
//! server-to-client requests (`workspace/configuration` from [`Server::configuration`], null for
//! a section it does not hold; anything else with `null`),
//! and never hangs: every wait has a timeout, and a failure message carries the server's stderr.
//! Dropping a [`Server`] sends `shutdown` + `exit` with stdin still open and asserts exit code 0
//! within 5 s.
#![allow(dead_code)] // Each test binary uses its own subset.

pub mod buffer;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const TIMEOUT: Duration = Duration::from_secs(10);
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(5);

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_dockerfile-ls")
}

/// A file URI for a made-up path (the server never reads the disk).
pub fn uri(name: &str) -> String {
    format!("file:///work/{name}")
}

pub struct Server {
    child: Child,
    stdin: Arc<Mutex<Option<ChildStdin>>>,
    messages: Receiver<Value>,
    /// Messages read while waiting for something else.
    pending: VecDeque<Value>,
    stderr: Arc<Mutex<String>>,
    next_id: i64,
    /// What `workspace/configuration` answers: section name → value.
    pub configuration: Arc<Mutex<Value>>,
    /// Server-to-client requests of these methods are not answered by the reader; the test
    /// answers them itself (with [`Server::send`]) or never.
    pub held: Arc<Mutex<Vec<&'static str>>>,
    pub initialize_result: Value,
    /// Set once the test has ended the process itself.
    finished: bool,
}

/// Client capabilities with snippets, UTF-16 only.
pub fn default_capabilities() -> Value {
    json!({
        "textDocument": {
            "completion": {"completionItem": {"snippetSupport": true}},
            "synchronization": {"dynamicRegistration": false},
            "publishDiagnostics": {"relatedInformation": true, "versionSupport": true}
        },
        "workspace": {"configuration": true}
    })
}

impl Server {
    /// Spawns the server and initializes it with [`default_capabilities`].
    pub fn start() -> Server {
        Server::start_with(default_capabilities())
    }

    pub fn start_with(capabilities: Value) -> Server {
        Server::start_full(capabilities, Value::Null, Value::Null, json!({}))
    }

    /// Spawns and initializes the server with `capabilities` and `initializationOptions`.
    pub fn start_with_options(capabilities: Value, options: Value) -> Server {
        Server::start_full(capabilities, options, Value::Null, json!({}))
    }

    /// Starts with `initializationOptions`, a `rootUri` and the sections `workspace/configuration`
    /// answers with (an object keyed by section).
    pub fn start_full(
        capabilities: Value,
        initialization_options: Value,
        root_uri: Value,
        configuration: Value,
    ) -> Server {
        let mut server = Server::spawn(&[]);
        *server.configuration.lock().unwrap() = configuration;
        let result = server.result(
            "initialize",
            json!({"processId": null, "rootUri": root_uri, "capabilities": capabilities,
                   "initializationOptions": initialization_options}),
        );
        server.initialize_result = result;
        server.notify("initialized", json!({}));
        server
    }

    /// Spawns the binary with `args` and no handshake.
    pub fn spawn(args: &[&str]) -> Server {
        let mut child = Command::new(bin())
            .args(args)
            .env("DOCKERFILE_LS_LOG", "debug")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn dockerfile-ls");
        let stdin = Arc::new(Mutex::new(Some(child.stdin.take().expect("stdin"))));
        let stdout = child.stdout.take().expect("stdout");
        let stderr_pipe = child.stderr.take().expect("stderr");

        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        thread::spawn(move || {
            let mut reader = BufReader::new(stderr_pipe);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });

        let (tx, rx) = channel();
        let answer = Arc::clone(&stdin);
        let configuration = Arc::new(Mutex::new(json!({})));
        let sections = Arc::clone(&configuration);
        let held = Arc::new(Mutex::new(Vec::new()));
        let holding = Arc::clone(&held);
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                let method = msg.get("method").and_then(Value::as_str).unwrap_or("");
                let hold = holding.lock().unwrap().contains(&method);
                if let (false, Some(method), Some(id)) = (hold, msg.get("method"), msg.get("id")) {
                    let result = match method.as_str() {
                        Some("workspace/configuration") => {
                            let config = sections.lock().unwrap().clone();
                            let items = msg["params"]["items"]
                                .as_array()
                                .cloned()
                                .unwrap_or_default();
                            Value::Array(
                                items
                                    .iter()
                                    .map(|i| {
                                        i["section"]
                                            .as_str()
                                            .and_then(|s| config.get(s))
                                            .cloned()
                                            .unwrap_or(Value::Null)
                                    })
                                    .collect(),
                            )
                        }
                        _ => Value::Null,
                    };
                    let reply = json!({"jsonrpc": "2.0", "id": id, "result": result});
                    if let Some(stdin) = answer.lock().unwrap().as_mut() {
                        let _ = write_message(stdin, &reply);
                    }
                }
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });

        Server {
            child,
            stdin,
            messages: rx,
            pending: VecDeque::new(),
            stderr,
            next_id: 0,
            configuration,
            held,
            initialize_result: Value::Null,
            finished: false,
        }
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn fail(&self, what: &str) -> ! {
        panic!("{what}\n--- server stderr ---\n{}", self.stderr())
    }

    pub fn send(&mut self, msg: &Value) {
        let mut guard = self.stdin.lock().unwrap();
        let stdin = guard.as_mut().expect("stdin already closed");
        write_message(stdin, msg).expect("write to server");
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let mut guard = self.stdin.lock().unwrap();
        let stdin = guard.as_mut().expect("stdin already closed");
        stdin
            .write_all(bytes)
            .and_then(|()| stdin.flush())
            .expect("write to server");
    }

    pub fn close_stdin(&mut self) {
        self.stdin.lock().unwrap().take();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request without waiting for the response; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Sends a request and returns the whole response (`result` or `error`).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        self.wait_for(&format!("response to {method} #{id}"), |m| {
            m.get("id") == Some(&json!(id)) && m.get("method").is_none()
        })
    }

    /// Sends a request and returns its `result`, failing on an error response.
    pub fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        if let Some(err) = response.get("error") {
            self.fail(&format!("{method} failed: {err}"));
        }
        response.get("result").cloned().unwrap_or(Value::Null)
    }

    /// The first message (already received or arriving within [`TIMEOUT`]) matching `pred`.
    pub fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait_for_within(TIMEOUT, what, pred)
    }

    /// [`Server::wait_for`] with another time limit (huge documents in debug builds).
    pub fn wait_for_within(
        &mut self,
        limit: Duration,
        what: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        if let Some(i) = self.pending.iter().position(&pred) {
            return self.pending.remove(i).unwrap();
        }
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(msg) if pred(&msg) => return msg,
                Ok(msg) => self.pending.push_back(msg),
                Err(RecvTimeoutError::Timeout) => {
                    self.fail(&format!("timed out waiting for {what}"))
                }
                Err(RecvTimeoutError::Disconnected) => self.fail(&format!(
                    "server closed its output while waiting for {what}"
                )),
            }
        }
    }

    /// Every message received so far (and not yet consumed by a wait) that matches `pred`, in
    /// arrival order.
    pub fn take_received(&mut self, pred: impl Fn(&Value) -> bool) -> Vec<Value> {
        while let Ok(msg) = self.messages.try_recv() {
            self.pending.push_back(msg);
        }
        let (taken, kept) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(pred);
        self.pending = kept;
        taken.into()
    }

    /// The next `textDocument/publishDiagnostics` for `uri` with `version`.
    pub fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let msg = self.wait_for(&format!("diagnostics for {uri} v{version}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        msg["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub fn open(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "dockerfile", "version": version, "text": text}}),
        );
    }

    /// One incremental change replacing `range` ([line, col, line, col]) with `text`.
    pub fn change(&mut self, uri: &str, version: i64, range: [u32; 4], text: &str) {
        let [sl, sc, el, ec] = range;
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{
                    "range": {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}},
                    "text": text
                }]
            }),
        );
    }

    /// Position params for `uri` at `line`/`character`.
    pub fn at(uri: &str, line: u32, character: u32) -> Value {
        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
    }

    /// Waits up to [`EXIT_TIMEOUT`] for the process to end; kills it and fails otherwise.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + EXIT_TIMEOUT;
        loop {
            match self.child.try_wait().expect("try_wait") {
                Some(status) => {
                    self.finished = true;
                    return status;
                }
                None if Instant::now() >= deadline => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    self.finished = true;
                    self.fail("server did not exit within 5 s");
                }
                None => thread::sleep(Duration::from_millis(20)),
            }
        }
    }

    /// `shutdown` then `exit`, stdin left open; returns the exit status.
    pub fn shutdown_and_exit(&mut self) -> ExitStatus {
        let response = self.request("shutdown", Value::Null);
        assert!(
            response.get("error").is_none(),
            "shutdown failed: {response}"
        );
        self.notify("exit", Value::Null);
        self.wait_exit()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        if thread::panicking() {
            // The test already failed; show the log and do not wait on a broken server.
            let _ = self.child.kill();
            let _ = self.child.wait();
            eprintln!("--- server stderr ---\n{}", self.stderr());
            return;
        }
        let status = self.shutdown_and_exit();
        if status.code() != Some(0) {
            self.fail(&format!(
                "server exited with {status} after shutdown + exit"
            ));
        }
    }
}

pub fn write_message(w: &mut impl Write, msg: &Value) -> std::io::Result<()> {
    let body = msg.to_string();
    write!(w, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    w.flush()
}

/// The next framed message, or `None` at the end of the stream.
fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                len = value.trim().parse::<usize>().ok();
            }
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The result of running the binary to completion with `stdin` as input.
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `dockerfile-ls args...` (killed after [`TIMEOUT`]).
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    run_in(None, args, stdin)
}

/// [`run`] with the working directory `dir` (the test's own when `None`).
pub fn run_in(dir: Option<&std::path::Path>, args: &[&str], stdin: &[u8]) -> Output {
    let mut command = Command::new(bin());
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let mut child = command
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn dockerfile-ls");
    let mut input = child.stdin.take().expect("stdin");
    let bytes = stdin.to_vec();
    let writer = thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("dockerfile-ls {args:?} did not finish within {TIMEOUT:?}");
        }
        thread::sleep(Duration::from_millis(20));
    };
    let _ = writer.join();
    Output {
        code: status.code(),
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}

/// Applies LSP text edits to ASCII text (so columns are bytes), last edit first.
pub fn apply_ascii_edits(text: &str, edits: &[Value]) -> String {
    let offset = |pos: &Value| -> usize {
        let line = usize::try_from(pos["line"].as_u64().unwrap()).unwrap();
        let col = usize::try_from(pos["character"].as_u64().unwrap()).unwrap();
        text.split_inclusive('\n')
            .take(line)
            .map(str::len)
            .sum::<usize>()
            + col
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}
