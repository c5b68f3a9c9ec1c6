//! `cwali serve` as a client meets it: a real server on a free port, real HTTP/1.1 requests over
//! TCP, the CGI guests of tests/guests/cgi (built into tests/guests/wasm-cgi), in both isolation
//! modes.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

fn guest(name: &str) -> String {
    let path: PathBuf = common::guests_dir().join("wasm-cgi").join(format!("{name}.wasm"));
    path.to_str().unwrap().to_string()
}

/// A running `cwali serve`, killed when dropped.
struct Server {
    child: Child,
    addr: String,
    log: Arc<Mutex<String>>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        Self::try_start(args).unwrap_or_else(|log| panic!("cwali serve did not start:\n{log}"))
    }

    /// The server, or what it printed before it exited.
    fn try_start(args: &[&str]) -> Result<Server, String> {
        Self::try_start_with(args, &[])
    }

    /// The server with extra environment variables.
    fn try_start_with(args: &[&str], env: &[(&str, &str)]) -> Result<Server, String> {
        let mut child = Command::new(common::cwali_exe())
            .envs(env.iter().copied())
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run cwali serve");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let log2 = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(addr) = line.strip_prefix("cwali serve: listening on http://") {
                    let _ = tx.send(addr.to_string());
                }
                let mut log = log2.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(addr) => Ok(Server { child, addr, log }),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(100));
                Err(log.lock().unwrap().clone())
            }
        }
    }

    fn get(&self, path: &str) -> Response {
        self.request("GET", path, &[], b"")
    }

    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
        let mut stream = self.connect();
        send(&mut stream, method, path, headers, body, true);
        read_response(&mut BufReader::new(stream)).expect("a response")
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.addr).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        stream
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Whether the log shows `what` within a few seconds (it is read by another thread).
    fn wait_for_log(&self, what: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(3);
        while !self.log().contains(what) {
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn send(stream: &mut TcpStream, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8], close: bool) {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    if close {
        req.push_str("Connection: close\r\n");
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
}

#[derive(Debug)]
struct Response {
    status: u16,
    headers: HashMap<String, String>,
    body: Vec<u8>,
    /// Body chunks of a chunked response, with when each arrived.
    chunks: Vec<(Instant, Vec<u8>)>,
}

impl Response {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One response, framed by Content-Length, chunked encoding, or the end of the connection.
fn read_response(r: &mut BufReader<TcpStream>) -> std::io::Result<Response> {
    let mut line = String::new();
    r.read_line(&mut line)?;
    if line.is_empty() {
        return Err(std::io::ErrorKind::UnexpectedEof.into());
    }
    let status = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    let mut headers = HashMap::new();
    loop {
        line.clear();
        r.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':').expect("a header line");
        headers.insert(k.to_ascii_lowercase(), v.trim().to_string());
    }
    let mut body = Vec::new();
    let mut chunks = Vec::new();
    if let Some(n) = headers.get("content-length") {
        body.resize(n.parse().unwrap(), 0);
        r.read_exact(&mut body)?;
    } else if headers.get("transfer-encoding").is_some_and(|t| t == "chunked") {
        loop {
            line.clear();
            r.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim(), 16).map_err(|_| std::io::ErrorKind::InvalidData)?;
            if size == 0 {
                line.clear();
                r.read_line(&mut line)?;
                break;
            }
            let mut chunk = vec![0; size + 2];
            r.read_exact(&mut chunk)?;
            chunk.truncate(size);
            body.extend_from_slice(&chunk);
            chunks.push((Instant::now(), chunk));
        }
    } else {
        r.read_to_end(&mut body)?;
    }
    Ok(Response { status, headers, body, chunks })
}

const PROCESS: &[&str] = &["--isolation", "process"];
const INSTANCE: &[&str] = &["--isolation", "instance"];

fn with(mode: &[&str], rest: &[&str]) -> Vec<String> {
    mode.iter().chain(rest).map(|s| s.to_string()).collect()
}

fn start(mode: &[&str], rest: &[&str]) -> Server {
    let args = with(mode, rest);
    Server::start(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn echo_shows_the_request(mode: &[&str]) {
    let route = format!("/app={}", guest("echo"));
    let server = start(mode, &[&route]);
    let resp = server.request(
        "POST",
        "/app/some/wh%65re?x=1&y=two",
        &[("X-Custom-Thing", "hello"), ("Content-Type", "text/plain")],
        b"the body",
    );
    assert_eq!(resp.status, 200, "{}\n{}", resp.text(), server.log());
    assert_eq!(resp.headers["content-type"], "text/plain");
    let text = resp.text();
    for want in [
        "GATEWAY_INTERFACE=CGI/1.1",
        "REQUEST_METHOD=POST",
        "SCRIPT_NAME=/app",
        "PATH_INFO=/some/where",
        "QUERY_STRING=x=1&y=two",
        "CONTENT_TYPE=text/plain",
        "CONTENT_LENGTH=8",
        "SERVER_PROTOCOL=HTTP/1.1",
        "SERVER_NAME=localhost",
        "SERVER_SOFTWARE=cwali/",
        "REMOTE_ADDR=127.0.0.1",
        "HTTP_X_CUSTOM_THING=hello",
        "HTTP_HOST=localhost",
        "body=the body",
    ] {
        assert!(text.contains(want), "`{want}` missing from:\n{text}");
    }
    assert!(!text.contains("HTTP_CONTENT_TYPE"), "{text}");
    // A large body goes in while the output comes out.
    let big: Vec<u8> = (0..(1 << 20)).map(|i| b'a' + (i % 26) as u8).collect();
    let resp = server.request("PUT", "/app", &[], &big);
    assert_eq!(resp.status, 200, "{}", server.log());
    assert!(resp.body.ends_with(&big[big.len() - 1000..]), "the body came back");
    assert_eq!(resp.body.len() - resp.body.windows(5).position(|w| w == b"body=").unwrap() - 5, big.len());
    // The access log names the request.
    assert!(server.wait_for_log("path=/app/some/wh%65re status=200"), "{}", server.log());
}

fn json_and_status(mode: &[&str]) {
    let server = start(mode, &[&guest("json")]);
    let resp = server.get("/?a=1&b=x");
    assert_eq!(resp.status, 200, "{}", server.log());
    assert_eq!(resp.headers["content-type"], "application/json");
    assert!(resp.text().contains(r#""query":{"a":"1","b":"x"}"#), "{}", resp.text());
    let resp = server.get("/?fail=1");
    assert_eq!(resp.status, 400, "{}", resp.text());
    assert!(resp.text().contains("fail requested"), "{}", resp.text());
}

fn streamed_chunks_arrive_as_written(mode: &[&str]) {
    let server = start(mode, &[&guest("stream")]);
    let resp = server.get("/?n=4&delay=300");
    assert_eq!(resp.status, 200, "{}", server.log());
    assert_eq!(resp.headers.get("transfer-encoding").map(String::as_str), Some("chunked"));
    assert_eq!(resp.text(), "chunk 1 of 4\nchunk 2 of 4\nchunk 3 of 4\nchunk 4 of 4\n");
    assert!(resp.chunks.len() >= 3, "{:?}", resp.chunks);
    let spread = resp.chunks.last().unwrap().0 - resp.chunks[0].0;
    assert!(spread >= Duration::from_millis(600), "chunks arrived together: {spread:?}");
}

fn failures_map_to_gateway_errors(mode: &[&str]) {
    let server = start(
        mode,
        &[
            "--timeout",
            "1s",
            &format!("/trap={}", guest("trap")),
            &format!("/spin={}", guest("spin")),
            &format!("/early={}", guest("early")),
            &format!("/bad={}", guest("bad")),
        ],
    );
    assert_eq!(server.get("/trap").status, 502, "{}", server.log());
    let start = Instant::now();
    assert_eq!(server.get("/spin").status, 504, "{}", server.log());
    assert!(start.elapsed() < Duration::from_secs(5), "{:?}", start.elapsed());
    assert_eq!(server.get("/early").status, 502);
    assert_eq!(server.get("/bad").status, 502);
    assert_eq!(server.get("/nowhere").status, 404);
    // The server is still fine.
    assert_eq!(server.get("/early").status, 502);
}

fn keep_alive_and_two_routes(mode: &[&str]) {
    let server = start(mode, &[&format!("/json={}", guest("json")), &format!("/={}", guest("hello"))]);
    let mut stream = server.connect();
    send(&mut stream, "GET", "/json?k=v", &[], b"", false);
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let first = read_response(&mut reader).unwrap();
    assert_eq!(first.status, 200);
    assert!(first.text().contains(r#""k":"v""#), "{}", first.text());
    send(&mut stream, "GET", "/other", &[], b"", true);
    let second = read_response(&mut reader).unwrap();
    assert_eq!(second.status, 200);
    assert!(!second.text().contains("\"query\""), "the hello route answered: {}", second.text());
}

fn a_full_queue_answers_503(mode: &[&str]) {
    let server = start(mode, &["--max-concurrency", "1", "--queue", "0", &guest("stream")]);
    let mut slow = server.connect();
    send(&mut slow, "GET", "/?n=2&delay=1500", &[], b"", true);
    // Wait until the slow request runs (its head arrived).
    let mut reader = BufReader::new(slow);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.contains("200"), "{line}");
    assert_eq!(server.get("/?n=1").status, 503);
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).unwrap();
    assert!(String::from_utf8_lossy(&rest).contains("chunk 2 of 2"));
    // The slot is free again.
    assert_eq!(server.get("/?n=1&delay=0").status, 200);
}

fn sigterm_lets_a_running_request_finish(mode: &[&str]) {
    let mut server = start(mode, &[&guest("stream")]);
    let mut stream = server.connect();
    send(&mut stream, "GET", "/?n=3&delay=400", &[], b"", true);
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(line.contains("200"), "{line}");
    // SAFETY: plain syscall on our own child.
    unsafe { libc::kill(server.child.id() as i32, libc::SIGTERM) };
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).unwrap();
    assert!(String::from_utf8_lossy(&rest).contains("chunk 3 of 3"), "{}", String::from_utf8_lossy(&rest));
    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{}", server.log());
    // New connections are refused.
    assert!(TcpStream::connect(&server.addr).is_err());
}

#[test]
fn process_echo_shows_the_request() {
    echo_shows_the_request(PROCESS);
}

#[test]
fn process_json_and_status() {
    json_and_status(PROCESS);
}

#[test]
fn process_streamed_chunks_arrive_as_written() {
    streamed_chunks_arrive_as_written(PROCESS);
}

#[test]
fn process_failures_map_to_gateway_errors() {
    failures_map_to_gateway_errors(PROCESS);
}

#[test]
fn process_keep_alive_and_two_routes() {
    keep_alive_and_two_routes(PROCESS);
}

#[test]
fn process_a_full_queue_answers_503() {
    a_full_queue_answers_503(PROCESS);
}

#[test]
fn process_sigterm_lets_a_running_request_finish() {
    sigterm_lets_a_running_request_finish(PROCESS);
}

#[test]
fn process_every_request_gets_a_fresh_process() {
    let server = start(PROCESS, &[&guest("state")]);
    for _ in 0..2 {
        let resp = server.get("/");
        assert_eq!(resp.status, 200, "{}", server.log());
        assert!(resp.text().contains("count=1"), "{}", resp.text());
    }
}

#[test]
fn process_a_memory_bomb_stops_at_the_limit() {
    a_memory_bomb_stops_at_the_limit(PROCESS);
}

#[test]
fn instance_echo_shows_the_request() {
    echo_shows_the_request(INSTANCE);
}

#[test]
fn instance_json_and_status() {
    json_and_status(INSTANCE);
}

#[test]
fn instance_streamed_chunks_arrive_as_written() {
    streamed_chunks_arrive_as_written(INSTANCE);
}

#[test]
fn instance_failures_map_to_gateway_errors() {
    failures_map_to_gateway_errors(INSTANCE);
}

#[test]
fn instance_keep_alive_and_two_routes() {
    keep_alive_and_two_routes(INSTANCE);
}

#[test]
fn instance_a_full_queue_answers_503() {
    a_full_queue_answers_503(INSTANCE);
}

#[test]
fn instance_sigterm_lets_a_running_request_finish() {
    sigterm_lets_a_running_request_finish(INSTANCE);
}

#[test]
fn a_bad_module_is_an_error_before_listening() {
    for mode in [PROCESS, INSTANCE] {
        let args = with(mode, &["/x=/nonexistent/missing.wasm"]);
        let out = Command::new(common::cwali_exe())
            .arg("serve")
            .args(["--listen", "127.0.0.1:0"])
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("error:") && err.contains("missing.wasm"), "{err}");
        assert!(!err.contains("listening"), "{err}");
    }
    let out = Command::new(common::cwali_exe()).args(["serve", "--listen", "127.0.0.1:0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no routes"));
}

#[test]
fn a_config_file_gives_routes_and_timeouts() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("serve.toml");
    std::fs::write(
        &path,
        format!(
            "timeout = \"10s\"\n\
             [[route]]\npath = \"/echo\"\nmodule = \"{}\"\nenv = [\"HTTP_X_FROM_CONFIG=hi\"]\n\
             [[route]]\npath = \"/spin\"\nmodule = \"{}\"\ntimeout = \"500ms\"\n",
            guest("echo"),
            guest("spin")
        ),
    )
    .unwrap();
    let server = Server::start(&["--config", path.to_str().unwrap()]);
    let resp = server.get("/echo");
    assert_eq!(resp.status, 200, "{}", server.log());
    // The route's env reaches the program (echo prints the HTTP_* variables).
    assert!(resp.text().contains("HTTP_X_FROM_CONFIG=hi"), "{}", resp.text());
    let start = Instant::now();
    assert_eq!(server.get("/spin").status, 504);
    assert!(start.elapsed() < Duration::from_secs(4));
}

fn a_trap_after_the_head_ends_the_body(mode: &[&str]) {
    let server = start(mode, &[&guest("trap_late")]);
    let resp = server.get("/");
    // The head was complete: its status stands, the body ends where the program stopped.
    assert_eq!(resp.status, 200, "{}", server.log());
    assert_eq!(resp.text(), "partial body\n");
}

fn a_memory_bomb_stops_at_the_limit(mode: &[&str]) {
    let server = start(mode, &["--max-memory", "32MiB", &guest("memory")]);
    let resp = server.get("/?max=1024");
    assert_eq!(resp.status, 200, "{}", server.log());
    let text = resp.text();
    let got: u64 = text.split(|c: char| !c.is_ascii_digit()).find_map(|n| n.parse().ok()).expect("a number");
    // The limit, plus (process isolation) the runtime's slack of 64 MiB.
    assert!(got <= 32 + 64, "got {got} MiB: {text}");
    // The server is fine, and so is the next request.
    assert_eq!(server.get("/?max=2").status, 200);
}

fn concurrent_requests_all_complete(mode: &[&str]) {
    let server = Arc::new(start(mode, &["--max-concurrency", "4", &guest("stream")]));
    let started = Instant::now();
    let clients: Vec<_> = (0..12)
        .map(|_| {
            let server = server.clone();
            std::thread::spawn(move || server.get("/?n=2&delay=500"))
        })
        .collect();
    for c in clients {
        let resp = c.join().unwrap();
        assert_eq!(resp.status, 200, "{}", server.log());
        assert_eq!(resp.text(), "chunk 1 of 2\nchunk 2 of 2\n");
    }
    // Many idle connections do not stop the server from answering.
    let idle: Vec<TcpStream> = (0..200).map(|_| server.connect()).collect();
    assert_eq!(server.get("/?n=1").status, 200);
    drop(idle);
    // 12 requests of ~500 ms, 4 at a time: three rounds (1.5 s), not twelve (6 s).
    assert!(started.elapsed() < Duration::from_millis(4500), "{:?}", started.elapsed());
}

#[test]
fn process_a_trap_after_the_head_ends_the_body() {
    a_trap_after_the_head_ends_the_body(PROCESS);
}

#[test]
fn instance_a_trap_after_the_head_ends_the_body() {
    a_trap_after_the_head_ends_the_body(INSTANCE);
}

#[test]
fn instance_a_memory_bomb_stops_at_the_limit() {
    a_memory_bomb_stops_at_the_limit(INSTANCE);
}

#[test]
fn process_concurrent_requests_all_complete() {
    concurrent_requests_all_complete(PROCESS);
}

#[test]
fn instance_concurrent_requests_all_complete() {
    concurrent_requests_all_complete(INSTANCE);
}

/// The pid of the server's template process for `module`.
fn template_of(server: &Server, module: &str) -> i32 {
    let children = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", server.child.id())).unwrap();
    children
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .find(|p| {
            std::fs::read(format!("/proc/{p}/cmdline")).is_ok_and(|c| {
                String::from_utf8_lossy(&c).contains("__serve-template") && String::from_utf8_lossy(&c).contains(module)
            })
        })
        .expect("a template process")
}

#[test]
fn process_the_template_has_one_thread_when_it_forks() {
    // A fresh code cache: the template compiles the module (with compiler threads), then starts
    // itself again to load it from the cache with none.
    let cache = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("serve-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&cache);
    let args = with(PROCESS, &[&guest("json")]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let server = Server::try_start_with(&args, &[("CWALI_CACHE_DIR", cache.to_str().unwrap())]).unwrap();
    let template = template_of(&server, "json.wasm");
    let status = std::fs::read_to_string(format!("/proc/{template}/status")).unwrap();
    assert!(status.lines().any(|l| l.split_whitespace().eq(["Threads:", "1"])), "{status}");
    assert_eq!(server.get("/?x=1").status, 200);
    drop(server);
    let _ = std::fs::remove_dir_all(&cache);
}

#[test]
fn process_a_dead_template_is_restarted() {
    let server = start(PROCESS, &[&guest("hello")]);
    assert_eq!(server.get("/").status, 200);
    // The template is the server's child running `__serve-template`.
    let template = template_of(&server, "hello.wasm");
    // SAFETY: plain syscall on a process of this test.
    unsafe { libc::kill(template, libc::SIGKILL) };
    std::thread::sleep(Duration::from_millis(200));
    let resp = server.get("/");
    assert_eq!(resp.status, 200, "{}", server.log());
    assert!(server.wait_for_log("restarting"), "{}", server.log());
}

#[test]
fn a_slow_client_does_not_block_others_and_a_large_body_gets_413() {
    let server = start(PROCESS, &[&guest("hello")]);
    // A client that opens a connection and never finishes its request head does not block
    // anyone (the header read timeout eventually closes it).
    let mut idle = server.connect();
    idle.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
    let resp = server.get("/");
    assert_eq!(resp.status, 200);
    // A body over the limit is refused from its Content-Length, before it is sent.
    let mut stream = server.connect();
    stream.write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 17000000\r\n\r\n").unwrap();
    let resp = read_response(&mut BufReader::new(stream)).unwrap();
    assert_eq!(resp.status, 413);
}

fn a_deadline_while_streaming_cuts_the_connection(mode: &[&str]) {
    let server = start(mode, &["--timeout", "1s", &guest("stream")]);
    let mut stream = server.connect();
    send(&mut stream, "GET", "/?n=20&delay=200", &[], b"", true);
    let started = Instant::now();
    let mut reader = BufReader::new(stream);
    // The head and the first chunks arrive; then the connection ends without the last chunk
    // (no terminating zero-length chunk).
    let mut all = Vec::new();
    let _ = reader.read_to_end(&mut all);
    let text = String::from_utf8_lossy(&all);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("chunk 1 of 20"), "{text}");
    assert!(!text.contains("chunk 20 of 20") && !text.ends_with("0\r\n\r\n"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    assert!(server.get("/?n=1").status == 200);
}

#[test]
fn process_a_deadline_while_streaming_cuts_the_connection() {
    a_deadline_while_streaming_cuts_the_connection(PROCESS);
}

#[test]
fn instance_a_deadline_while_streaming_cuts_the_connection() {
    a_deadline_while_streaming_cuts_the_connection(INSTANCE);
}

/// Processes running `cwali ... __serve-template`: the templates and the children they forked.
fn template_processes() -> Vec<i32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else { continue };
        let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline")) else { continue };
        let cmdline = String::from_utf8_lossy(&cmdline);
        if cmdline.contains("__serve-template") && cmdline.contains("forks.wasm") {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // Zombies are dead already.
            if !stat.split(") ").nth(1).is_some_and(|s| s.starts_with('Z')) {
                pids.push(pid);
            }
        }
    }
    pids
}

#[test]
fn process_the_deadline_kills_every_process_a_request_forked() {
    let forks = common::guests_dir().join("serve").join("forks.wasm");
    let server = start(PROCESS, &["--timeout", "1s", forks.to_str().unwrap()]);
    let before = template_processes().len();
    let mut stream = server.connect();
    send(&mut stream, "GET", "/?n=20", &[], b"", true);
    std::thread::sleep(Duration::from_millis(500));
    let during = template_processes().len();
    assert!(during > before + 20, "{during} processes while the request runs, {before} before");
    // The head was sent: the deadline cuts the connection.
    let mut all = Vec::new();
    let _ = stream.read_to_end(&mut all);
    let text = String::from_utf8_lossy(&all);
    assert!(text.starts_with("HTTP/1.1 200") && text.contains("forked 20"), "{text}\n{}", server.log());
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let now = template_processes().len();
        if now == before {
            break;
        }
        assert!(Instant::now() < deadline, "{} processes left (the template alone: {before})", now);
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn process_a_request_over_max_procs_is_killed_before_its_deadline() {
    let forks = common::guests_dir().join("serve").join("forks.wasm");
    let server = start(PROCESS, &["--timeout", "20s", "--max-procs", "8", forks.to_str().unwrap()]);
    let before = template_processes().len();
    let started = Instant::now();
    let mut stream = server.connect();
    send(&mut stream, "GET", "/?n=40", &[], b"", true);
    let mut all = Vec::new();
    let _ = stream.read_to_end(&mut all);
    let text = String::from_utf8_lossy(&all);
    // Killed before or after its head: a 502, or a 200 cut short (no last chunk).
    let cut_200 = text.starts_with("HTTP/1.1 200") && !text.ends_with("0\r\n\r\n");
    assert!(text.starts_with("HTTP/1.1 502") || cut_200, "{text}\n{}", server.log());
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
    assert!(server.wait_for_log("--max-procs"), "{}", server.log());
    let deadline = Instant::now() + Duration::from_secs(5);
    while template_processes().len() != before {
        assert!(Instant::now() < deadline, "processes left: {:?}", template_processes());
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A Lua CGI script (`tests/guests/cgi/hello.lua`) served through the WALI-built Lua of
/// tests/apps, the route giving the interpreter its arguments: the script's path in process
/// isolation (the child sees the file system), its source through `-e` in instance isolation (a
/// sandbox has no files).
fn lua_script_through_a_route(mode: &str) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("serve-lua-{mode}"));
    std::fs::create_dir_all(&dir).unwrap();
    let lua = common::guests_dir().join("../apps/wasm/lua.wasm");
    let script = common::guests_dir().join("cgi/hello.lua");
    let args = match mode {
        "process" => format!("[\"{}\"]", script.display()),
        _ => {
            let source = std::fs::read_to_string(&script).unwrap();
            assert!(!source.contains("'''"), "the script fits a TOML literal string");
            format!("[\"-e\", '''{source}''']")
        }
    };
    let path = dir.join("serve.toml");
    std::fs::write(
        &path,
        format!("isolation = \"{mode}\"\n[[route]]\npath = \"/lua\"\nmodule = \"{}\"\nargs = {args}\n", lua.display()),
    )
    .unwrap();
    let server = Server::start(&["--config", path.to_str().unwrap()]);
    let resp = server.request("POST", "/lua/x/y?b=2&a=%41+b&flag", &[], b"hello");
    assert_eq!(resp.status, 200, "{}\n{}", resp.text(), server.log());
    assert_eq!(resp.headers["content-type"], "text/plain");
    assert_eq!(
        resp.text(),
        "Hello from Lua (Lua 5.4)!\nmethod=POST\npath=/lua/x/y\nquery.a=A b\nquery.b=2\nquery.flag=\nbody=hello\n"
    );
}

#[test]
fn process_a_lua_script_through_a_route() {
    lua_script_through_a_route("process");
}

#[test]
fn instance_a_lua_script_through_a_route() {
    lua_script_through_a_route("instance");
}
