//! The configuration of `cwali serve`: command-line flags and routes, merged over an optional
//! TOML file (`--config`), the flags winning.
//!
//! ```toml
//! listen = "127.0.0.1:8080"
//! isolation = "process"        # or "instance"
//! timeout = "5s"
//! max_memory = "64MiB"
//! max_procs = 64              # processes per request (process isolation)
//! max_concurrency = 8
//!
//! [[route]]
//! path = "/hello"
//! module = "hello.wasm"        # relative to the file's directory
//! env = ["GREETING=hi"]
//! args = ["--verbose"]         # after argv[0] (the module path): e.g. an interpreter's script
//! timeout = "1s"
//! ```

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// How requests are isolated from each other and from the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Isolation {
    /// One forked process per request from a per-route template: full WALI semantics
    Process,
    /// One fresh in-process sandbox instance per request, on a pool of worker threads
    Instance,
}

/// One route: requests whose path starts with `prefix` run `module`.
#[derive(Debug, Clone)]
pub struct Route {
    /// The path prefix (`SCRIPT_NAME`), `/` or without a trailing `/`.
    pub prefix: String,
    /// The WALI program.
    pub module: PathBuf,
    /// Extra environment entries (`NAME=value`).
    pub env: Vec<String>,
    /// Program arguments after `argv[0]` (the module path).
    pub args: Vec<String>,
    /// This route's deadline.
    pub timeout: Duration,
}

/// Everything the server needs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Where to listen (port 0: any free port).
    pub listen: SocketAddr,
    /// Process or instance isolation.
    pub isolation: Isolation,
    /// Worker threads (instance mode).
    pub workers: usize,
    /// Default per-request deadline.
    pub timeout: Duration,
    /// Largest guest memory.
    pub max_memory: Option<u64>,
    /// Process isolation: most processes a request may have at once (0: no cap).
    pub max_procs: usize,
    /// Requests running at once.
    pub max_concurrency: usize,
    /// Requests waiting beyond that; more get 503.
    pub queue: usize,
    /// Largest request body (413 beyond).
    pub max_body: usize,
    /// How long a client may take to send its request head.
    pub header_timeout: Duration,
    /// Routes, longest prefix first.
    pub routes: Vec<Route>,
}

/// The flags of `cwali serve` that a config file can also give (None: not on the command line).
#[derive(Debug, Default)]
pub struct Flags {
    /// `--listen`.
    pub listen: Option<SocketAddr>,
    /// `--workers`.
    pub workers: Option<usize>,
    /// `--isolation`.
    pub isolation: Option<Isolation>,
    /// `--timeout`.
    pub timeout: Option<Duration>,
    /// `--max-memory`.
    pub max_memory: Option<u64>,
    /// `--max-procs`.
    pub max_procs: Option<usize>,
    /// `--max-concurrency`.
    pub max_concurrency: Option<usize>,
    /// `--queue`.
    pub queue: Option<usize>,
    /// `--config`.
    pub config: Option<PathBuf>,
    /// `PATH=MODULE` or `MODULE` arguments.
    pub routes: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct File {
    listen: Option<String>,
    isolation: Option<Isolation>,
    workers: Option<usize>,
    timeout: Option<String>,
    max_memory: Option<String>,
    max_procs: Option<usize>,
    max_concurrency: Option<usize>,
    queue: Option<usize>,
    #[serde(default)]
    route: Vec<FileRoute>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRoute {
    path: String,
    module: PathBuf,
    #[serde(default)]
    env: Vec<String>,
    #[serde(default)]
    args: Vec<String>,
    timeout: Option<String>,
}

impl ServeConfig {
    /// The configuration from the flags and the file they name.
    pub fn from_flags(flags: Flags) -> Result<ServeConfig> {
        let (file, base) = match &flags.config {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).with_context(|| format!("cannot read `{}`", path.display()))?;
                let file: File = toml::from_str(&text).with_context(|| format!("invalid `{}`", path.display()))?;
                (file, path.parent().map(Path::to_path_buf).unwrap_or_default())
            }
            None => (File::default(), PathBuf::new()),
        };
        let listen = match (flags.listen, &file.listen) {
            (Some(a), _) => a,
            (None, Some(a)) => a.parse().with_context(|| format!("invalid listen address `{a}`"))?,
            (None, None) => "127.0.0.1:8080".parse().expect("valid"),
        };
        let isolation = flags.isolation.or(file.isolation).unwrap_or(Isolation::Process);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let workers = flags.workers.or(file.workers).unwrap_or(cores).max(1);
        let timeout = match (flags.timeout, &file.timeout) {
            (Some(t), _) => t,
            (None, Some(t)) => parse_duration(t)?,
            (None, None) => Duration::from_secs(5),
        };
        let max_memory = match (flags.max_memory, &file.max_memory) {
            (Some(m), _) => Some(m),
            (None, Some(m)) => Some(parse_size(m)?),
            (None, None) => None,
        };
        let default_concurrency = match isolation {
            Isolation::Instance => workers,
            Isolation::Process => 2 * cores,
        };
        let max_procs = flags.max_procs.or(file.max_procs).unwrap_or(64);
        let max_concurrency = flags.max_concurrency.or(file.max_concurrency).unwrap_or(default_concurrency).max(1);
        let queue = flags.queue.or(file.queue).unwrap_or(64);
        let mut routes = Vec::new();
        for r in file.route {
            let timeout = r.timeout.as_deref().map(parse_duration).transpose()?.unwrap_or(timeout);
            let prefix = normalize_prefix(&r.path)?;
            routes.push(Route { prefix, module: base.join(r.module), env: r.env, args: r.args, timeout });
        }
        for arg in &flags.routes {
            let (prefix, module) = match arg.split_once('=') {
                Some((p, m)) => (normalize_prefix(p)?, m),
                None => ("/".to_string(), arg.as_str()),
            };
            routes.push(Route { prefix, module: PathBuf::from(module), env: Vec::new(), args: Vec::new(), timeout });
        }
        if routes.is_empty() {
            bail!("no routes: give `PATH=MODULE.wasm` arguments, a `MODULE.wasm` for `/`, or `--config`");
        }
        for (i, r) in routes.iter().enumerate() {
            if routes[..i].iter().any(|o| o.prefix == r.prefix) {
                bail!("two routes for `{}`", r.prefix);
            }
            for e in &r.env {
                if e.split_once('=').is_none_or(|(n, _)| n.is_empty()) {
                    bail!("route `{}`: env entry `{e}` is not NAME=VALUE", r.prefix);
                }
            }
        }
        routes.sort_by_key(|r| std::cmp::Reverse(r.prefix.len()));
        Ok(ServeConfig {
            listen,
            isolation,
            workers,
            timeout,
            max_memory,
            max_procs,
            max_concurrency,
            queue,
            max_body: 16 << 20,
            header_timeout: Duration::from_secs(10),
            routes,
        })
    }

    /// The route of a request path: the longest prefix that matches at a segment boundary.
    pub fn route(&self, path: &str) -> Option<usize> {
        self.routes.iter().position(|r| prefix_matches(&r.prefix, path))
    }
}

/// `prefix` matches `path` as a whole segment (`/app` matches `/app` and `/app/x`, not `/apple`).
pub fn prefix_matches(prefix: &str, path: &str) -> bool {
    prefix == "/" || path.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// A route prefix: starts with `/`, no trailing `/` (except `/` itself).
fn normalize_prefix(p: &str) -> Result<String> {
    if !p.starts_with('/') {
        bail!("route path `{p}` must start with `/`");
    }
    let trimmed = p.trim_end_matches('/');
    Ok(if trimmed.is_empty() { "/".to_string() } else { trimmed.to_string() })
}

/// `5s`, `500ms`, `2m`, or a number of seconds.
pub fn parse_duration(s: &str) -> Result<Duration> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(s.len()));
    let n: f64 = num.parse().with_context(|| format!("invalid duration `{s}`"))?;
    let secs = match unit.trim() {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" | "min" => n * 60.0,
        _ => bail!("invalid duration `{s}` (use e.g. 5s, 500ms, 1m)"),
    };
    if !(secs > 0.0 && secs < 1e9) {
        bail!("invalid duration `{s}`: must be positive");
    }
    Ok(Duration::from_secs_f64(secs))
}

/// `64MiB`, `64M`, `1GiB`, `4096`, `512k`: a number of bytes.
pub fn parse_size(s: &str) -> Result<u64> {
    let t = s.trim();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = num.parse().with_context(|| format!("invalid size `{s}`"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => bail!("invalid size `{s}` (use e.g. 64MiB)"),
    };
    n.checked_mul(mult).with_context(|| format!("size `{s}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_sizes() {
        assert_eq!(parse_duration("5s").unwrap(), Duration::from_secs(5));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("2").unwrap(), Duration::from_secs(2));
        assert!(parse_duration("5x").is_err());
        assert_eq!(parse_size("64MiB").unwrap(), 64 << 20);
        assert_eq!(parse_size("1g").unwrap(), 1 << 30);
        assert!(parse_size("lots").is_err());
    }

    #[test]
    fn the_longest_prefix_at_a_segment_boundary_wins() {
        let flags = Flags {
            routes: vec!["a.wasm".into(), "/app=b.wasm".into(), "/app/v2/=c.wasm".into()],
            ..Default::default()
        };
        let config = ServeConfig::from_flags(flags).unwrap();
        let module = |p: &str| config.routes[config.route(p).unwrap()].module.to_str().unwrap().to_string();
        assert_eq!(module("/"), "a.wasm");
        assert_eq!(module("/apple"), "a.wasm");
        assert_eq!(module("/app"), "b.wasm");
        assert_eq!(module("/app/x"), "b.wasm");
        assert_eq!(module("/app/v2/x"), "c.wasm");
    }

    #[test]
    fn the_file_gives_routes_and_defaults_that_flags_override() {
        let dir = std::env::temp_dir().join(format!("cwali-serve-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("serve.toml");
        std::fs::write(
            &path,
            "listen = \"127.0.0.1:9000\"\ntimeout = \"2s\"\nmax_memory = \"32MiB\"\n\
             [[route]]\npath = \"/x\"\nmodule = \"x.wasm\"\nenv = [\"A=1\"]\ntimeout = \"1s\"\n",
        )
        .unwrap();
        let flags = Flags { config: Some(path.clone()), timeout: Some(Duration::from_secs(3)), ..Default::default() };
        let config = ServeConfig::from_flags(flags).unwrap();
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.timeout, Duration::from_secs(3));
        assert_eq!(config.max_memory, Some(32 << 20));
        assert_eq!(config.routes[0].module, dir.join("x.wasm"));
        assert_eq!(config.routes[0].env, ["A=1"]);
        assert_eq!(config.routes[0].timeout, Duration::from_secs(1));
        std::fs::write(&path, "bogus = 1\n").unwrap();
        assert!(ServeConfig::from_flags(Flags { config: Some(path), ..Default::default() }).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
