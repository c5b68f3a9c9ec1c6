//! `cwali binfmt`: let the kernel run Wasm files directly, `chmod +x app.wasm && ./app.wasm`.
//!
//! Linux's binfmt_misc hands a file whose first bytes match a registered magic to a registered
//! interpreter. cwali registers the Wasm magic `\0asm\x01\0\0\0` (binary format, version 1) with
//! its own absolute path, so `execve("./app.wasm", ["./app.wasm", args...])` becomes
//! `cwali ./app.wasm args...`: the kernel passes the path it was given as the interpreter's
//! `argv[1]` and drops the original `argv[0]`. `cwali <path> args` is the run shorthand, so no
//! option is needed; a path that could be mistaken for a subcommand is recognised by
//! [`started_by_binfmt`].
//!
//! Flags: `F` ("fix binary") only. With `F` the kernel opens cwali when the entry is registered
//! and uses that open file for every later exec, so Wasm files also run inside containers,
//! chroots and mount namespaces where cwali's path does not exist (a guest that chroots and then
//! executes a `.wasm` file, say). The price: after replacing the cwali binary (an upgrade), run
//! `cwali binfmt install` again, or the kernel keeps starting the old one. `P` (preserve
//! `argv[0]`) is not used: it would give the interpreter one more argument that cwali cannot tell
//! from a program argument. So a program started through binfmt_misc sees as `argv[0]` the path
//! that was executed (`./app.wasm`, or `/usr/local/bin/app.wasm` when found through `$PATH`)
//! rather than the name it was called by, and `/proc/self/exe` is cwali itself.
//!
//! `--persistent` also writes `/etc/binfmt.d/NAME.conf` (the same line), which
//! `systemd-binfmt.service` registers at every boot.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The entry name `cwali binfmt install` uses unless told otherwise.
pub const DEFAULT_NAME: &str = "cwali";

/// The first eight bytes of every binary Wasm module of version 1.
pub const MAGIC: &[u8; 8] = b"\0asm\x01\0\0\0";

/// The registration flags (see the module docs).
pub const FLAGS: &str = "F";

/// Where binfmt_misc is mounted.
pub const MOUNT_POINT: &str = "/proc/sys/fs/binfmt_misc";

/// Where `--persistent` puts the registration for systemd-binfmt.
pub const CONF_DIR: &str = "/etc/binfmt.d";

/// The line that registers `interpreter` for Wasm files under `name`:
/// `:name:M::magic::interpreter:flags`, with the magic's bytes as `\xHH` escapes.
pub fn registration(name: &str, interpreter: &Path) -> Result<String> {
    check_name(name)?;
    let interp = interpreter.to_str().filter(|s| s.starts_with('/')).with_context(|| {
        format!("the interpreter path `{}` must be absolute and valid UTF-8", interpreter.display())
    })?;
    if interp.contains([':', '\n']) {
        bail!("the interpreter path `{interp}` contains `:` or a newline, which a binfmt_misc entry cannot hold");
    }
    let mut magic = String::new();
    for byte in MAGIC {
        write!(magic, "\\x{byte:02x}")?;
    }
    Ok(format!(":{name}:M::{magic}::{interp}:{FLAGS}"))
}

/// Entry names are file names under the mount point.
fn check_name(name: &str) -> Result<()> {
    let reserved = ["register", "status", ".", ".."];
    if name.is_empty() || name.len() > 200 || name.contains(['/', ':', '\n']) || reserved.contains(&name) {
        bail!("`{name}` cannot name a binfmt_misc entry (use letters, digits, `-` or `_`)");
    }
    Ok(())
}

fn require_root(what: &str) -> Result<()> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        bail!(
            "`cwali binfmt {what}` changes how the kernel runs files for every user and needs root; \
             run it as `sudo cwali binfmt {what}`"
        );
    }
    Ok(())
}

fn entry_path(name: &str) -> PathBuf {
    Path::new(MOUNT_POINT).join(name)
}

fn conf_path(name: &str) -> PathBuf {
    Path::new(CONF_DIR).join(format!("{name}.conf"))
}

fn is_mounted() -> bool {
    Path::new(MOUNT_POINT).join("register").exists()
}

/// Mount binfmt_misc at its usual place unless it is there already (systemd mounts it on most
/// distributions; containers and minimal systems often do not).
fn ensure_mounted() -> Result<()> {
    if is_mounted() {
        return Ok(());
    }
    // SAFETY: NUL-terminated strings; no mount data.
    let rc = unsafe {
        libc::mount(
            c"binfmt_misc".as_ptr(),
            c"/proc/sys/fs/binfmt_misc".as_ptr(),
            c"binfmt_misc".as_ptr(),
            0,
            std::ptr::null(),
        )
    };
    if rc != 0 {
        let err = std::io::Error::last_os_error();
        bail!("cannot mount binfmt_misc at {MOUNT_POINT}: {err} (in a container the host has to provide it)");
    }
    Ok(())
}

/// Write a command (`-1` removes an entry) or a registration to a binfmt_misc control file.
fn write_control(path: &Path, text: &str) -> std::io::Result<()> {
    // One write: the kernel parses each write on its own.
    std::fs::OpenOptions::new().write(true).open(path)?.write_all(text.as_bytes())
}

/// `cwali binfmt install`.
pub fn install(name: &str, persistent: bool) -> Result<()> {
    check_name(name)?;
    require_root("install")?;
    let exe = std::env::current_exe().context("cannot find cwali's own path")?;
    let line = registration(name, &exe)?;
    ensure_mounted()?;
    if entry_path(name).exists() {
        write_control(&entry_path(name), "-1")
            .with_context(|| format!("cannot replace the existing entry {}", entry_path(name).display()))?;
    }
    let register = Path::new(MOUNT_POINT).join("register");
    write_control(&register, &line)
        .with_context(|| format!("the kernel refused the binfmt_misc entry `{}`", line.escape_default()))?;
    println!("registered {}: Wasm files now run with {} (flags {FLAGS})", entry_path(name).display(), exe.display());
    if persistent {
        let conf = conf_path(name);
        let text = format!(
            "# Run WebAssembly files (magic \\0asm, version 1) with cwali; written by `cwali binfmt install --persistent`.\n\
             {line}\n"
        );
        std::fs::create_dir_all(CONF_DIR).with_context(|| format!("cannot create {CONF_DIR}"))?;
        std::fs::write(&conf, text).with_context(|| format!("cannot write {}", conf.display()))?;
        println!("wrote {}: systemd-binfmt registers the entry at every boot", conf.display());
    }
    for other in wasm_entries()?.into_iter().filter(|e| e.name != name) {
        println!(
            "note: entry `{}` also runs Wasm files (with {}); the newest registration wins",
            other.name, other.interpreter
        );
    }
    Ok(())
}

/// `cwali binfmt uninstall`.
pub fn uninstall(name: &str) -> Result<()> {
    check_name(name)?;
    require_root("uninstall")?;
    let (entry, conf) = (entry_path(name), conf_path(name));
    let registered = entry.exists();
    if registered {
        write_control(&entry, "-1").with_context(|| format!("cannot remove {}", entry.display()))?;
        println!("removed {}", entry.display());
    }
    let persistent = conf.exists();
    if persistent {
        std::fs::remove_file(&conf).with_context(|| format!("cannot remove {}", conf.display()))?;
        println!("removed {}", conf.display());
    }
    if !registered && !persistent {
        bail!("no binfmt_misc entry named `{name}` is registered (see `cwali binfmt status`)");
    }
    Ok(())
}

/// One binfmt_misc entry, as its file under the mount point describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The file name under the mount point.
    pub name: String,
    /// Whether the kernel uses the entry.
    pub enabled: bool,
    /// The interpreter's path as registered.
    pub interpreter: String,
    /// The flag letters (`F`, `P`, `O`, `C`), as the kernel lists them.
    pub flags: String,
    /// Hex digits, lowercase.
    pub magic: String,
    /// Where in the file the magic is compared.
    pub offset: u64,
    /// Hex digits, lowercase, if the entry masks the magic.
    pub mask: Option<String>,
}

/// Parse the text of `/proc/sys/fs/binfmt_misc/<name>`:
/// `enabled`, `interpreter PATH`, `flags: F`, `offset 0`, `magic HEX`, maybe `mask HEX`.
pub fn parse_entry(name: &str, text: &str) -> Entry {
    let mut entry = Entry {
        name: name.to_string(),
        enabled: false,
        interpreter: String::new(),
        flags: String::new(),
        magic: String::new(),
        offset: 0,
        mask: None,
    };
    for line in text.lines() {
        let (key, value) = line.split_once(' ').unwrap_or((line, ""));
        match key {
            "enabled" => entry.enabled = true,
            "interpreter" => entry.interpreter = value.to_string(),
            "flags:" => entry.flags = value.trim().to_string(),
            "offset" => entry.offset = value.trim().parse().unwrap_or(0),
            "magic" => entry.magic = value.trim().to_ascii_lowercase(),
            "mask" => entry.mask = Some(value.trim().to_ascii_lowercase()),
            _ => {}
        }
    }
    entry
}

/// Whether the entry hands files starting with [`MAGIC`] to its interpreter.
pub fn matches_wasm(entry: &Entry) -> bool {
    let ours: String = MAGIC.iter().map(|b| format!("{b:02x}")).collect();
    // An entry for a prefix of the magic (`\0asm`) matches Wasm files too.
    entry.offset == 0 && entry.mask.is_none() && !entry.magic.is_empty() && ours.starts_with(&entry.magic)
}

/// The registered entries that match Wasm files, in name order.
pub fn wasm_entries() -> Result<Vec<Entry>> {
    if !is_mounted() {
        return Ok(Vec::new());
    }
    let dir = std::fs::read_dir(MOUNT_POINT).with_context(|| format!("cannot list {MOUNT_POINT}"))?;
    let mut entries = Vec::new();
    for item in dir.flatten() {
        let name = item.file_name().to_string_lossy().into_owned();
        if name == "register" || name == "status" {
            continue;
        }
        // An entry removed meanwhile is simply not listed.
        if let Ok(text) = std::fs::read_to_string(item.path()) {
            let entry = parse_entry(&name, &text);
            if matches_wasm(&entry) {
                entries.push(entry);
            }
        }
    }
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

/// `cwali binfmt status`.
pub fn status() -> Result<()> {
    if !is_mounted() {
        println!("binfmt_misc is not mounted at {MOUNT_POINT}: the kernel runs no Wasm files directly");
        println!("(`cwali binfmt install` mounts it and registers cwali)");
        return Ok(());
    }
    let enabled = std::fs::read_to_string(Path::new(MOUNT_POINT).join("status")).unwrap_or_default();
    if enabled.trim() == "disabled" {
        println!("binfmt_misc is disabled as a whole (echo 1 > {MOUNT_POINT}/status enables it)");
    }
    let entries = wasm_entries()?;
    if entries.is_empty() {
        println!("no binfmt_misc entry runs Wasm files (`cwali binfmt install` registers cwali)");
    }
    let exe = std::env::current_exe().ok();
    for entry in &entries {
        let this = exe.as_deref().is_some_and(|e| Path::new(&entry.interpreter) == e);
        println!(
            "{}: {}, interpreter {}{}, flags {}",
            entry.name,
            if entry.enabled { "enabled" } else { "disabled" },
            entry.interpreter,
            if this { " (this cwali)" } else { "" },
            if entry.flags.is_empty() { "none" } else { &entry.flags },
        );
        if conf_path(&entry.name).exists() {
            println!("  persistent: {}", conf_path(&entry.name).display());
        }
    }
    Ok(())
}

/// Whether this process was started by binfmt_misc with `first` (`argv[1]`) as the program: the
/// kernel then passes the executed path as `argv[1]`, and the auxiliary vector's `AT_EXECFN`
/// still names that same path (it names cwali when cwali is run by hand).
pub fn started_by_binfmt(first: &OsStr) -> bool {
    // SAFETY: getauxval has no preconditions.
    let execfn = unsafe { libc::getauxval(libc::AT_EXECFN) } as *const libc::c_char;
    if execfn.is_null() {
        return false;
    }
    // SAFETY: the kernel put a NUL-terminated string on the initial stack, which lives as long
    // as the process.
    let execfn = unsafe { std::ffi::CStr::from_ptr(execfn) };
    execfn.to_bytes() == first.as_encoded_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registration_line_escapes_the_magic() {
        let line = registration("cwali", Path::new("/usr/local/bin/cwali")).unwrap();
        assert_eq!(line, r":cwali:M::\x00\x61\x73\x6d\x01\x00\x00\x00::/usr/local/bin/cwali:F");
    }

    #[test]
    fn bad_names_and_paths_are_refused() {
        for name in ["", "a/b", "a:b", "register", "status", ".."] {
            assert!(registration(name, Path::new("/bin/cwali")).is_err(), "{name:?}");
        }
        assert!(registration("x", Path::new("cwali")).is_err());
        assert!(registration("x", Path::new("/a:b/cwali")).is_err());
    }

    #[test]
    fn entries_parse_as_the_kernel_prints_them() {
        let text = "enabled\ninterpreter /usr/bin/cwali\nflags: F\noffset 0\nmagic 0061736d01000000\n";
        let entry = parse_entry("cwali", text);
        assert!(entry.enabled && matches_wasm(&entry));
        assert_eq!((entry.interpreter.as_str(), entry.flags.as_str()), ("/usr/bin/cwali", "F"));
        let prefix = parse_entry("w", "disabled\ninterpreter /x\nflags: \noffset 0\nmagic 0061736d\n");
        assert!(!prefix.enabled && matches_wasm(&prefix));
        let elf = parse_entry("e", "enabled\ninterpreter /x\nflags: \noffset 0\nmagic 7f454c46\n");
        assert!(!matches_wasm(&elf));
    }

    #[test]
    fn a_process_started_by_hand_is_not_started_by_binfmt() {
        assert!(!started_by_binfmt(OsStr::new("app.wasm")));
    }
}
