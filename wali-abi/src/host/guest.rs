//! Guest pointers: every address a host function touches is checked against the current
//! memory length first. Outside memory → `-EFAULT` to the guest, never a host access.

use cwali_rt::{Caller, LinearMemory};

use crate::layouts::{ConvError, GuestMemory};

/// `-errno` as WALI returns it.
pub type SysResult = Result<i64, i64>;

pub const EFAULT: i64 = -(libc::EFAULT as i64);

/// The calling instance's memory 0.
#[derive(Clone, Copy)]
pub struct Guest<'a> {
    pub caller: Caller<'a>,
    pub mem: &'a LinearMemory,
}

impl<'a> Guest<'a> {
    pub fn new(caller: Caller<'a>) -> Option<Guest<'a>> {
        Some(Guest { caller, mem: caller.memory(0)? })
    }

    /// Host address of `[addr, addr+len)`; guest 0 is NULL (the kernel treats it as absent).
    pub fn ptr(&self, addr: u32, len: u64) -> Result<*mut u8, i64> {
        Ok(self.translate(addr, len).map_err(errno)?.cast())
    }

    /// Like `ptr` but 0 is an ordinary address (for ranges of memory itself).
    pub fn range(&self, addr: u32, len: u64) -> Result<*mut u8, i64> {
        self.mem.checked_ptr(addr as u64, len).ok_or(EFAULT)
    }

    /// A NUL-terminated string inside memory; guest 0 is NULL.
    pub fn cstr(&self, addr: u32) -> Result<*const libc::c_char, i64> {
        if addr == 0 {
            return Ok(std::ptr::null());
        }
        let len = self.c_str_len(addr).map_err(errno)?;
        Ok(self.ptr(addr, len as u64 + 1)? as *const libc::c_char)
    }

    pub fn string(&self, addr: u32) -> Result<String, i64> {
        let p = self.cstr(addr)?;
        if p.is_null() {
            return Err(EFAULT);
        }
        // SAFETY: checked NUL-terminated above.
        Ok(unsafe { std::ffi::CStr::from_ptr(p) }.to_string_lossy().into_owned())
    }

    pub fn read_u32(&self, addr: u32) -> Result<u32, i64> {
        let mut b = [0u8; 4];
        self.mem.read(addr as u64, &mut b).map_err(|_| EFAULT)?;
        Ok(u32::from_le_bytes(b))
    }

    pub fn read_u64(&self, addr: u32) -> Result<u64, i64> {
        let mut b = [0u8; 8];
        self.mem.read(addr as u64, &mut b).map_err(|_| EFAULT)?;
        Ok(u64::from_le_bytes(b))
    }

    pub fn read(&self, addr: u32, buf: &mut [u8]) -> Result<(), i64> {
        self.mem.read(addr as u64, buf).map_err(|_| EFAULT)
    }

    pub fn write(&self, addr: u32, data: &[u8]) -> Result<(), i64> {
        self.mem.write(addr as u64, data).map_err(|_| EFAULT)
    }

    /// Guest offset of a host pointer inside memory (0 if it is not inside).
    pub fn offset_of(&self, p: *const u8) -> u32 {
        let base = self.mem.base() as usize;
        let p = p as usize;
        if p >= base && p < base + self.mem.byte_len() { (p - base) as u32 } else { 0 }
    }
}

/// The guest's view of a conversion failure: `-errno`.
pub fn errno(e: ConvError) -> i64 {
    -(e.errno() as i64)
}

// SAFETY: base and length come from the live memory; its base never moves and it only grows.
unsafe impl GuestMemory for Guest<'_> {
    fn base(&self) -> *mut u8 {
        self.mem.base()
    }

    fn size(&self) -> u64 {
        self.mem.byte_len() as u64
    }
}

/// A raw syscall with up to six arguments; returns the kernel's value (`-errno` on failure).
pub fn raw_syscall(nr: u32, a: [u64; 6]) -> i64 {
    // SAFETY: arguments were translated and range-checked by the caller.
    let r = unsafe { libc::syscall(nr as libc::c_long, a[0], a[1], a[2], a[3], a[4], a[5]) };
    if r == -1 { -(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EINVAL) as i64) } else { r }
}
