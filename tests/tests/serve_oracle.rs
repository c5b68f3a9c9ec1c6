//! `cwali serve` against a native oracle: the CGI guests of `tests/guests/cgi/` built natively
//! with gcc and run by a real CGI server, lighttpd's mod_cgi (fork + exec per request), and the
//! committed WALI builds (`tests/guests/wasm-cgi/`) served by `cwali serve` in both isolation
//! modes. The same HTTP requests go to both servers; status, Content-Type and body must agree
//! (`echo`'s body after removing what legitimately differs between two servers, see
//! [`echo_vars`]). The native half alone (lighttpd runs the guests, their responses are what
//! the guests promise) also checks that the guests are correct CGI programs.
//!
//! Needs lighttpd (`apt-get install lighttpd`; .ci/run installs it). It is started by the test
//! itself, as whatever user runs the tests, in a temporary directory with a generated
//! configuration on a free loopback port.

mod common;
mod tmpdir;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tmpdir::TempDir;

// ---------------------------------------------------------------------------------------------
// The guests.

fn cgi_sources() -> PathBuf {
    common::guests_dir().join("cgi")
}

fn cgi_wasm(name: &str) -> PathBuf {
    common::guests_dir().join("wasm-cgi").join(format!("{name}.wasm"))
}

/// Every CGI guest (`cgi/*.c`).
fn guest_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(cgi_sources())
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "c").then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    names
}

static BUILD_LOCK: Mutex<()> = Mutex::new(());

/// The directory of the gcc/glibc builds of every CGI guest, one executable per guest named
/// after it (so it doubles as lighttpd's document root: `/NAME` runs guest NAME). Rebuilt when a
/// source (or the shared query.h) is newer.
fn native_guests() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cgi-native");
    let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    std::fs::create_dir_all(&dir).unwrap();
    let header = std::fs::metadata(cgi_sources().join("query.h")).unwrap().modified().unwrap();
    for name in guest_names() {
        let src = cgi_sources().join(format!("{name}.c"));
        let exe = dir.join(&name);
        let newest = std::fs::metadata(&src).unwrap().modified().unwrap().max(header);
        let fresh = std::fs::metadata(&exe).is_ok_and(|m| m.modified().unwrap() >= newest);
        if !fresh {
            let status = Command::new(std::env::var("CC").unwrap_or_else(|_| "gcc".into()))
                .args(["-O2", "-w", "-o"])
                .arg(&exe)
                .arg(&src)
                .status()
                .expect("gcc is needed to build the native CGI guests");
            assert!(status.success(), "gcc failed on {}", src.display());
        }
    }
    dir
}

// ---------------------------------------------------------------------------------------------
// A minimal HTTP/1.1 client: one request per connection (`Connection: close`).

#[derive(Debug)]
struct Response {
    status: u16,
    /// Header names lower-cased, in order.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Whether the body ended as the framing says (Content-Length reached, last chunk seen, or
    /// end of stream when neither is given); false for a truncated response.
    complete: bool,
    /// When each piece of the body arrived, counted from the request being sent: (offset in the
    /// body, time).
    arrivals: Vec<(usize, Duration)>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The host name both servers are asked for: the same `Host:` header makes HTTP_HOST (and
/// SERVER_NAME, which RFC 3875 4.1.14 derives from it) comparable although the ports differ.
const HOST: &str = "cgi.test";

fn request(addr: SocketAddr, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
    let mut s = TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let start = Instant::now();
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();

    // Everything, with the time each read returned.
    let mut raw = Vec::new();
    let mut reads = Vec::new();
    let mut buf = [0u8; 16384];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                raw.extend_from_slice(&buf[..n]);
                reads.push((raw.len(), start.elapsed()));
            }
            // A reset after a partial response (a server aborting a stream) ends it too.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("{method} {target} on {addr}: {e} after {} bytes", raw.len()),
        }
    }
    parse_response(&raw, &reads).unwrap_or_else(|| {
        panic!("{method} {target} on {addr}: not an HTTP response: {:?}", String::from_utf8_lossy(&raw))
    })
}

fn parse_response(raw: &[u8], reads: &[(usize, Duration)]) -> Option<Response> {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status = status_line.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let body_start = end + 4;
    let rest = &raw[body_start..];
    // Body offsets of the reads: where each read ended, relative to the raw body.
    let raw_arrivals: Vec<(usize, Duration)> =
        reads.iter().filter(|(at, _)| *at > body_start).map(|&(at, t)| (at - body_start, t)).collect();
    let get = |n: &str| headers.iter().find(|(h, _)| h == n).map(|(_, v)| v.clone());
    let (body, complete, arrivals) = if get("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        // Decode, mapping each raw offset to the decoded length at that point.
        let mut body = Vec::new();
        let mut at = 0;
        let mut complete = false;
        let mut marks = Vec::new(); // (raw offset after chunk data, decoded length)
        while let Some(nl) = rest[at..].windows(2).position(|w| w == b"\r\n") {
            let size_line = std::str::from_utf8(&rest[at..at + nl]).ok()?;
            let size = usize::from_str_radix(size_line.split(';').next()?.trim(), 16).ok()?;
            at += nl + 2;
            if size == 0 {
                complete = true;
                break;
            }
            if at + size > rest.len() {
                body.extend_from_slice(&rest[at..]);
                break;
            }
            body.extend_from_slice(&rest[at..at + size]);
            at += size + 2;
            marks.push((at, body.len()));
        }
        let arrivals = raw_arrivals
            .iter()
            .map(|&(raw_at, t)| (marks.iter().take_while(|(m, _)| *m <= raw_at).last().map_or(0, |m| m.1), t))
            .collect();
        (body, complete, arrivals)
    } else if let Some(len) = get("content-length") {
        let len: usize = len.parse().ok()?;
        let complete = rest.len() >= len;
        (rest[..rest.len().min(len)].to_vec(), complete, raw_arrivals)
    } else {
        (rest.to_vec(), true, raw_arrivals)
    };
    Some(Response { status, headers, body, complete, arrivals })
}

fn get(addr: SocketAddr, target: &str) -> Response {
    request(addr, "GET", target, &[], b"")
}

/// Waits until `addr` accepts connections (or `child` exited: its stderr says why).
fn wait_listening(addr: SocketAddr, child: &mut Child, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if TcpStream::connect(addr).is_ok() {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{what} exited before listening: {status}");
        }
        assert!(Instant::now() < deadline, "{what} is not listening on {addr} after 20 s");
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------------------------------------
// lighttpd.

fn lighttpd_exe() -> PathBuf {
    if let Some(p) = std::env::var_os("LIGHTTPD") {
        return PathBuf::from(p);
    }
    // /usr/sbin is not on every user's PATH.
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
        .map(|d| d.join("lighttpd"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("lighttpd is needed by the serve oracle test: apt-get install lighttpd (or set LIGHTTPD=/path/to/lighttpd)")
        })
}

/// lighttpd with mod_cgi serving the native guests: `/NAME[/path-info]` runs guest NAME.
struct Lighttpd {
    child: Child,
    addr: SocketAddr,
    _dir: TempDir,
}

impl Lighttpd {
    fn start() -> Lighttpd {
        let exe = lighttpd_exe();
        let docroot = native_guests();
        let dir = TempDir::new("lighttpd");
        // The port: a free one the kernel picks, released just before lighttpd binds it. Another
        // process could take it in between: then lighttpd exits and we try again.
        for _ in 0..5 {
            let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let conf = dir.path().join("lighttpd.conf");
            std::fs::write(
                &conf,
                format!(
                    concat!(
                        "server.document-root = \"{root}\"\n",
                        "server.bind = \"127.0.0.1\"\n",
                        "server.port = {port}\n",
                        "server.modules = (\"mod_cgi\")\n",
                        "server.errorlog = \"{dir}/error.log\"\n",
                        // Every file is a CGI program, run directly (no interpreter).
                        "cgi.assign = (\"\" => \"\")\n",
                        // Forward CGI output as it comes (`stream` checks it arrives in pieces).
                        "server.stream-response-body = 2\n",
                    ),
                    root = docroot.display(),
                    port = port,
                    dir = dir.path().display(),
                ),
            )
            .unwrap();
            let mut child = Command::new(&exe)
                .arg("-D")
                .arg("-f")
                .arg(&conf)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("starting {}: {e}", exe.display()));
            let addr: SocketAddr = ([127, 0, 0, 1], port).into();
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                if TcpStream::connect(addr).is_ok() {
                    return Lighttpd { child, addr, _dir: dir };
                }
                if child.try_wait().unwrap().is_some() || Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let log = std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
        panic!("lighttpd did not start; its error log:\n{log}");
    }
}

impl Drop for Lighttpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// cwali serve.

/// `cwali serve` on a free port with a route `/NAME` per guest (the committed `.wasm`).
struct CwaliServe {
    child: Child,
    addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl CwaliServe {
    fn start(isolation: &str, timeout: &str, extra: &[&str]) -> CwaliServe {
        let mut cmd = Command::new(common::cwali_exe());
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--isolation", isolation, "--timeout", timeout]);
        cmd.args(extra);
        for name in guest_names() {
            cmd.arg(format!("/{name}={}", cgi_wasm(&name).display()));
        }
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting cwali serve");
        // The one line that says where it listens, then the rest of stderr kept for messages.
        let mut lines = BufReader::new(child.stderr.take().unwrap());
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let log = stderr.clone();
        std::thread::spawn(move || {
            let mut line = String::new();
            let mut tx = Some(tx);
            while lines.read_line(&mut line).unwrap_or(0) > 0 {
                if let Some(addr) = line.trim().strip_prefix("cwali serve: listening on http://")
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(addr.to_string());
                }
                log.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(a) => a.parse().unwrap_or_else(|e| panic!("cwali serve printed a bad address {a:?}: {e}")),
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("cwali serve did not say where it listens; its stderr:\n{}", stderr.lock().unwrap());
            }
        };
        wait_listening(addr, &mut child, "cwali serve");
        CwaliServe { child, addr, stderr }
    }
}

impl Drop for CwaliServe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("cwali serve's stderr:\n{}", self.stderr.lock().unwrap());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The requests, and what the guests promise.

/// A request of the comparison.
struct Req {
    method: &'static str,
    target: &'static str,
    headers: &'static [(&'static str, &'static str)],
    body: &'static [u8],
}

const fn get_req(target: &'static str) -> Req {
    Req { method: "GET", target, headers: &[], body: b"" }
}

/// Requests whose responses must be the same from both servers (the well-behaved guests).
const SAME: &[Req] = &[
    get_req("/hello"),
    get_req("/json"),
    get_req("/json?a=1&b=x"),
    get_req("/json?a=1&b=x%20y+z&empty=&flag&%41=%e2%82%ac"),
    get_req("/json?x=1&fail"),
    get_req("/echo"),
    get_req("/echo?a=1&b=2"),
    get_req("/echo/some/path/info?q"),
    Req {
        method: "GET",
        target: "/echo?h",
        headers: &[("X-Custom-Header", "custom value"), ("Accept", "text/plain"), ("X-B", "2"), ("X-A", "1")],
        body: b"",
    },
    Req {
        method: "POST",
        target: "/echo/post?k=v",
        headers: &[("Content-Type", "application/x-www-form-urlencoded")],
        body: b"name=value&other=1",
    },
    Req { method: "POST", target: "/json?via=post", headers: &[("Content-Type", "text/plain")], body: b"ignored" },
    Req {
        method: "PUT",
        target: "/echo",
        headers: &[("Content-Type", "application/octet-stream")],
        body: &[0x41; 10000],
    },
    get_req("/stream?n=3&delay=0"),
    // A trap after a complete head and part of the body: both servers keep the status and end
    // the body where the program stopped.
    get_req("/trap_late"),
    get_req("/state"),
];

/// The CGI variables of an `echo` body, with what legitimately differs between two conforming
/// servers taken out:
/// - SERVER_SOFTWARE names the server; SERVER_PORT is each server's own port.
/// - HTTP_CONTENT_LENGTH and HTTP_CONTENT_TYPE: lighttpd also passes these two request headers as
///   HTTP_* variables, which RFC 3875 4.1.18 lets a server leave out as they duplicate
///   CONTENT_LENGTH and CONTENT_TYPE: compared only when both servers define them.
/// - Unset and empty are the same (RFC 3875 4.1: a server may set NULL-valued meta-variables or
///   omit them); CONTENT_LENGTH=0 (lighttpd, for a request without a body) counts as absent, as
///   both tell the script there is no body.
///
/// Returns (variables, body).
fn echo_vars(body: &str) -> (BTreeMap<String, String>, String) {
    let (vars, rest) = body.split_once("body=").unwrap_or_else(|| panic!("no body= in echo's output:\n{body}"));
    let mut map = BTreeMap::new();
    for line in vars.lines() {
        let (name, value) = match line.split_once('=') {
            Some((n, v)) => (n, v),
            None => (line.strip_suffix(" unset").unwrap_or_else(|| panic!("odd echo line {line:?}")), ""),
        };
        if matches!(name, "SERVER_SOFTWARE" | "SERVER_PORT") || value.is_empty() {
            continue;
        }
        if name == "CONTENT_LENGTH" && value == "0" {
            continue;
        }
        map.insert(name.to_string(), value.to_string());
    }
    (map, rest.to_string())
}

fn same_echo(a: &str, b: &str, what: &str) {
    let (mut va, ba) = echo_vars(a);
    let (mut vb, bb) = echo_vars(b);
    for dup in ["HTTP_CONTENT_LENGTH", "HTTP_CONTENT_TYPE"] {
        if va.contains_key(dup) != vb.contains_key(dup) {
            va.remove(dup);
            vb.remove(dup);
        }
    }
    assert_eq!(va, vb, "{what}: echo's CGI variables differ\n--- lighttpd:\n{a}\n--- cwali:\n{b}");
    assert_eq!(ba, bb, "{what}: echo's request body differs");
}

/// What the guests promise, checked on a server's responses (native or cwali).
fn check_guest_behaviour(addr: SocketAddr, server: &str) {
    let r = get(addr, "/hello");
    assert_eq!(
        (r.status, r.content_type(), r.text().as_str()),
        (200, Some("text/plain"), "Hello, world!\n"),
        "{server}"
    );

    let r = get(addr, "/json?a=1&b=x");
    assert_eq!(r.status, 200, "{server}");
    assert_eq!(r.content_type(), Some("application/json"), "{server}");
    assert_eq!(r.text(), "{\"method\":\"GET\",\"query\":{\"a\":\"1\",\"b\":\"x\"},\"n\":2}\n", "{server}");
    let r = get(addr, "/json?q=%22quoted%22%5C&sp=a+b");
    assert_eq!(
        r.text(),
        "{\"method\":\"GET\",\"query\":{\"q\":\"\\\"quoted\\\"\\\\\",\"sp\":\"a b\"},\"n\":2}\n",
        "{server}"
    );
    let r = get(addr, "/json?x=1&fail");
    assert_eq!((r.status, r.content_type()), (400, Some("application/json")), "{server}");
    assert_eq!(r.text(), "{\"error\":\"fail requested\",\"method\":\"GET\",\"n\":2}\n", "{server}");

    let r = request(
        addr,
        "POST",
        "/echo/extra/path?x=1&y",
        &[("X-Test-Header", "yes"), ("Content-Type", "text/plain")],
        b"the body",
    );
    assert_eq!((r.status, r.content_type()), (200, Some("text/plain")), "{server}");
    let (vars, body) = echo_vars(&r.text());
    let expect = [
        ("GATEWAY_INTERFACE", "CGI/1.1"),
        ("REQUEST_METHOD", "POST"),
        ("SCRIPT_NAME", "/echo"),
        ("PATH_INFO", "/extra/path"),
        ("QUERY_STRING", "x=1&y"),
        ("CONTENT_TYPE", "text/plain"),
        ("CONTENT_LENGTH", "8"),
        ("SERVER_PROTOCOL", "HTTP/1.1"),
        ("REMOTE_ADDR", "127.0.0.1"),
        ("HTTP_HOST", HOST),
        ("HTTP_X_TEST_HEADER", "yes"),
    ];
    for (name, value) in expect {
        assert_eq!(vars.get(name).map(String::as_str), Some(value), "{server}: {name} in\n{}", r.text());
    }
    assert_eq!(body, "the body", "{server}");

    // Streaming: 4 chunks 300 ms apart; the first must arrive well before the last was written.
    let r = get(addr, "/stream?n=4&delay=300");
    assert_eq!(r.status, 200, "{server}");
    let expect: String = (1..=4).map(|i| format!("chunk {i} of 4\n")).collect();
    assert_eq!(r.text(), expect, "{server}");
    assert!(r.complete, "{server}: stream's response was cut short");
    let first_line = "chunk 1 of 4\n".len();
    let first = r.arrivals.iter().find(|(at, _)| *at >= first_line).map(|a| a.1).unwrap();
    let last = r.arrivals.last().unwrap().1;
    assert!(
        last.saturating_sub(first) >= Duration::from_millis(600),
        "{server}: the stream was not forwarded as it was written (first chunk at {first:?}, end at {last:?})"
    );

    // A fresh process (or instance) per request: the static counter is 1 every time.
    for _ in 0..3 {
        let r = get(addr, "/state");
        assert_eq!(r.text(), "count=1\n", "{server}");
    }
}

// ---------------------------------------------------------------------------------------------
// The tests.

/// The native half: lighttpd runs the gcc builds, and their responses are what the guests
/// promise (so the guests themselves are right, whatever cwali does).
#[test]
fn lighttpd_serves_the_native_guests() {
    let server = Lighttpd::start();
    check_guest_behaviour(server.addr, "lighttpd");

    // Requests share the file system natively: the second `state` request sees the first's file.
    let name = format!("oracle-native-{}", std::process::id());
    let file = PathBuf::from(format!("/tmp/cwali-cgi-state-{name}"));
    let _ = std::fs::remove_file(&file);
    let first = get(server.addr, &format!("/state?file={name}")).text();
    let second = get(server.addr, &format!("/state?file={name}")).text();
    let _ = std::fs::remove_file(&file);
    assert_eq!(first, "count=1\nprevious=no\ncreated=yes\n");
    assert_eq!(second, "count=1\nprevious=yes\ncreated=yes\n");

    // The memory guest natively, capped (uncapped it would take what the machine has).
    let r = get(server.addr, "/memory?max=16");
    assert_eq!(r.text(), "allocated 16 MiB (max 16)\n");
}

/// Sends every request of [`SAME`] to lighttpd and to `cwali serve --isolation ISOLATION`.
fn compare_with_lighttpd(isolation: &str) {
    let native = Lighttpd::start();
    let cwali = CwaliServe::start(isolation, "5s", &[]);
    for req in SAME {
        let what = format!("{} {} (--isolation {isolation})", req.method, req.target);
        let a = request(native.addr, req.method, req.target, req.headers, req.body);
        let b = request(cwali.addr, req.method, req.target, req.headers, req.body);
        assert_eq!(a.status, b.status, "{what}: status\n--- lighttpd:\n{}\n--- cwali:\n{}", a.text(), b.text());
        assert_eq!(a.content_type(), b.content_type(), "{what}: Content-Type");
        assert!(b.complete, "{what}: cwali's response was cut short");
        if req.target.starts_with("/echo") {
            same_echo(&a.text(), &b.text(), &what);
        } else {
            assert_eq!(a.text(), b.text(), "{what}: body");
        }
    }
    check_guest_behaviour(cwali.addr, &format!("cwali serve --isolation {isolation}"));

    // Where the modes differ: a file written by one request. Process isolation runs programs with
    // the host's file system, as lighttpd does: the second request sees the first one's file. An
    // instance sandbox has no file system: the open fails.
    let name = format!("oracle-{isolation}-{}", std::process::id());
    let file = PathBuf::from(format!("/tmp/cwali-cgi-state-{name}"));
    let _ = std::fs::remove_file(&file);
    let first = get(cwali.addr, &format!("/state?file={name}")).text();
    let second = get(cwali.addr, &format!("/state?file={name}")).text();
    let _ = std::fs::remove_file(&file);
    if isolation == "process" {
        assert_eq!(first, "count=1\nprevious=no\ncreated=yes\n");
        assert_eq!(second, "count=1\nprevious=yes\ncreated=yes\n");
    } else {
        for out in [first, second] {
            assert!(out.starts_with("count=1\nprevious=no\ncreated=no errno="), "{out}");
        }
    }
}

/// Failures, where lighttpd is no oracle: it answers 200 for a program that died before ending
/// its header section (forwarding the output as the body) and for a malformed header section,
/// 500 for a program that wrote nothing. `cwali serve` answers 502 for all of them (the gateway
/// got no valid response from the program) and 504 for a program past its deadline.
fn cwali_failures(isolation: &str) {
    let cwali = CwaliServe::start(isolation, "1s", &["--max-memory", "64MiB"]);
    for target in ["/trap", "/bad", "/early"] {
        let r = get(cwali.addr, target);
        assert_eq!(r.status, 502, "{target} (--isolation {isolation}): {}", r.text());
    }
    let started = Instant::now();
    let r = get(cwali.addr, "/spin");
    assert_eq!(r.status, 504, "/spin (--isolation {isolation})");
    assert!(started.elapsed() < Duration::from_secs(10), "/spin took {:?}", started.elapsed());
    // After the failures the server still answers.
    let r = get(cwali.addr, "/hello");
    assert_eq!(r.text(), "Hello, world!\n");

    // The memory bomb stops at the limit, far above nothing. Instance isolation bounds the linear
    // memory itself: less than 64 MiB of 1 MiB blocks (the program's own data and malloc's
    // overhead count too). Process isolation bounds the child's RLIMIT_DATA, which docs/serve.md
    // sets to the limit plus 64 MiB of room for the runtime's own allocations and thread stacks:
    // a program may get up to that much more.
    let r = get(cwali.addr, "/memory");
    assert_eq!(r.status, 200, "/memory (--isolation {isolation}): {}", r.text());
    let got: u64 = r
        .text()
        .strip_prefix("allocated ")
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("/memory said {:?}", r.text()));
    let bound = if isolation == "instance" { 64 } else { 64 + 64 };
    assert!((32..bound).contains(&got), "/memory (--isolation {isolation}) got {got} MiB under a 64 MiB limit");
}

#[test]
fn cwali_serve_process_matches_lighttpd() {
    compare_with_lighttpd("process");
}

#[test]
fn cwali_serve_instance_matches_lighttpd() {
    compare_with_lighttpd("instance");
}

#[test]
fn cwali_serve_process_failures() {
    cwali_failures("process");
}

#[test]
fn cwali_serve_instance_failures() {
    cwali_failures("instance");
}

// ---------------------------------------------------------------------------------------------
// The Lua CGI script.

/// `tests/guests/cgi/hello.lua` through the WALI-built Lua of tests/apps (`lua.wasm SCRIPT`),
/// given a CGI request the way a CGI server would (meta-variables in the environment, the body
/// on stdin), under `cwali run`: its output is a valid CGI response. (tests/serve.rs serves it
/// through a route's `args` in both isolation modes.)
#[test]
fn lua_cgi_script_under_cwali_run() {
    let lua = Path::new(env!("CARGO_MANIFEST_DIR")).join("apps/wasm/lua.wasm");
    let script = cgi_sources().join("hello.lua");
    let mut child = Command::new(common::cwali_exe())
        .arg("run")
        .args(["--env", "GATEWAY_INTERFACE=CGI/1.1", "--env", "REQUEST_METHOD=POST", "--env", "SCRIPT_NAME=/lua"])
        .args(["--env", "PATH_INFO=/x/y", "--env", "QUERY_STRING=b=2&a=%41+b&flag", "--env", "CONTENT_LENGTH=5"])
        .arg(&lua)
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // More than CONTENT_LENGTH bytes: the script must read exactly CONTENT_LENGTH of them.
    child.stdin.take().unwrap().write_all(b"hello, and more").unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}\n{stdout}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        stdout,
        "Content-Type: text/plain\n\nHello from Lua (Lua 5.4)!\nmethod=POST\npath=/lua/x/y\n\
         query.a=A b\nquery.b=2\nquery.flag=\nbody=hello\n"
    );
}
