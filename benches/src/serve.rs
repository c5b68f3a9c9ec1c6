//! Benchmark `serve`: HTTP requests per second and latency of CGI programs under `cwali serve`
//! (both isolation modes) next to the same C programs built natively and run by lighttpd's
//! mod_cgi (fork + exec per request, the classic CGI deployment), with a trivial in-process HTTP
//! responder as the ceiling (what the load generator and the loopback can do at all).
//!
//! The load comes from `wrk` (Debian package `wrk`) at 1, 16 and 256 keep-alive connections,
//! 5 s per measurement (2 s with `--quick`) after a 1 s warm-up. The guests are `hello` and
//! `json` of `tests/guests/cgi/` (`wasm-cgi/*.wasm` for cwali, gcc builds for lighttpd).
//!
//! Needs: `target/release/cwali` with `serve` (or CWALI_BIN), wrk, lighttpd (LIGHTTPD or on the
//! PATH or /usr/sbin), a C compiler ($CC or cc).
//!
//! The ceiling is a std::net responder in this binary (one thread per connection, a fixed
//! response to every request): not hyper, so that the benchmarks do not depend on a second HTTP
//! stack; it is a ceiling for what wrk and the loopback carry, not a hyper-vs-cwali comparison.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::Opts;
use crate::process::cwali_bin;
use crate::stats::{Table, fmt_num, fmt_ratio, loadavg};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace").to_path_buf()
}

fn guests_dir() -> PathBuf {
    workspace().join("tests/guests")
}

const GUESTS: &[&str] = &["hello", "json"];
/// The request path of each guest (json gets a query to build its document from).
fn target(guest: &str) -> &'static str {
    match guest {
        "hello" => "/hello",
        "json" => "/json?a=1&b=x&c=hello%20world",
        _ => unreachable!(),
    }
}

const CONNECTIONS: &[u32] = &[1, 16, 256];

/// `name` on the PATH, or in `extra` directories.
fn find_exe(name: &str, extra: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).chain(extra.iter().map(PathBuf::from)).map(|d| d.join(name)).find(|p| p.is_file())
}

/// The gcc builds of the CGI guests, in a directory that is lighttpd's document root.
fn native_guests() -> Result<PathBuf> {
    let dir = workspace().join("target/cgi-native-bench");
    std::fs::create_dir_all(&dir)?;
    let cc = std::env::var("CC").ok().filter(|c| !c.is_empty()).unwrap_or_else(|| "cc".into());
    for g in GUESTS {
        let src = guests_dir().join(format!("cgi/{g}.c"));
        let status = Command::new(&cc)
            .args(["-O2", "-w", "-o"])
            .arg(dir.join(g))
            .arg(&src)
            .status()
            .with_context(|| format!("running {cc}"))?;
        if !status.success() {
            bail!("{cc} failed on {}", src.display());
        }
    }
    Ok(dir)
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_listening(addr: SocketAddr, child: &mut Child, what: &str) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(addr).is_err() {
        if let Some(status) = child.try_wait()? {
            bail!("{what} exited before listening: {status}");
        }
        if Instant::now() > deadline {
            bail!("{what} not listening on {addr} after 30 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// A server process, killed on drop.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_lighttpd(exe: &Path, docroot: &Path, tmp: &Path) -> Result<Server> {
    let port = free_port()?;
    let conf = tmp.join("lighttpd.conf");
    std::fs::write(
        &conf,
        format!(
            "server.document-root = \"{}\"\nserver.bind = \"127.0.0.1\"\nserver.port = {port}\n\
             server.modules = (\"mod_cgi\")\nserver.errorlog = \"{}/error.log\"\ncgi.assign = (\"\" => \"\")\n\
             server.max-connections = 1024\n",
            docroot.display(),
            tmp.display()
        ),
    )?;
    let mut child = Command::new(exe)
        .arg("-D")
        .arg("-f")
        .arg(&conf)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", exe.display()))?;
    let addr = ([127, 0, 0, 1], port).into();
    wait_listening(addr, &mut child, "lighttpd")?;
    Ok(Server { child, addr })
}

/// `cwali serve` with a route per guest; reads the address from its `listening on` line.
fn start_cwali(cwali: &Path, isolation: &str) -> Result<Server> {
    let mut cmd = Command::new(cwali);
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--isolation", isolation]);
    // Room for every connection of the largest run: the benchmark measures throughput, not
    // load shedding (a full queue answers 503, counted as errors in the table).
    cmd.args(["--queue", "4096"]);
    for g in GUESTS {
        cmd.arg(format!("/{g}={}", guests_dir().join(format!("wasm-cgi/{g}.wasm")).display()));
    }
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", cwali.display()))?;
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    let addr: SocketAddr = loop {
        line.clear();
        if stderr.read_line(&mut line)? == 0 {
            let _ = child.kill();
            let _ = child.wait();
            bail!("cwali serve --isolation {isolation} ended without listening");
        }
        if let Some(a) = line.trim().strip_prefix("cwali serve: listening on http://") {
            break a.parse().with_context(|| format!("address {a:?}"))?;
        }
        eprint!("cwali serve: {line}");
    };
    // Keep draining its stderr (a full pipe would block the server).
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = stderr.read_to_end(&mut sink);
    });
    wait_listening(addr, &mut child, "cwali serve")?;
    Ok(Server { child, addr })
}

/// The ceiling: a thread per connection answering every request on it with a fixed response,
/// keep-alive, no parsing beyond finding the end of each request head (wrk sends no bodies).
fn start_ceiling() -> Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            std::thread::spawn(move || {
                let _ = conn.set_nodelay(true);
                let reply = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 14\r\n\r\nHello, world!\n";
                let mut buf = [0u8; 8192];
                let mut pending = Vec::new();
                loop {
                    let n = match conn.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    pending.extend_from_slice(&buf[..n]);
                    while let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                        pending.drain(..end + 4);
                        if conn.write_all(reply).is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    Ok(addr)
}

/// One wrk measurement.
#[derive(Clone, Copy)]
struct Load {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    /// Non-2xx responses plus socket errors.
    errors: u64,
    requests: u64,
}

/// wrk's durations: `123.45us`, `1.23ms`, `1.00s`, `1.5m`.
fn parse_duration_ms(s: &str) -> Option<f64> {
    let (num, unit) = s.split_at(s.find(|c: char| c.is_ascii_alphabetic())?);
    let v: f64 = num.parse().ok()?;
    Some(match unit {
        "us" => v / 1e3,
        "ms" => v,
        "s" => v * 1e3,
        "m" => v * 60e3,
        "h" => v * 3600e3,
        _ => return None,
    })
}

fn parse_wrk(out: &str) -> Result<Load> {
    let mut load = Load { rps: f64::NAN, p50_ms: f64::NAN, p99_ms: f64::NAN, errors: 0, requests: 0 };
    for line in out.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.as_slice() {
            ["50%", d] => load.p50_ms = parse_duration_ms(d).context("p50")?,
            ["99%", d] => load.p99_ms = parse_duration_ms(d).context("p99")?,
            ["Requests/sec:", r] => load.rps = r.parse()?,
            [n, "requests", "in", ..] => load.requests = n.parse()?,
            ["Non-2xx", "or", "3xx", "responses:", n] => load.errors += n.parse::<u64>()?,
            ["Socket", "errors:", rest @ ..] => {
                // connect N, read N, write N, timeout N
                for pair in rest.chunks(2) {
                    if let [_, n] = pair {
                        load.errors += n.trim_end_matches(',').parse::<u64>()?;
                    }
                }
            }
            _ => {}
        }
    }
    if load.rps.is_nan() || load.p99_ms.is_nan() {
        bail!("unexpected wrk output:\n{out}");
    }
    Ok(load)
}

fn wrk(wrk: &Path, url: &str, connections: u32, seconds: u32) -> Result<Load> {
    let threads = connections.min(2);
    let out = Command::new(wrk)
        .args(["--latency", "-t", &threads.to_string(), "-c", &connections.to_string()])
        .args(["-d", &format!("{seconds}s"), "--timeout", "10s", url])
        .stdin(Stdio::null())
        .output()
        .context("running wrk")?;
    if !out.status.success() {
        bail!("wrk {url} failed: {}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    }
    parse_wrk(&String::from_utf8_lossy(&out.stdout))
}

/// A GET that must answer 200 (each contender is checked before it is measured).
fn check_200(addr: SocketAddr, target: &str) -> Result<()> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(s, "GET {target} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")?;
    let mut resp = String::new();
    let _ = s.read_to_string(&mut resp);
    if !resp.starts_with("HTTP/1.1 200") {
        bail!("GET {target} on {addr}: {resp:?}");
    }
    Ok(())
}

pub fn serve(opts: &Opts) -> Result<()> {
    let Some(wrk_exe) = find_exe("wrk", &[]) else {
        bail!("wrk is needed by the serve benchmark: apt-get install wrk");
    };
    let lighttpd = match std::env::var_os("LIGHTTPD") {
        Some(p) => PathBuf::from(p),
        None => find_exe("lighttpd", &["/usr/sbin", "/usr/local/sbin"])
            .context("lighttpd is needed by the serve benchmark: apt-get install lighttpd")?,
    };
    let cwali = cwali_bin()?;
    let seconds = if opts.quick { 2 } else { 5 };
    let docroot = native_guests()?;
    let tmp = std::env::temp_dir().join(format!("cwali-bench-serve-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let load_before = loadavg();

    // Contenders: (label, guest, address). Servers stay up for the whole run.
    let ceiling = start_ceiling()?;
    let native = start_lighttpd(&lighttpd, &docroot, &tmp)?;
    let instance = start_cwali(&cwali, "instance")?;
    let process = start_cwali(&cwali, "process")?;
    let mut contenders: Vec<(String, &str, SocketAddr)> =
        vec![("ceiling (std::net, fixed reply)".into(), "hello", ceiling)];
    for g in GUESTS {
        contenders.push(("native CGI (lighttpd mod_cgi)".into(), g, native.addr));
        contenders.push(("cwali serve --isolation instance".into(), g, instance.addr));
        contenders.push(("cwali serve --isolation process".into(), g, process.addr));
    }
    for (label, g, addr) in &contenders {
        check_200(*addr, target(g)).with_context(|| format!("{label}, {g}"))?;
    }

    // results[contender][connections]
    let mut results: Vec<Vec<Load>> = Vec::new();
    for (label, g, addr) in &contenders {
        let url = format!("http://{addr}{}", target(g));
        let mut row = Vec::new();
        for &c in CONNECTIONS {
            wrk(&wrk_exe, &url, c, 1).with_context(|| format!("warm-up of {label}, {g}"))?;
            let load = wrk(&wrk_exe, &url, c, seconds).with_context(|| format!("{label}, {g}, {c} connections"))?;
            eprintln!(
                "  {label:<34} {g:<5} c={c:<3} {:>9} req/s  p50 {} ms  p99 {} ms  errors {}",
                fmt_num(load.rps),
                fmt_num(load.p50_ms),
                fmt_num(load.p99_ms),
                load.errors
            );
            row.push(load);
        }
        results.push(row);
    }
    drop((native, instance, process));
    let _ = std::fs::remove_dir_all(&tmp);

    let mut table = Table::new(
        "serve: CGI over HTTP, requests/s and latency (wrk, keep-alive)",
        &["server", "guest", "conns", "req/s", "p50 ms", "p99 ms", "errors", "req/s vs native CGI"],
    );
    let native_of = |g: &str| contenders.iter().position(|(l, cg, _)| l.starts_with("native") && *cg == g).unwrap();
    for (i, (label, g, _)) in contenders.iter().enumerate() {
        for (j, &c) in CONNECTIONS.iter().enumerate() {
            let l = results[i][j];
            let base = results[native_of(g)][j].rps;
            table.row(vec![
                label.clone(),
                g.to_string(),
                c.to_string(),
                fmt_num(l.rps),
                fmt_num(l.p50_ms),
                fmt_num(l.p99_ms),
                l.errors.to_string(),
                fmt_ratio(l.rps / base),
            ]);
        }
    }
    // The targets, checked on the hello guest.
    let find = |prefix: &str| contenders.iter().position(|(l, g, _)| l.starts_with(prefix) && *g == "hello").unwrap();
    let (inst, proc_, nat) =
        (find("cwali serve --isolation instance"), find("cwali serve --isolation process"), find("native"));
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    for (j, &c) in CONNECTIONS.iter().enumerate() {
        let ri = results[inst][j].rps / results[nat][j].rps;
        let rp = results[proc_][j].rps / results[nat][j].rps;
        table.note(format!(
            "hello, {c} connections: instance {}x native CGI (target >= 10x: {}), process {}x (target >= 3x: {}).",
            fmt_ratio(ri),
            verdict(ri >= 10.0),
            fmt_ratio(rp),
            verdict(rp >= 3.0)
        ));
    }
    let p99 = results[inst][1].p99_ms;
    table.note(format!(
        "instance mode p99 at 16 connections (hello): {} ms (target <= 2 ms: {}).",
        fmt_num(p99),
        verdict(p99 <= 2.0)
    ));
    table.note(format!(
        "{seconds} s per measurement after a 1 s warm-up; wrk with min(2, conns) threads on the same machine as the \
         servers. Errors: non-2xx responses plus socket errors. Load average {load_before} before, {} after.",
        loadavg()
    ));
    table.print();
    Ok(())
}
