//! Opt-in confinement of a WALI program, enforced by the kernel so that it also holds for the
//! program's children and for everything they execute (`cwali run --dir/--dir-ro/--net/
//! --no-exec-native/--rlimit`; the exact rules are in `docs/confinement.md`).
//!
//! Two steps, because namespaces and Landlock have different needs:
//!
//! 1. [`Confinement::enter_namespaces`] runs first, while cwali is still single-threaded (an
//!    unprivileged user namespace can only be entered by a single-threaded process): a network
//!    namespace for `--net none|loopback` (its own `lo`, down or up), and a mount namespace with
//!    bind mounts for `--dir HOST::GUEST`. A user namespace is added when cwali is not root.
//! 2. [`Confinement::apply`] runs right before the guest starts, after compilation (so the code
//!    cache is used by the first process and is never reachable by the guest): resource limits,
//!    `no_new_privs`, one Landlock layer (file system, execute) and a small seccomp filter.
//!
//! Landlock confines the calling thread and every thread and process created after it: the Wasm
//! main thread is the one that calls `apply`, and all guest threads and children descend from it.
//!
//! A `.wasm` that the guest execs re-enters cwali (see `process::execve`). That cwali inherits the
//! kernel's confinement as is; what it must know on top (where to hand environment files over,
//! that native execs are refused, that the code cache is out of reach) travels in the
//! [`INHERITED_VAR`] environment variable, which only adds restrictions.

use std::ffi::CString;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// `--dir HOST[::GUEST]` / `--dir-ro HOST[::GUEST]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirRule {
    /// The tree on the host.
    pub host: PathBuf,
    /// Where the guest sees it (bind mount in a private mount namespace); `None`: at `host`.
    pub guest: Option<PathBuf>,
    pub writable: bool,
}

impl DirRule {
    /// Parse `HOST[::GUEST]`; both paths must be absolute when a GUEST is given.
    pub fn parse(spec: &str, writable: bool) -> Result<DirRule, String> {
        let (host, guest) = match spec.split_once("::") {
            Some((h, g)) => (h, Some(g)),
            None => (spec, None),
        };
        if host.is_empty() || guest.is_some_and(str::is_empty) {
            return Err(format!("`{spec}`: expected HOST or HOST::GUEST"));
        }
        if let Some(g) = guest
            && !g.starts_with('/')
        {
            return Err(format!("`{spec}`: the guest path `{g}` must be absolute"));
        }
        Ok(DirRule { host: PathBuf::from(host), guest: guest.map(PathBuf::from), writable })
    }

    /// The flag, for messages.
    fn flag(&self) -> &'static str {
        if self.writable { "--dir" } else { "--dir-ro" }
    }

    /// The path the guest uses.
    fn seen_at(&self) -> &Path {
        self.guest.as_deref().unwrap_or(&self.host)
    }
}

/// `--net`: what the program's sockets can reach.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Net {
    /// The host's network (no change).
    #[default]
    All,
    /// A private network namespace whose `lo` is up: the program's own processes reach each
    /// other over 127.0.0.1/::1, nothing else (not the host's loopback services either).
    Loopback,
    /// A private network namespace whose `lo` is down: no IP networking at all.
    None,
}

impl std::str::FromStr for Net {
    type Err = String;
    fn from_str(s: &str) -> Result<Net, String> {
        match s {
            "all" => Ok(Net::All),
            "loopback" => Ok(Net::Loopback),
            "none" => Ok(Net::None),
            _ => Err(format!("`{s}`: expected none, loopback or all")),
        }
    }
}

/// `--rlimit NAME=SOFT[:HARD]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rlimit {
    pub resource: i32,
    pub soft: u64,
    /// `None`: keep the current hard limit.
    pub hard: Option<u64>,
}

/// The resource names `--rlimit` takes (as in `prlimit(1)`), with their `RLIMIT_*` number.
pub const RLIMIT_NAMES: &[(&str, i32)] = &[
    ("as", libc::RLIMIT_AS as i32),
    ("core", libc::RLIMIT_CORE as i32),
    ("cpu", libc::RLIMIT_CPU as i32),
    ("data", libc::RLIMIT_DATA as i32),
    ("fsize", libc::RLIMIT_FSIZE as i32),
    ("locks", libc::RLIMIT_LOCKS as i32),
    ("memlock", libc::RLIMIT_MEMLOCK as i32),
    ("msgqueue", libc::RLIMIT_MSGQUEUE as i32),
    ("nice", libc::RLIMIT_NICE as i32),
    ("nofile", libc::RLIMIT_NOFILE as i32),
    ("nproc", libc::RLIMIT_NPROC as i32),
    ("rss", libc::RLIMIT_RSS as i32),
    ("rtprio", libc::RLIMIT_RTPRIO as i32),
    ("rttime", libc::RLIMIT_RTTIME as i32),
    ("sigpending", libc::RLIMIT_SIGPENDING as i32),
    ("stack", libc::RLIMIT_STACK as i32),
];

impl Rlimit {
    /// Parse `NAME=SOFT[:HARD]`: NAME as in [`RLIMIT_NAMES`] (any case, `RLIMIT_` prefix
    /// allowed), values in decimal with an optional `k`/`m`/`g` (binary) suffix, or `unlimited`.
    pub fn parse(spec: &str) -> Result<Rlimit, String> {
        let (name, values) = spec.split_once('=').ok_or_else(|| format!("`{spec}`: expected NAME=SOFT[:HARD]"))?;
        let lower = name.to_ascii_lowercase();
        let key = lower.strip_prefix("rlimit_").unwrap_or(&lower);
        let resource = RLIMIT_NAMES.iter().find(|(n, _)| *n == key).map(|(_, r)| *r).ok_or_else(|| {
            let names: Vec<&str> = RLIMIT_NAMES.iter().map(|(n, _)| *n).collect();
            format!("`{name}`: unknown resource (one of {})", names.join(", "))
        })?;
        let (soft, hard) = match values.split_once(':') {
            Some((s, h)) => (rlimit_value(s)?, Some(rlimit_value(h)?)),
            None => (rlimit_value(values)?, None),
        };
        if let Some(h) = hard
            && soft > h
        {
            return Err(format!("`{spec}`: the soft limit is above the hard limit"));
        }
        Ok(Rlimit { resource, soft, hard })
    }

    fn name(&self) -> &'static str {
        RLIMIT_NAMES.iter().find(|(_, r)| *r == self.resource).map_or("?", |(n, _)| n)
    }
}

fn rlimit_value(s: &str) -> Result<u64, String> {
    if matches!(s, "unlimited" | "infinity") {
        return Ok(libc::RLIM_INFINITY);
    }
    let (digits, shift) = match s.as_bytes().last() {
        Some(b'k' | b'K') => (&s[..s.len() - 1], 10),
        Some(b'm' | b'M') => (&s[..s.len() - 1], 20),
        Some(b'g' | b'G') => (&s[..s.len() - 1], 30),
        _ => (s, 0),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|v| v.checked_mul(1 << shift))
        .filter(|&v| v != libc::RLIM_INFINITY)
        .ok_or_else(|| format!("`{s}`: expected a number (optionally with k, m or g) or `unlimited`"))
}

/// Everything `cwali run` was asked to confine. The default confines nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Confinement {
    /// `--dir` / `--dir-ro`: when not empty, only these trees (and what the runtime itself
    /// needs) are reachable through the file system.
    pub dirs: Vec<DirRule>,
    pub net: Net,
    /// `--no-exec-native`: execve only of `.wasm` files.
    pub no_exec_native: bool,
    pub rlimits: Vec<Rlimit>,
}

/// The environment variable that carries what an exec'd cwali must know: `CWALI_CONFINED=
/// FLAGS:HANDOFF`, FLAGS holding `f` (file system confined: no code cache) and `x` (no native
/// exec), HANDOFF the directory for environment files (may be empty).
pub const INHERITED_VAR: &str = "CWALI_CONFINED";

/// What the running process knows about its confinement (set by [`Confinement::apply`] or
/// inherited through [`INHERITED_VAR`]).
#[derive(Debug, Clone, Default)]
pub struct State {
    /// The file system is confined (the code cache is out of reach).
    pub fs: bool,
    /// Native execve is refused.
    pub no_exec_native: bool,
    /// The directory where environment files are handed to an exec'd cwali and the guest.
    pub handoff: Option<PathBuf>,
    /// The process that created `handoff` and removes it at exit (not its forked children).
    owner: Option<u32>,
}

impl State {
    /// The value of [`INHERITED_VAR`] for an exec'd cwali.
    pub fn to_var(&self) -> CString {
        let mut v = format!("{INHERITED_VAR}=").into_bytes();
        if self.fs {
            v.push(b'f');
        }
        if self.no_exec_native {
            v.push(b'x');
        }
        v.push(b':');
        if let Some(h) = &self.handoff {
            v.extend_from_slice(h.as_os_str().as_bytes());
        }
        CString::new(v).unwrap_or_default()
    }

    fn from_var(v: &std::ffi::OsStr) -> State {
        let bytes = v.as_bytes();
        let (flags, path) = match bytes.iter().position(|&b| b == b':') {
            Some(i) => (&bytes[..i], &bytes[i + 1..]),
            None => (bytes, &[][..]),
        };
        let handoff = (!path.is_empty()).then(|| PathBuf::from(std::ffi::OsStr::from_bytes(path)));
        State { fs: flags.contains(&b'f'), no_exec_native: flags.contains(&b'x'), handoff, owner: None }
    }

    /// Whether the process is confined at all.
    pub fn any(&self) -> bool {
        self.fs || self.no_exec_native || self.handoff.is_some()
    }
}

/// Set by [`Confinement::apply`] when a flag was given.
static STATE: OnceLock<State> = OnceLock::new();
/// What an exec'ing cwali passed on in [`INHERITED_VAR`].
static INHERITED: OnceLock<State> = OnceLock::new();

/// This process's confinement: what `apply` set, else what an exec'ing cwali passed on.
pub fn state() -> &'static State {
    STATE.get().unwrap_or_else(|| {
        INHERITED.get_or_init(|| std::env::var_os(INHERITED_VAR).map(|v| State::from_var(&v)).unwrap_or_default())
    })
}

pub use super::process::{is_private_file, write_private_file};

/// Where the environment file for process `pid` goes when the file system is confined.
pub fn handoff_env_file(pid: u32) -> Option<PathBuf> {
    state().handoff.as_ref().map(|d| d.join(format!("env.{pid}")))
}

/// Remove the handoff directory this process created (at exit; a file a still-running child
/// left keeps it, and the child's own exit does not remove it).
pub fn cleanup() {
    if let Some(s) = STATE.get()
        && s.owner == Some(std::process::id())
        && let Some(dir) = &s.handoff
    {
        let _ = std::fs::remove_dir(dir);
    }
}

/// `<private>/confine` (see [`super::process::private_dir`]), created if needed.
fn handoff_parent() -> io::Result<PathBuf> {
    let confine = super::process::private_dir()?.join("confine");
    super::process::ensure_private_dir(&confine)?;
    Ok(confine)
}

fn errno() -> io::Error {
    io::Error::last_os_error()
}

fn cstring(p: &Path) -> io::Result<CString> {
    CString::new(p.as_os_str().as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

fn ctx<T>(r: io::Result<T>, what: impl FnOnce() -> String) -> Result<T, String> {
    r.map_err(|e| format!("{}: {e}", what()))
}

impl Confinement {
    /// Whether any flag was given.
    pub fn is_active(&self) -> bool {
        *self != Confinement::default()
    }

    fn fs_confined(&self) -> bool {
        !self.dirs.is_empty()
    }

    fn mappings(&self) -> impl Iterator<Item = &DirRule> {
        self.dirs.iter().filter(|d| d.guest.is_some())
    }

    /// Step 1 (call while the process is single-threaded, before compiling): private network
    /// and mount namespaces, `lo` up for `--net loopback`, bind mounts for `HOST::GUEST`.
    pub fn enter_namespaces(&self) -> Result<(), String> {
        for d in &self.dirs {
            ctx(std::fs::metadata(&d.host), || format!("{} {}", d.flag(), d.host.display()))?;
        }
        let mut flags = 0;
        if self.net != Net::All {
            flags |= libc::CLONE_NEWNET;
        }
        if self.mappings().next().is_some() {
            flags |= libc::CLONE_NEWNS;
        }
        if flags == 0 {
            return Ok(());
        }
        // SAFETY: plain syscall.
        let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
        // root enters the namespaces directly; anyone else (or root without the capability,
        // in a container) through a user namespace of their own that maps only their ids.
        // SAFETY: plain syscall; affects only this process's namespaces.
        let direct = uid == 0 && unsafe { libc::unshare(flags) } == 0;
        let in_userns = !direct;
        if in_userns {
            // SAFETY: as above.
            if unsafe { libc::unshare(flags | libc::CLONE_NEWUSER) } != 0 {
                let e = errno();
                return Err(format!(
                    "{} needs a private namespace, which this system refuses ({e}); \
                     unprivileged user namespaces may be disabled",
                    if self.net != Net::All { "--net none/loopback" } else { "--dir HOST::GUEST" }
                ));
            }
            ctx(std::fs::write("/proc/self/setgroups", "deny"), || "user namespace: setgroups".into())?;
            ctx(std::fs::write("/proc/self/uid_map", format!("{uid} {uid} 1")), || "user namespace: uid_map".into())?;
            ctx(std::fs::write("/proc/self/gid_map", format!("{gid} {gid} 1")), || "user namespace: gid_map".into())?;
        }
        if flags & libc::CLONE_NEWNS != 0 {
            self.bind_mounts()?;
        }
        if self.net == Net::Loopback {
            ctx(loopback_up(), || "--net loopback: bringing up lo".into())?;
        }
        if in_userns {
            // The capabilities the new user namespace gave us are for the set-up above only.
            drop_capabilities()?;
        }
        Ok(())
    }

    fn bind_mounts(&self) -> Result<(), String> {
        // Nothing mounted here may propagate back to the host's mount namespace.
        // SAFETY: plain syscall with valid C strings.
        let r = unsafe {
            libc::mount(
                c"none".as_ptr(),
                c"/".as_ptr(),
                std::ptr::null(),
                libc::MS_REC | libc::MS_SLAVE,
                std::ptr::null(),
            )
        };
        if r != 0 {
            return Err(format!("--dir HOST::GUEST: private mount namespace: {}", errno()));
        }
        for d in self.mappings() {
            let guest = d.guest.as_deref().unwrap_or(&d.host);
            let what = || format!("{} {}::{}", d.flag(), d.host.display(), guest.display());
            let (h, g) = (std::fs::metadata(&d.host), std::fs::metadata(guest));
            match (&h, &g) {
                (Ok(h), Ok(g)) if h.is_dir() == g.is_dir() => {}
                (Ok(_), Ok(_)) => return Err(format!("{}: one is a directory, the other is not", what())),
                (_, Err(e)) => return Err(format!("{}: the guest path must exist: {e}", what())),
                (Err(e), _) => return Err(format!("{}: {e}", what())),
            }
            let (hc, gc) = (ctx(cstring(&d.host), what)?, ctx(cstring(guest), what)?);
            // SAFETY: plain syscall with valid C strings.
            let r = unsafe {
                libc::mount(hc.as_ptr(), gc.as_ptr(), std::ptr::null(), libc::MS_BIND | libc::MS_REC, std::ptr::null())
            };
            if r != 0 {
                return Err(format!("{}: bind mount: {}", what(), errno()));
            }
            if !d.writable {
                let flags = libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY;
                // SAFETY: as above.
                let r =
                    unsafe { libc::mount(std::ptr::null(), gc.as_ptr(), std::ptr::null(), flags, std::ptr::null()) };
                if r != 0 {
                    return Err(format!("{}: read-only remount: {}", what(), errno()));
                }
            }
        }
        Ok(())
    }

    /// Step 2 (call on the thread that runs the guest, right before it starts): resource limits,
    /// `no_new_privs`, Landlock and seccomp. `handoff` is the directory from
    /// [`Confinement::create_handoff`], which stays reachable.
    pub fn apply(&self, handoff: Option<&Path>) -> Result<(), String> {
        let landlock = self.fs_confined() || self.no_exec_native || self.net != Net::All;
        if landlock {
            // Required for unprivileged Landlock and seccomp; set-id programs exec'd by the
            // guest no longer gain privileges (they would escape nothing, but behave alike).
            // SAFETY: plain prctl.
            if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
                return Err(format!("no_new_privs: {}", errno()));
            }
        }
        if landlock {
            self.landlock(handoff)?;
        }
        if self.net != Net::All {
            deny_setns()?;
        }
        // Last: a small `nofile` must not keep the steps above from opening what they need.
        for l in &self.rlimits {
            set_rlimit(l).map_err(|e| format!("--rlimit {}: {e}", l.name()))?;
        }
        if !self.is_active() {
            return Ok(());
        }
        let _ = STATE.set(State {
            fs: self.fs_confined(),
            no_exec_native: self.no_exec_native,
            handoff: handoff.map(Path::to_path_buf),
            owner: handoff.map(|_| std::process::id()),
        });
        Ok(())
    }

    /// With the file system confined: a new directory for this run, where the runtime hands
    /// environment files to the guest and to exec'd cwali processes:
    /// `<private>/confine/<pid>.<random>`, `<private>` being `$XDG_RUNTIME_DIR/cwali` or
    /// `<tmp>/cwali-<uid>`, every level 0700 and ours. One directory per run, so that programs
    /// confined differently cannot reach each other's files.
    pub fn create_handoff(&self) -> Result<Option<PathBuf>, String> {
        if !self.fs_confined() {
            return Ok(None);
        }
        let parent = handoff_parent().map_err(|e| format!("--dir: private directory: {e}"))?;
        let mut seed = std::process::id() as u64
            ^ std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        for _ in 0..16 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let dir = parent.join(format!("{}.{:08x}", std::process::id(), seed >> 32));
            // Created exclusively: an existing directory is never used.
            use std::os::unix::fs::DirBuilderExt;
            match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
                Ok(()) => return Ok(Some(dir)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(format!("--dir: private directory {}: {e}", dir.display())),
            }
        }
        Err(format!("--dir: no private directory could be created in {}", parent.display()))
    }

    fn landlock(&self, handoff: Option<&Path>) -> Result<(), String> {
        use landlock as ll;
        let abi = ll::abi().map_err(|e| format!("Landlock, which confinement needs, is not available: {e}"))?;
        let mut handled_fs = 0;
        if self.fs_confined() {
            handled_fs = ll::fs_rights(abi);
        } else if self.no_exec_native {
            handled_fs = ll::EXECUTE;
        }
        // Any Landlock domain also keeps the guest from ptrace-ing (or opening /proc/<pid>/mem,
        // /ns/... of) processes outside it. Abstract unix sockets are per network namespace,
        // and scoped to the domain too where the kernel can.
        let scoped = if self.net != Net::All && abi >= 6 { ll::SCOPE_ABSTRACT_UNIX_SOCKET } else { 0 };
        // (path, rights, the flag that asked for it: None for the runtime's own, skipped if absent)
        let mut rules: Vec<(PathBuf, u64, Option<&str>)> = Vec::new();
        let exec = if self.no_exec_native { 0 } else { ll::EXECUTE };
        for d in &self.dirs {
            let rights =
                if d.writable { handled_fs & !ll::EXECUTE | exec } else { ll::READ_FILE | ll::READ_DIR | exec };
            rules.push((d.seen_at().to_path_buf(), rights, Some(d.flag())));
        }
        // What the runtime needs once confined: its own executable and ELF interpreter (to
        // re-exec itself for a `.wasm` execve), the libraries it maps, /proc (its own files:
        // maps, fd, exe), a few devices, and the handoff directory.
        let (exe, interp, libs) = runtime_files();
        for f in exe.iter().chain(interp.iter()) {
            rules.push((f.clone(), ll::READ_FILE | ll::EXECUTE, None));
        }
        for f in libs {
            rules.push((f, ll::READ_FILE, None));
        }
        rules.push(("/etc/ld.so.cache".into(), ll::READ_FILE, None));
        rules.push(("/proc".into(), ll::READ_FILE | ll::READ_DIR, None));
        let dev_rw = ll::READ_FILE | ll::WRITE_FILE | ll::TRUNCATE;
        for dev in ["/dev/null", "/dev/zero", "/dev/full"] {
            rules.push((dev.into(), dev_rw, None));
        }
        for dev in ["/dev/random", "/dev/urandom"] {
            rules.push((dev.into(), ll::READ_FILE, None));
        }
        rules.push(("/dev/tty".into(), dev_rw | ll::IOCTL_DEV, None));
        if let Some(h) = handoff {
            rules.push((h.to_path_buf(), handled_fs & !ll::EXECUTE, Some("handoff directory")));
            // ... and removing it at the end (the parent is shared by the user's confined runs,
            // which can remove only empty directories there, and list nothing).
            if let Some(parent) = h.parent() {
                rules.push((parent.to_path_buf(), ll::REMOVE_DIR, Some("handoff directory")));
            }
        }
        if handled_fs == 0 && scoped == 0 {
            // An older kernel without scopes: a layer that restricts nothing still makes a domain.
            handled_fs = ll::EXECUTE;
            rules.push(("/".into(), ll::EXECUTE, Some("Landlock")));
        }
        let ruleset = ll::Ruleset::new(handled_fs, scoped).map_err(|e| format!("Landlock ruleset: {e}"))?;
        for (path, rights, flag) in rules {
            match (ruleset.allow(&path, rights & handled_fs), flag) {
                (Ok(()), _) => {}
                (Err(e), Some(flag)) => return Err(format!("{flag} {}: {e}", path.display())),
                (Err(_), None) => {} // a runtime file this system does not have
            }
        }
        ruleset.restrict_self().map_err(|e| format!("Landlock: {e}"))
    }
}

/// cwali's executable, its ELF interpreter and the other files it has mapped (libraries).
fn runtime_files() -> (Option<PathBuf>, Option<PathBuf>, Vec<PathBuf>) {
    let exe = std::fs::read_link("/proc/self/exe").ok();
    // SAFETY: plain libc call.
    let interp_base = unsafe { libc::getauxval(libc::AT_BASE) } as u64;
    let mut interp = None;
    let mut libs = Vec::new();
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
    for line in maps.lines() {
        let mut f = line.split_whitespace();
        let (Some(range), Some(_perms), Some(_off), Some(_dev), Some(_inode), Some(path)) =
            (f.next(), f.next(), f.next(), f.next(), f.next(), f.next())
        else {
            continue;
        };
        if !path.starts_with('/') {
            continue;
        }
        let start = range.split('-').next().and_then(|s| u64::from_str_radix(s, 16).ok());
        let path = PathBuf::from(path);
        if interp_base != 0 && start == Some(interp_base) {
            interp = Some(path);
        } else if Some(&path) != exe.as_ref() && !libs.contains(&path) {
            libs.push(path);
        }
    }
    (exe, interp, libs)
}

fn set_rlimit(l: &Rlimit) -> io::Result<()> {
    let mut cur = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: plain syscall into a local.
    if unsafe { libc::getrlimit(l.resource as _, &mut cur) } != 0 {
        return Err(errno());
    }
    let new = libc::rlimit { rlim_cur: l.soft, rlim_max: l.hard.unwrap_or(cur.rlim_max) };
    if new.rlim_cur > new.rlim_max {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "the soft limit is above the hard limit"));
    }
    // SAFETY: plain syscall from a local.
    if unsafe { libc::setrlimit(l.resource as _, &new) } != 0 {
        return Err(errno());
    }
    Ok(())
}

/// `ip link set lo up` in the current network namespace.
fn loopback_up() -> io::Result<()> {
    #[repr(C)]
    struct IfreqFlags {
        name: [u8; libc::IFNAMSIZ],
        flags: libc::c_short,
        _pad: [u8; 22],
    }
    // SAFETY: plain syscall.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return Err(errno());
    }
    let mut req = IfreqFlags { name: [0; libc::IFNAMSIZ], flags: 0, _pad: [0; 22] };
    req.name[..2].copy_from_slice(b"lo");
    // SAFETY: `req` is an ifreq-sized buffer the kernel reads and writes.
    let r = unsafe {
        if libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut req) == 0 {
            req.flags |= (libc::IFF_UP | libc::IFF_RUNNING) as libc::c_short;
            libc::ioctl(fd, libc::SIOCSIFFLAGS, &req)
        } else {
            -1
        }
    };
    let err = errno();
    // SAFETY: our own fd.
    unsafe { libc::close(fd) };
    if r != 0 { Err(err) } else { Ok(()) }
}

/// Drop every capability (after setting up namespaces from a user namespace of our own).
fn drop_capabilities() -> Result<(), String> {
    #[repr(C)]
    struct Header {
        version: u32,
        pid: i32,
    }
    #[repr(C)]
    #[derive(Clone, Copy)]
    struct Data {
        effective: u32,
        permitted: u32,
        inheritable: u32,
    }
    const VERSION_3: u32 = 0x2008_0522;
    let header = Header { version: VERSION_3, pid: 0 };
    let data = [Data { effective: 0, permitted: 0, inheritable: 0 }; 2];
    // SAFETY: capset reads a v3 header and two data words from these locals.
    if unsafe { libc::syscall(libc::SYS_capset, &header, data.as_ptr()) } != 0 {
        return Err(format!("dropping capabilities: {}", errno()));
    }
    Ok(())
}

/// A seccomp filter that refuses `setns` with EPERM: with `--net none|loopback` the program
/// must not join another network namespace (root could, through a bind-mounted one).
fn deny_setns() -> Result<(), String> {
    #[repr(C)]
    struct SockFilter {
        code: u16,
        jt: u8,
        jf: u8,
        k: u32,
    }
    #[repr(C)]
    struct SockFprog {
        len: u16,
        filter: *const SockFilter,
    }
    const LD_W_ABS: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS
    const JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    const AND_K: u16 = 0x54; // BPF_ALU | BPF_AND | BPF_K
    const RET_K: u16 = 0x06; // BPF_RET | BPF_K
    const RET_ALLOW: u32 = 0x7fff_0000;
    const RET_ERRNO: u32 = 0x0005_0000;
    // (audit arch, setns number) of the native ABI and its 32-bit compat ABI.
    #[cfg(target_arch = "x86_64")]
    const ABIS: [(u32, u32); 2] = [(0xc000_003e, 308), (0x4000_0003, 346)];
    #[cfg(target_arch = "aarch64")]
    const ABIS: [(u32, u32); 2] = [(0xc000_00b7, 268), (0x4000_0028, 375)];
    let f = |code, jt, jf, k| SockFilter { code, jt, jf, k };
    let deny = RET_ERRNO | libc::EPERM as u32;
    let prog = [
        f(LD_W_ABS, 0, 0, 4), // 0: arch
        f(JEQ_K, 0, 3, ABIS[0].0),
        f(LD_W_ABS, 0, 0, 0), // 2: nr (x32 calls carry bit 30)
        f(AND_K, 0, 0, !0x4000_0000),
        f(JEQ_K, 3, 4, ABIS[0].1),
        f(JEQ_K, 0, 3, ABIS[1].0), // 5: the compat ABI
        f(LD_W_ABS, 0, 0, 0),
        f(JEQ_K, 0, 1, ABIS[1].1),
        f(RET_K, 0, 0, deny),      // 8
        f(RET_K, 0, 0, RET_ALLOW), // 9
    ];
    let fprog = SockFprog { len: prog.len() as u16, filter: prog.as_ptr() };
    // SAFETY: the kernel copies the filter program from these locals.
    let r = unsafe {
        libc::syscall(libc::SYS_seccomp, 1 /* SET_MODE_FILTER */, 0, &fprog)
    };
    if r != 0 {
        return Err(format!("seccomp: {}", errno()));
    }
    Ok(())
}

/// Landlock through its three syscalls.
mod landlock {
    use std::ffi::CString;
    use std::io;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    pub const EXECUTE: u64 = 1 << 0;
    pub const WRITE_FILE: u64 = 1 << 1;
    pub const READ_FILE: u64 = 1 << 2;
    pub const READ_DIR: u64 = 1 << 3;
    pub const REMOVE_DIR: u64 = 1 << 4;
    pub const TRUNCATE: u64 = 1 << 14;
    pub const IOCTL_DEV: u64 = 1 << 15;
    /// The rights a rule on a file (not a directory) may carry.
    const FILE_RIGHTS: u64 = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV;
    pub const SCOPE_ABSTRACT_UNIX_SOCKET: u64 = 1 << 0;

    /// Every file-system right the kernel's ABI version knows.
    pub fn fs_rights(abi: i64) -> u64 {
        match abi {
            ..=1 => (1 << 13) - 1,
            2 => (1 << 14) - 1,     // + REFER
            3 | 4 => (1 << 15) - 1, // + TRUNCATE
            _ => (1 << 16) - 1,     // + IOCTL_DEV
        }
    }

    /// The kernel's Landlock ABI version.
    pub fn abi() -> io::Result<i64> {
        // SAFETY: LANDLOCK_CREATE_RULESET_VERSION takes no attribute.
        let v = unsafe { libc::syscall(libc::SYS_landlock_create_ruleset, std::ptr::null::<u8>(), 0usize, 1u32) };
        if v < 0 { Err(io::Error::last_os_error()) } else { Ok(v) }
    }

    #[repr(C)]
    struct RulesetAttr {
        handled_access_fs: u64,
        handled_access_net: u64,
        scoped: u64,
    }

    #[repr(C, packed)]
    struct PathBeneath {
        allowed_access: u64,
        parent_fd: i32,
    }

    pub struct Ruleset(i32);

    impl Ruleset {
        pub fn new(handled_access_fs: u64, scoped: u64) -> io::Result<Ruleset> {
            let attr = RulesetAttr { handled_access_fs, handled_access_net: 0, scoped };
            // SAFETY: the kernel reads `attr` (its size given).
            let fd = unsafe {
                libc::syscall(libc::SYS_landlock_create_ruleset, &attr, std::mem::size_of::<RulesetAttr>(), 0u32)
            };
            if fd < 0 { Err(io::Error::last_os_error()) } else { Ok(Ruleset(fd as i32)) }
        }

        /// Allow `rights` beneath `path` (or on it, for a file).
        pub fn allow(&self, path: &Path, rights: u64) -> io::Result<()> {
            if rights == 0 {
                return Ok(());
            }
            let c =
                CString::new(path.as_os_str().as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
            // SAFETY: plain syscall with a valid C string.
            let fd = unsafe { libc::open(c.as_ptr(), libc::O_PATH | libc::O_CLOEXEC) };
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: `stat` is plain data, valid when zeroed.
            let mut st: libc::stat = unsafe { std::mem::zeroed() };
            // SAFETY: our fd, a local to write.
            let is_dir = unsafe { libc::fstat(fd, &mut st) } == 0 && st.st_mode & libc::S_IFMT == libc::S_IFDIR;
            let rights = if is_dir { rights } else { rights & FILE_RIGHTS };
            let attr = PathBeneath { allowed_access: rights, parent_fd: fd };
            // SAFETY: the kernel reads `attr`; LANDLOCK_RULE_PATH_BENEATH is 1.
            let r = unsafe { libc::syscall(libc::SYS_landlock_add_rule, self.0, 1u32, &attr, 0u32) };
            let err = io::Error::last_os_error();
            // SAFETY: our own fd.
            unsafe { libc::close(fd) };
            if r != 0 { Err(err) } else { Ok(()) }
        }

        /// Enforce the rules on the calling thread and everything it creates from now on.
        pub fn restrict_self(self) -> io::Result<()> {
            // SAFETY: plain syscall on our ruleset fd.
            let r = unsafe { libc::syscall(libc::SYS_landlock_restrict_self, self.0, 0u32) };
            if r != 0 { Err(io::Error::last_os_error()) } else { Ok(()) }
        }
    }

    impl Drop for Ruleset {
        fn drop(&mut self) {
            // SAFETY: our own fd.
            unsafe { libc::close(self.0) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_specs() {
        let d = DirRule::parse("/srv/app", false).unwrap();
        assert_eq!((d.host.as_path(), d.guest.as_deref(), d.writable), (Path::new("/srv/app"), None, false));
        let d = DirRule::parse("data::/mnt/data", true).unwrap();
        assert_eq!((d.host.as_path(), d.guest.as_deref()), (Path::new("data"), Some(Path::new("/mnt/data"))));
        for bad in ["", "::/x", "/x::", "/x::relative"] {
            assert!(DirRule::parse(bad, true).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rlimit_specs() {
        let nofile = libc::RLIMIT_NOFILE as i32;
        assert_eq!(Rlimit::parse("nofile=64").unwrap(), Rlimit { resource: nofile, soft: 64, hard: None });
        assert_eq!(
            Rlimit::parse("RLIMIT_NOFILE=1k:2k").unwrap(),
            Rlimit { resource: nofile, soft: 1024, hard: Some(2048) }
        );
        let stack = Rlimit::parse("Stack=8m:unlimited").unwrap();
        assert_eq!((stack.soft, stack.hard), (8 << 20, Some(libc::RLIM_INFINITY)));
        for bad in ["nofile", "nofile=", "nofile=x", "nofile=2:1", "files=1", "as=-1", "as=99999999999g"] {
            assert!(Rlimit::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn net_modes() {
        assert_eq!("none".parse::<Net>(), Ok(Net::None));
        assert_eq!("loopback".parse::<Net>(), Ok(Net::Loopback));
        assert_eq!("all".parse::<Net>(), Ok(Net::All));
        assert!("lo".parse::<Net>().is_err());
        assert!(!Confinement::default().is_active());
        assert!(Confinement { net: Net::None, ..Confinement::default() }.is_active());
    }

    #[test]
    fn inherited_state_round_trips() {
        let s = State { fs: true, no_exec_native: true, handoff: Some("/run/x:y".into()), owner: Some(1) };
        let var = s.to_var().into_string().unwrap();
        let value = var.strip_prefix("CWALI_CONFINED=").unwrap();
        let back = State::from_var(std::ffi::OsStr::new(value));
        assert_eq!(
            (back.fs, back.no_exec_native, back.handoff, back.owner),
            (true, true, Some("/run/x:y".into()), None)
        );
        let only_x = State::from_var(std::ffi::OsStr::new("x:"));
        assert_eq!((only_x.fs, only_x.no_exec_native, only_x.handoff), (false, true, None));
        assert!(!State::default().any());
    }
}
