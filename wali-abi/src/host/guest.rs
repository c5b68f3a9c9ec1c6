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

    /// A copy of the NUL-terminated string at `addr` (without the NUL); never reads it in place,
    /// so another guest thread changing or protecting it cannot make the host fault.
    pub fn string_bytes(&self, addr: u32) -> Result<Vec<u8>, i64> {
        if addr == 0 {
            return Err(EFAULT);
        }
        self.mem.read_c_string(addr as u64, usize::MAX).map_err(|_| EFAULT)
    }

    pub fn string(&self, addr: u32) -> Result<String, i64> {
        Ok(String::from_utf8_lossy(&self.string_bytes(addr)?).into_owned())
    }

    /// An owned C string copied from `addr`.
    pub fn c_string(&self, addr: u32) -> Result<std::ffi::CString, i64> {
        // No interior NUL: the copy stops at the first one.
        std::ffi::CString::new(self.string_bytes(addr)?).map_err(|_| EFAULT)
    }

    /// Owned copies of a NULL-terminated array of string pointers (`argv`, `envp`); `None` for a
    /// NULL array.
    pub fn string_array(&self, addr: u32) -> Result<Option<Vec<std::ffi::CString>>, i64> {
        if addr == 0 {
            return Ok(None);
        }
        let mut out = Vec::new();
        for i in 0..crate::layouts::MAX_STR_ARRAY {
            let s = self.read_u32(addr.checked_add(i * 4).ok_or(EFAULT)?)?;
            if s == 0 {
                return Ok(Some(out));
            }
            out.push(self.c_string(s)?);
        }
        Err(-(libc::E2BIG as i64))
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

    fn load(&self, ptr: u32, buf: &mut [u8]) -> Result<(), ConvError> {
        self.mem.read(ptr as u64, buf).map_err(|_| ConvError::Fault)
    }

    fn scan_nul(&self, ptr: u32, max: u64) -> Result<u64, ConvError> {
        let p = self.mem.checked_ptr(ptr as u64, max).ok_or(ConvError::Fault)?;
        // SAFETY: [p, p + max) is inside memory; the scan survives a protected page.
        let n = unsafe { cwali_rt::guest_access::strnlen(p, max as usize) }.map_err(|_| ConvError::Fault)?;
        Ok(n as u64)
    }
}

/// A raw syscall with up to six arguments; returns the kernel's value (`-errno` on failure).
pub fn raw_syscall(nr: u32, a: [u64; 6]) -> i64 {
    // SAFETY: arguments were translated and range-checked by the caller.
    let r = unsafe { libc::syscall(nr as libc::c_long, a[0], a[1], a[2], a[3], a[4], a[5]) };
    if r == -1 { -(std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EINVAL) as i64) } else { r }
}
