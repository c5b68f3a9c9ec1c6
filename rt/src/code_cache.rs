//! The on-disk code cache, and the rules for trusting code files.
//!
//! A cache directory holds:
//!
//! - `key`: 32 random bytes, this user's secret (mode 0600, created with `O_EXCL` and linked in
//!   place whole, so no reader sees half a key). Every code file carries a MAC keyed with it
//!   ([`cwali_codegen::cache`]), so writing a file is not enough to have code run.
//! - `<key>.cwasm`: one entry per module, code generator, host and settings (the cache key).
//! - `<name>.id`: records that lead from a module *file* to its entry without reading the file:
//!   the file's identity (device, inode, size, mtime and ctime in ns) → the module's SHA-256, the
//!   entry's key and the entry file's own identity, under the same MAC.
//!
//! Trust: the directory must belong to this user and be writable by nobody else, every file in
//! it must belong to this user and be writable by nobody else (the key readable by nobody else);
//! otherwise the cache is not used (a warning says why) and modules are compiled as without one.
//!
//! A hit ([`CodeCache::lookup`]) stats the module file, reads its record, opens the entry and
//! compares its identity with the record's, then reads the entry's header, the module without
//! code and the layout with one read and the code with one read into the memory it runs from,
//! and stats the entry again: no hashing of the module, no validation or compilation, no writes.
//! Why identities are enough: the ctime of a file changes with every change to its contents and
//! cannot be set by anyone but the kernel, so an unchanged identity means unchanged contents.
//! The exception is a change within one tick of the file system's clock after the identity was
//! taken; a record is therefore only written when the file and the entry are older than
//! [`SETTLED`] by the clock of the cache's own file system (the record's mtime), as git does
//! for its index. When anything does not match, the slower path hashes the module and checks the
//! whole entry's checksum and MAC, which also covers copied or restored cache directories.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use cwali_codegen::cache::{self, Header, Secret};
use cwali_codegen::{CompiledModule, Config};
use cwali_frontend::ModuleInfo;

/// How old a file must be (by the cache file system's clock) before its identity stands for its
/// contents: more than the coarsest timestamp granularity of common file systems (FAT: 2 s).
pub const SETTLED: i64 = 2;

const RECORD_MAGIC: &[u8; 8] = b"CWALIR\x00\x01";
const IDENTITY_LEN: usize = 56;
const RECORD_LEN: usize = 8 + IDENTITY_LEN + 32 + 32 + IDENTITY_LEN + 1 + 32;

/// A file's identity: what changes whenever its contents change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl Identity {
    pub fn of(file: &File) -> std::io::Result<Identity> {
        file.metadata().map(|m| Identity::from_metadata(&m))
    }

    /// The identity of the regular file at `path` (by `stat`: opening a FIFO could disturb it).
    pub fn of_path(path: &Path) -> Option<Identity> {
        std::fs::metadata(path).ok().filter(|m| m.is_file()).map(|m| Identity::from_metadata(&m))
    }

    fn from_metadata(m: &std::fs::Metadata) -> Identity {
        use std::os::unix::fs::MetadataExt;
        Identity {
            dev: m.dev(),
            ino: m.ino(),
            size: m.size(),
            mtime: (m.mtime(), m.mtime_nsec()),
            ctime: (m.ctime(), m.ctime_nsec()),
        }
    }

    fn bytes(&self) -> [u8; IDENTITY_LEN] {
        let mut out = [0u8; IDENTITY_LEN];
        let words = [
            self.dev,
            self.ino,
            self.size,
            self.mtime.0 as u64,
            self.mtime.1 as u64,
            self.ctime.0 as u64,
            self.ctime.1 as u64,
        ];
        for (chunk, w) in out.chunks_exact_mut(8).zip(words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        out
    }

    fn read(bytes: &[u8]) -> Identity {
        let w = |i: usize| u64::from_le_bytes(bytes[i * 8..i * 8 + 8].try_into().unwrap());
        Identity {
            dev: w(0),
            ino: w(1),
            size: w(2),
            mtime: (w(3) as i64, w(4) as i64),
            ctime: (w(5) as i64, w(6) as i64),
        }
    }

    /// Whether the last change is at least [`SETTLED`] seconds before `now` (seconds, ns).
    fn settled_by(&self, now: (i64, i64)) -> bool {
        (self.ctime.0 + SETTLED, self.ctime.1) <= now
    }
}

/// A code cache directory that passed the trust checks, with this user's secret.
#[derive(Debug)]
pub struct CodeCache {
    dir: PathBuf,
    secret: Secret,
    /// Whether entries and records are read and written (`--no-cache` keeps only the secret,
    /// to authenticate code files from `cwali compile`).
    entries: bool,
}

/// What a hit or a verified code file gives.
pub struct Loaded {
    pub info: ModuleInfo,
    pub code: CompiledModule,
    pub config: Config,
}

impl CodeCache {
    /// Open `dir`: check that it can be trusted, read this user's secret, or (with `create`)
    /// create the directory and the secret. `None`, with a warning, if it cannot be used.
    pub fn open(dir: &Path, create: bool, entries: bool) -> Option<CodeCache> {
        match Self::try_open(dir, create) {
            Ok(Some(secret)) => Some(CodeCache { dir: dir.to_path_buf(), secret, entries }),
            Ok(None) => None,
            Err(why) => {
                tracing::warn!("not using the code cache `{}`: {why}; compiling without it", dir.display());
                None
            }
        }
    }

    fn try_open(dir: &Path, create: bool) -> Result<Option<Secret>, String> {
        if create {
            let made = std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir);
            made.map_err(|e| format!("cannot create it: {e}"))?;
        }
        let meta = match std::fs::metadata(dir) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !create => return Ok(None),
            Err(e) => return Err(e.to_string()),
        };
        check_owner("it", &meta, 0o022)?;
        if !meta.is_dir() {
            return Err("it is not a directory".into());
        }
        let path = dir.join("key");
        match open_trusted(&path, 0o077) {
            Ok(Some(mut file)) => {
                let mut key = [0u8; 32];
                std::io::Read::read_exact(&mut file, &mut key).map_err(|e| format!("cannot read its key: {e}"))?;
                Ok(Some(Secret(key)))
            }
            Ok(None) if create => make_secret(dir).map(Some),
            Ok(None) => Ok(None),
            Err(why) => Err(format!("its key file {why}")),
        }
    }

    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    fn entry_path(&self, key: &[u8; 32]) -> PathBuf {
        self.dir.join(format!("{}.cwasm", hex(key)))
    }

    fn record_path(&self, settings: &[u8; 32], id: &Identity) -> PathBuf {
        let name = digest(&[b"cwali record", settings, &id.bytes()]);
        self.dir.join(format!("{}.id", hex(&name[..20])))
    }

    /// The fast path: the module file at `path` by its record, without reading the file.
    /// `configure` gives the final settings from the module (WALI programs get their
    /// intrinsics); `base` is what the record is named by.
    pub fn lookup(
        &self,
        path: &Path,
        base: &Config,
        configure: &mut dyn FnMut(&ModuleInfo) -> Config,
    ) -> Option<Loaded> {
        if !self.entries {
            return None;
        }
        let id = Identity::of_path(path)?;
        let settings = cache::settings_digest(base).ok()?;
        let record = self.read_record(&self.record_path(&settings, &id))?;
        if record.id != id {
            return None;
        }
        // The module file itself is only opened when it is the code file.
        let entry = if record.in_place { File::open(path).ok()? } else { self.open_entry(&record.key)? };
        let loaded = load_entry(&entry, &record, configure);
        if loaded.is_none() {
            tracing::debug!("code cache: the record for `{}` does not lead to a usable entry", path.display());
        }
        loaded
    }

    fn read_record(&self, path: &Path) -> Option<Record> {
        let mut file = open_trusted(path, 0o022).ok()??;
        let mut bytes = [0u8; RECORD_LEN + 1];
        let n = read_up_to(&mut file, &mut bytes).ok()?;
        if n != RECORD_LEN || !bytes.starts_with(RECORD_MAGIC) {
            return None;
        }
        let (body, mac) = bytes[..RECORD_LEN].split_at(RECORD_LEN - 32);
        if cache::hmac(&self.secret, &[body]) != mac {
            tracing::warn!("code cache record {} is not authentic: ignored", path.display());
            return None;
        }
        let mut at = 8;
        let mut take = |n: usize| {
            at += n;
            &body[at - n..at]
        };
        Some(Record {
            id: Identity::read(take(IDENTITY_LEN)),
            hash: take(32).try_into().unwrap(),
            key: take(32).try_into().unwrap(),
            entry: Identity::read(take(IDENTITY_LEN)),
            in_place: take(1)[0] == 1,
        })
    }

    /// Write the record for a module file whose identity was `id` before and after it was read,
    /// if it and the entry have settled (see the module doc). Writes nothing otherwise.
    pub fn remember(
        &self,
        base: &Config,
        id: Identity,
        hash: [u8; 32],
        key: [u8; 32],
        entry: Identity,
        in_place: bool,
    ) {
        if !self.entries {
            return;
        }
        let Ok(settings) = cache::settings_digest(base) else { return };
        let path = self.record_path(&settings, &id);
        let mut body = Vec::with_capacity(RECORD_LEN);
        body.extend_from_slice(RECORD_MAGIC);
        body.extend_from_slice(&id.bytes());
        body.extend_from_slice(&hash);
        body.extend_from_slice(&key);
        body.extend_from_slice(&entry.bytes());
        body.push(in_place as u8);
        let mac = cache::hmac(&self.secret, &[&body]);
        body.extend_from_slice(&mac);
        let written = self.write_file(&path, &body, |tmp| {
            let now = Identity::of(tmp).map(|t| t.mtime).unwrap_or((0, 0));
            id.settled_by(now) && entry.settled_by(now)
        });
        match written {
            Ok(true) => tracing::debug!("code cache: recorded {}", path.display()),
            Ok(false) => tracing::debug!("code cache: not recording `{}` yet (changed too recently)", path.display()),
            Err(e) => tracing::debug!("cannot write {}: {e}", path.display()),
        }
    }

    /// The entry of `key`, checked whole (checksum, MAC, key and module hash), and its identity.
    pub fn read_entry(&self, key: &[u8; 32], hash: &[u8; 32]) -> Option<(Vec<u8>, Identity)> {
        if !self.entries {
            return None;
        }
        let path = self.entry_path(key);
        let file = self.open_entry(key)?;
        tracing::debug!("code cache: checking {}", path.display());
        let before = Identity::of(&file).ok()?;
        let mut data = Vec::with_capacity(before.size as usize);
        std::io::Read::read_to_end(&mut &file, &mut data).ok()?;
        let header = cache::Header::read(&data, data.len() as u64);
        let checked = cache::verify(&data, Some(&self.secret)).and(header);
        match checked {
            Ok(h) if h.key == *key && h.module_hash == *hash => {}
            Ok(_) => {
                tracing::warn!("cache entry {} does not match its module: recompiling", path.display());
                return None;
            }
            Err(e) => {
                tracing::warn!("cache entry {}: {e}: recompiling", path.display());
                return None;
            }
        }
        let after = Identity::of(&file).ok()?;
        (before == after).then_some((data, after))
    }

    /// Store an entry (write then rename, so a reader never sees half a file).
    pub fn store_entry(&self, key: &[u8; 32], data: &[u8]) {
        if !self.entries {
            return;
        }
        let path = self.entry_path(key);
        if let Err(e) = self.write_file(&path, data, |_| true) {
            tracing::debug!("cannot store {} in the code cache: {e}", path.display());
        }
    }

    fn open_entry(&self, key: &[u8; 32]) -> Option<File> {
        let path = self.entry_path(key);
        match open_trusted(&path, 0o022) {
            Ok(file) => file,
            Err(why) => {
                tracing::warn!("cache entry {} {why}: not used", path.display());
                None
            }
        }
    }

    /// Write `data` to a new file beside `path`, then rename it over `path` if `keep` agrees.
    fn write_file(&self, path: &Path, data: &[u8], keep: impl FnOnce(&File) -> bool) -> std::io::Result<bool> {
        let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
        let result = (|| {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&tmp)?;
            file.write_all(data)?;
            if !keep(&file) {
                return Ok(false);
            }
            std::fs::rename(&tmp, path)?;
            Ok(true)
        })();
        if !matches!(result, Ok(true)) {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

/// A record as read back.
struct Record {
    id: Identity,
    hash: [u8; 32],
    key: [u8; 32],
    entry: Identity,
    /// The module file is itself the code file (from `cwali compile`).
    in_place: bool,
}

/// The hit path proper: an entry whose identity the record vouches for.
fn load_entry(entry: &File, record: &Record, configure: &mut dyn FnMut(&ModuleInfo) -> Config) -> Option<Loaded> {
    if Identity::of(entry).ok()? != record.entry {
        return None;
    }
    let mut head = [0u8; cache::HEADER_LEN];
    pread_exact(entry, &mut head, 0).ok()?;
    let header = Header::read(&head, record.entry.size).ok()?;
    if header.key != record.key || header.module_hash != record.hash {
        return None;
    }
    // `module` and `layout` follow one another: one read.
    let mut front = vec![0u8; header.layout.end - header.module.start];
    pread_exact(entry, &mut front, header.module.start as u64).ok()?;
    let (module, layout) = front.split_at(header.module.len());
    let layout = cache::decode_layout(layout).ok()?;
    let info = cwali_frontend::parse_trusted(module).ok()?;
    let config = configure(&info);
    if cache::key(&info, &record.hash, &config).ok()? != record.key {
        return None;
    }
    let text = header.text.clone();
    // Unchanged from the first look until the code is this process's own copy: the code that
    // runs is the code the record vouches for.
    // Unchanged from the first look until the code is mapped: the code is the code the record
    // vouches for (see `CodeMemory::map_file` for what a writer of the file could still do).
    let unchanged = || Identity::of(entry).is_ok_and(|id| id == record.entry);
    let code = cwali_codegen::place_from_file(&info, layout, entry, text.start as u64, text.len(), unchanged).ok()?;
    Some(Loaded { info, code, config })
}

/// Open a file of the cache if it is a regular file of this user's that nobody else can write
/// (and, with `forbidden` 0o077, read): `Ok(None)` if it does not exist, `Err` with the reason
/// if it exists but cannot be trusted. Symbolic links are not followed.
fn open_trusted(path: &Path, forbidden: u32) -> Result<Option<File>, String> {
    let file = match std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot be opened: {e}")),
    };
    let meta = file.metadata().map_err(|e| e.to_string())?;
    check_owner("it", &meta, forbidden)?;
    if !meta.is_file() {
        return Err("is not a regular file".into());
    }
    Ok(Some(file))
}

/// That `meta` belongs to this user and grants none of the `forbidden` mode bits.
fn check_owner(what: &str, meta: &std::fs::Metadata, forbidden: u32) -> Result<(), String> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(format!("{what} belongs to user {} instead of {me}", meta.uid()));
    }
    if meta.mode() & forbidden != 0 {
        let whom = if forbidden & 0o044 != 0 { "readable or writable" } else { "writable" };
        return Err(format!("{what} is {whom} by group or others (mode {:o})", meta.mode() & 0o7777));
    }
    Ok(())
}

/// Create this user's secret: 32 random bytes in a new 0600 file, linked to `dir/key` only once
/// complete; if another process got there first, its key is used.
fn make_secret(dir: &Path) -> Result<Secret, String> {
    let mut key = [0u8; 32];
    // SAFETY: getrandom fills the buffer we pass.
    let n = unsafe { libc::getrandom(key.as_mut_ptr().cast(), key.len(), 0) };
    if n != key.len() as isize {
        return Err(format!("cannot get random bytes: {}", std::io::Error::last_os_error()));
    }
    let tmp = dir.join(format!("key.{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&tmp)?;
        file.write_all(&key)?;
        file.sync_all()?;
        std::fs::hard_link(&tmp, dir.join("key"))
    };
    let result = write();
    let _ = std::fs::remove_file(&tmp);
    match result {
        Ok(()) => Ok(Secret(key)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => match open_trusted(&dir.join("key"), 0o077) {
            Ok(Some(mut file)) => {
                std::io::Read::read_exact(&mut file, &mut key).map_err(|e| e.to_string())?;
                Ok(Secret(key))
            }
            Ok(None) => Err("its key file vanished".into()),
            Err(why) => Err(format!("its key file {why}")),
        },
        Err(e) => Err(format!("cannot create its key file: {e}")),
    }
}

fn pread_exact(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match std::io::Read::read(file, &mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of the concatenation of `parts` (small inputs: record names).
fn digest(parts: &[&[u8]]) -> [u8; 32] {
    cache::module_hash(&parts.concat())
}
