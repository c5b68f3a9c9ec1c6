//! The HTTP side of `cwali serve`: hyper 1 on tokio, HTTP/1.1 with keep-alive. Per request:
//! route (longest prefix), read the body (at most `max_body`), take a slot from the
//! [`Scheduler`] (503 when the queue is full), start the program, parse its CGI header section
//! (502 if malformed or missing, 504 past the deadline), then stream the rest of its output as
//! the body (chunked unless it gave a Content-Length), cutting the connection if the deadline
//! passes meanwhile. One access-log line per request goes through `tracing`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::{Body, Frame, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};

use super::cgi;
use super::config::{Isolation, ServeConfig};
use super::instance;
use super::process::{self, Template, TemplateSpec};
use super::{Outcome, Permit, Scheduler};

type ResponseBody = BoxBody<Bytes, std::io::Error>;

/// What runs a route's requests.
enum Runner {
    Process(Template),
    Instance(Arc<cwali_wali_abi::sandbox::SandboxModule>),
}

/// The server's shared state.
struct Server {
    config: ServeConfig,
    runners: Vec<Runner>,
    pool: Option<instance::Pool>,
    scheduler: Arc<Scheduler>,
    next_id: AtomicU64,
    local: SocketAddr,
}

/// Code generation options, the code cache, for the modules.
#[derive(Clone)]
pub struct Compile {
    /// The runtime configuration.
    pub config: cwali_rt::Config,
    /// `__serve-template` flags that give the template the same configuration.
    pub template_args: Vec<String>,
    /// Use the code cache.
    pub cache: bool,
}

/// Run the server until SIGTERM or SIGINT. Modules are loaded (and templates started) before
/// it listens, so a bad module is an error here.
pub fn serve(config: ServeConfig, compile: Compile) -> Result<()> {
    let mut runners = Vec::new();
    for route in &config.routes {
        runners.push(match config.isolation {
            Isolation::Process => {
                let mut args = compile.template_args.clone();
                if let Some(m) = config.max_memory {
                    args.extend(["--max-memory".to_string(), m.to_string()]);
                }
                Runner::Process(Template::start(TemplateSpec { module: route.module.clone(), args })?)
            }
            Isolation::Instance => Runner::Instance(Arc::new(instance::load(
                &route.module,
                compile.config.clone(),
                compile.cache,
                config.max_memory,
            )?)),
        });
    }
    let pool = match config.isolation {
        Isolation::Instance => Some(instance::Pool::new(config.workers)?),
        Isolation::Process => None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(std::thread::available_parallelism().map_or(2, |n| n.get()).min(4))
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let local = listener.local_addr()?;
        let scheduler = Scheduler::new(config.max_concurrency, config.queue, config.routes.len());
        let server = Arc::new(Server { config, runners, pool, scheduler, next_id: AtomicU64::new(0), local });
        // SIGTERM and SIGINT are caught from here on (before anyone learns the address).
        use tokio::signal::unix::{SignalKind, signal};
        let stop = (signal(SignalKind::terminate())?, signal(SignalKind::interrupt())?);
        eprintln!("cwali serve: listening on http://{local}");
        accept_loop(server, listener, stop).await
    })
}

async fn accept_loop(
    server: Arc<Server>,
    listener: tokio::net::TcpListener,
    (mut term, mut int): (tokio::signal::unix::Signal, tokio::signal::unix::Signal),
) -> Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = term.recv() => break,
            _ = int.recv() => break,
        };
        let _ = stream.set_nodelay(true);
        let service = {
            let server = server.clone();
            hyper::service::service_fn(move |req| handle(server.clone(), req, remote))
        };
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(server.config.header_timeout)
            .keep_alive(true)
            .max_buf_size(64 << 10)
            .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!("connection from {remote}: {e}");
            }
        });
    }
    drop(listener);
    // Running requests finish, up to the longest deadline.
    let longest = server.config.routes.iter().map(|r| r.timeout).max().unwrap_or_default();
    tracing::info!("shutting down: waiting for running requests");
    tokio::select! {
        _ = graceful.shutdown() => {}
        _ = tokio::time::sleep(longest + Duration::from_secs(1)) => {
            tracing::warn!("shutting down: requests still running after {longest:?}");
        }
    }
    Ok(())
}

/// One line per request in the access log.
struct Access {
    id: u64,
    method: hyper::Method,
    path: String,
    start: Instant,
    status: StatusCode,
    bytes: u64,
}

impl Access {
    fn log(&self, note: &str) {
        tracing::info!(
            target: "cwali::serve::access",
            request = self.id,
            method = %self.method,
            path = %self.path,
            status = self.status.as_u16(),
            bytes = self.bytes,
            ms = self.start.elapsed().as_millis() as u64,
            "{note}"
        );
    }
}

fn simple(status: StatusCode, message: &str) -> Response<ResponseBody> {
    let mut resp = Response::new(
        Full::new(Bytes::from(format!("{} {}\n", status.as_u16(), message))).map_err(|e| match e {}).boxed(),
    );
    *resp.status_mut() = status;
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    resp
}

async fn handle(
    server: Arc<Server>,
    req: Request<Incoming>,
    remote: SocketAddr,
) -> Result<Response<ResponseBody>, Infallible> {
    let id = server.next_id.fetch_add(1, Ordering::Relaxed) + 1;
    let access = Access {
        id,
        method: req.method().clone(),
        path: req.uri().path().to_string(),
        start: Instant::now(),
        status: StatusCode::OK,
        bytes: 0,
    };
    // Logged here if the client goes away before there is a response (hyper drops this future).
    struct Unanswered(Option<Access>);
    impl Drop for Unanswered {
        fn drop(&mut self) {
            if let Some(access) = &self.0 {
                access.log("client went away before the response");
            }
        }
    }
    let mut pending = Unanswered(Some(access));
    let response = respond(&server, req, remote, id, pending.0.as_mut().expect("set")).await;
    let mut access = pending.0.take().expect("set");
    Ok(match response {
        Ok(resp) => resp,
        Err((status, message)) => {
            access.status = status;
            access.log(&message);
            simple(status, status.canonical_reason().unwrap_or("Error"))
        }
    })
}

type Refusal = (StatusCode, String);

async fn respond(
    server: &Arc<Server>,
    req: Request<Incoming>,
    remote: SocketAddr,
    id: u64,
    access: &mut Access,
) -> Result<Response<ResponseBody>, Refusal> {
    let path = req.uri().path().to_string();
    let Some(index) = server.config.route(&path) else {
        return Err((StatusCode::NOT_FOUND, "no route".into()));
    };
    let route = &server.config.routes[index];
    // The body, up to the limit.
    let announced = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if announced.is_some_and(|n| n > server.config.max_body) {
        return Err((StatusCode::PAYLOAD_TOO_LARGE, "request body too large".into()));
    }
    let (parts, body) = req.into_parts();
    let body = match http_body_util::Limited::new(body, server.config.max_body).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, "request body too large".into()));
        }
        Err(e) => return Err((StatusCode::BAD_REQUEST, format!("cannot read the request body: {e}"))),
    };
    // The CGI environment.
    let script_name = if route.prefix == "/" { "" } else { route.prefix.as_str() };
    let path_info = cgi::percent_decode(&path[script_name.len()..]);
    let host = parts.headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let server_name = match host {
        Some(h) => {
            h.rsplit_once(':').filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit())).map_or(h, |(n, _)| n).to_string()
        }
        None => server.local.ip().to_string(),
    };
    let content_length = (announced.is_some() || !body.is_empty()).then_some(body.len());
    let meta = cgi::RequestMeta {
        method: parts.method.as_str(),
        script_name,
        path_info: &path_info,
        query: parts.uri.query().unwrap_or(""),
        version: parts.version,
        server_name: &server_name,
        server_port: server.local.port(),
        remote,
        content_length,
    };
    let env = cgi::environment(&meta, &parts.headers, &route.env);
    let argv: Vec<String> =
        std::iter::once(route.module.to_string_lossy().into_owned()).chain(route.args.iter().cloned()).collect();

    let Some(permit) = server.scheduler.acquire(index).await else {
        return Err((StatusCode::SERVICE_UNAVAILABLE, "queue full".into()));
    };
    let deadline = Instant::now() + route.timeout;
    let mut exec = match &server.runners[index] {
        Runner::Process(template) => start_process(template, &argv, &env, body, id, server.config.max_procs)
            .await
            .map(|exec| Exec { permit: Some(permit), ..exec }),
        Runner::Instance(module) => {
            let pool = server.pool.as_ref().expect("instance mode has a pool");
            start_instance(pool, module.clone(), argv, env, body, id, deadline, permit)
        }
    }
    .map_err(|e| (StatusCode::BAD_GATEWAY, format!("cannot start the program: {e:#}")))?;

    // The header section.
    let tokio_deadline = tokio::time::Instant::from_std(deadline);
    let mut out = Vec::new();
    let head = loop {
        match tokio::time::timeout_at(tokio_deadline, exec.stdout.recv()).await {
            Err(_) => return Err((StatusCode::GATEWAY_TIMEOUT, "deadline passed before the response head".into())),
            Ok(Some(chunk)) => {
                out.extend_from_slice(&chunk);
                match cgi::parse_head(&out) {
                    Ok(Some(head)) => break head,
                    Ok(None) => {}
                    Err(e) => return Err((StatusCode::BAD_GATEWAY, e.to_string())),
                }
            }
            Ok(None) if exec.over_limit() => {
                return Err((StatusCode::BAD_GATEWAY, "killed: more processes than --max-procs".into()));
            }
            Ok(None) => {
                // The output ended without a complete head: was it the deadline, a crash?
                let outcome = tokio::time::timeout(Duration::from_secs(1), &mut exec.outcome).await;
                return Err(match outcome {
                    Ok(Ok(Outcome::TimedOut)) => (StatusCode::GATEWAY_TIMEOUT, "deadline passed".into()),
                    Ok(Ok(o)) => (StatusCode::BAD_GATEWAY, format!("no complete CGI header section ({o:?})")),
                    _ => (StatusCode::BAD_GATEWAY, "no complete CGI header section".into()),
                });
            }
        }
    };
    let mut builder = Response::builder().status(head.status);
    for (name, value) in &head.headers {
        // Framing is the server's business.
        if name == header::TRANSFER_ENCODING || name == header::CONNECTION {
            continue;
        }
        builder = builder.header(name, value);
    }
    access.status = head.status;
    let first = Bytes::copy_from_slice(&out[head.body_start..]);
    let body = CgiBody {
        first: (!first.is_empty()).then_some(first),
        stdout: exec.stdout,
        outcome: Some(exec.outcome),
        deadline: Box::pin(tokio::time::sleep_until(tokio_deadline)),
        over_limit: exec.over_limit,
        _kill: exec.kill,
        _permit: exec.permit,
        access: Access { id, method: access.method.clone(), path: access.path.clone(), ..*access },
        done: false,
        ended: None,
    };
    builder.body(body.boxed()).map_err(|e| (StatusCode::BAD_GATEWAY, format!("bad CGI header: {e}")))
}

/// A started program: its output, its end, and what kills it when the request is over.
struct Exec {
    stdout: mpsc::Receiver<Bytes>,
    outcome: oneshot::Receiver<Outcome>,
    kill: KillGroup,
    /// Process isolation: the slot is the request's. Instance isolation: the worker holds it too.
    permit: Option<Permit>,
    /// Set when the request had more processes than `--max-procs` and was killed.
    over_limit: Option<Arc<std::sync::atomic::AtomicBool>>,
}

impl Exec {
    fn over_limit(&self) -> bool {
        self.over_limit.as_ref().is_some_and(|f| f.load(Ordering::SeqCst))
    }
}

/// Kills a child's process group when dropped (the request is over, the client went away, the
/// deadline passed): nothing a request started outlives it.
struct KillGroup(Option<i32>);

impl Drop for KillGroup {
    fn drop(&mut self) {
        if let Some(pid) = self.0 {
            process::unwatch(pid);
            process::kill_group(pid);
        }
    }
}

async fn start_process(
    template: &Template,
    argv: &[String],
    env: &[String],
    body: Bytes,
    id: u64,
    max_procs: usize,
) -> Result<Exec> {
    let child = template.spawn(argv, env).await?;
    let kill = KillGroup(Some(child.pid));
    let over_limit = (max_procs > 0).then(|| process::watch(child.pid, max_procs));
    tracing::debug!(request = id, pid = child.pid, "started");
    let mut stdin = tokio::net::unix::pipe::Sender::from_owned_fd(child.stdin)?;
    let mut stdout = tokio::net::unix::pipe::Receiver::from_owned_fd(child.stdout)?;
    let stderr = tokio::net::unix::pipe::Receiver::from_owned_fd(child.stderr)?;
    tokio::spawn(async move {
        // A program that does not read its body gets EPIPE, which is fine.
        let _ = stdin.write_all(&body).await;
    });
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        let mut buf = vec![0u8; 16 << 10];
        loop {
            match stdout.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx.send(Bytes::copy_from_slice(&buf[..n])).await.is_err() {
                        break;
                    }
                }
            }
        }
    });
    tokio::spawn(async move {
        let mut lines = tokio::io::BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            tracing::info!(target: "cwali::serve::stderr", request = id, "{line}");
        }
    });
    Ok(Exec { stdout: rx, outcome: child.outcome, kill, permit: None, over_limit })
}

#[allow(clippy::too_many_arguments)]
fn start_instance(
    pool: &instance::Pool,
    module: Arc<cwali_wali_abi::sandbox::SandboxModule>,
    argv: Vec<String>,
    env: Vec<String>,
    body: Bytes,
    id: u64,
    deadline: Instant,
    permit: Permit,
) -> Result<Exec> {
    let (tx, rx) = mpsc::channel(16);
    let (otx, orx) = oneshot::channel();
    pool.submit(instance::Job {
        module,
        argv,
        env,
        stdin: body,
        stdout: tx,
        request_id: id,
        deadline,
        outcome: otx,
        hold: Box::new(permit),
    })?;
    Ok(Exec { stdout: rx, outcome: orx, kill: KillGroup(None), permit: None, over_limit: None })
}

/// The response body: what the program writes after its header section, as it writes it.
struct CgiBody {
    first: Option<Bytes>,
    stdout: mpsc::Receiver<Bytes>,
    outcome: Option<oneshot::Receiver<Outcome>>,
    deadline: Pin<Box<tokio::time::Sleep>>,
    over_limit: Option<Arc<std::sync::atomic::AtomicBool>>,
    _kill: KillGroup,
    _permit: Option<Permit>,
    access: Access,
    done: bool,
    /// How the program ended, once known.
    ended: Option<Outcome>,
}

impl Body for CgiBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if let Some(first) = self.first.take() {
            self.access.bytes += first.len() as u64;
            return Poll::Ready(Some(Ok(Frame::data(first))));
        }
        match self.stdout.poll_recv(cx) {
            Poll::Ready(Some(chunk)) => {
                self.access.bytes += chunk.len() as u64;
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            Poll::Ready(None) => {
                self.done = true;
                // Instance isolation: the sandbox stopped itself at the deadline.
                self.ended = self.outcome.take().and_then(|mut o| o.try_recv().ok());
                if self.ended == Some(Outcome::TimedOut) {
                    return Poll::Ready(Some(Err(self.cut("deadline passed while streaming"))));
                }
                if self.over_limit.as_ref().is_some_and(|f| f.load(Ordering::SeqCst)) {
                    return Poll::Ready(Some(Err(self.cut("killed: more processes than --max-procs"))));
                }
                Poll::Ready(None)
            }
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    self.done = true;
                    Poll::Ready(Some(Err(self.cut("deadline passed while streaming"))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl CgiBody {
    /// The program was stopped after the head was sent: the error makes hyper cut the
    /// connection, so the client sees the response is incomplete.
    fn cut(&mut self, why: &str) -> std::io::Error {
        self.access.log(&format!("{why}: connection cut"));
        self.access.status = StatusCode::GATEWAY_TIMEOUT;
        std::io::Error::other(why.to_string())
    }
}

impl Drop for CgiBody {
    fn drop(&mut self) {
        if self.access.status == StatusCode::GATEWAY_TIMEOUT {
            return;
        }
        let ended = self.ended.take().or_else(|| self.outcome.take().and_then(|mut o| o.try_recv().ok()));
        let note = match (self.done, ended) {
            (false, _) if self.access.method == hyper::Method::HEAD => String::new(),
            (false, _) => "client went away".to_string(),
            (true, Some(Outcome::Exited(0)) | None) => String::new(),
            (true, Some(o)) => format!("program ended: {o:?}"),
        };
        self.access.log(&note);
    }
}
