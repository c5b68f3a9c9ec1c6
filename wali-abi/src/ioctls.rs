//! The ioctl requests a WALI guest may make, as data.
//!
//! An ioctl's argument is whatever its driver decides: an integer, a fixed struct, a struct whose
//! size is in one of its fields, or a struct holding pointers. A request passed through with an
//! unchecked argument lets the kernel follow a guest value as a host pointer (`SIOCGIFCONF`'s
//! `ifc_buf`, `SIOCETHTOOL`'s `ifr_data`), or write past what the request number encodes
//! (`FS_IOC_FIEMAP`). So only the requests listed here are made, each with the exact size of
//! its argument; every other request fails with `-ENOTTY`, as Linux answers a driver that does not
//! know it. `SIOCGIFCONF` is the one request with a pointer inside: it is converted.
//!
//! Sizes are those of the x86_64 structs, which WALI guests share (64-bit `long`).

/// What the third argument of a request is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoctlArg {
    /// Not used (a variadic `ioctl()` called without one passes whatever it finds).
    Unused,
    /// An integer by value.
    Int,
    /// A pointer to this many bytes of plain data (no pointers inside), read and/or written.
    Ptr(u32),
    /// `struct ifconf { int ifc_len; char *ifc_buf; }`: the buffer pointer is translated.
    IfConf,
}

/// One allowed request.
#[derive(Clone, Copy, Debug)]
pub struct Ioctl {
    pub request: u32,
    pub name: &'static str,
    pub arg: IoctlArg,
}

const fn io(request: u32, name: &'static str, arg: IoctlArg) -> Ioctl {
    Ioctl { request, name, arg }
}

use IoctlArg::{Int, Ptr, Unused};

/// `struct ifreq`: 16 bytes of name and a 24-byte union (no pointer is used by the listed requests).
const IFREQ: u32 = 40;
const TERMIOS: u32 = 36;
const TERMIOS2: u32 = 44;
const WINSIZE: u32 = 8;
const INT: u32 = 4;
const LONG: u32 = 8;
const TIMEVAL: u32 = 16;

/// Every request a guest may make.
#[rustfmt::skip]
pub static IOCTLS: &[Ioctl] = &[
    // Terminals (asm-generic/ioctls.h).
    io(0x5401, "TCGETS", Ptr(TERMIOS)),
    io(0x5402, "TCSETS", Ptr(TERMIOS)),
    io(0x5403, "TCSETSW", Ptr(TERMIOS)),
    io(0x5404, "TCSETSF", Ptr(TERMIOS)),
    io(0x5409, "TCSBRK", Int),
    io(0x540A, "TCXONC", Int),
    io(0x540B, "TCFLSH", Int),
    io(0x540C, "TIOCEXCL", Unused),
    io(0x540D, "TIOCNXCL", Unused),
    io(0x540E, "TIOCSCTTY", Int),
    io(0x540F, "TIOCGPGRP", Ptr(INT)),
    io(0x5410, "TIOCSPGRP", Ptr(INT)),
    io(0x5411, "TIOCOUTQ", Ptr(INT)),
    io(0x5412, "TIOCSTI", Ptr(1)),
    io(0x5413, "TIOCGWINSZ", Ptr(WINSIZE)),
    io(0x5414, "TIOCSWINSZ", Ptr(WINSIZE)),
    io(0x5415, "TIOCMGET", Ptr(INT)),
    io(0x5416, "TIOCMBIS", Ptr(INT)),
    io(0x5417, "TIOCMBIC", Ptr(INT)),
    io(0x5418, "TIOCMSET", Ptr(INT)),
    io(0x5419, "TIOCGSOFTCAR", Ptr(INT)),
    io(0x541A, "TIOCSSOFTCAR", Ptr(INT)),
    io(0x541B, "FIONREAD", Ptr(INT)),
    io(0x541D, "TIOCCONS", Unused),
    io(0x5420, "TIOCPKT", Ptr(INT)),
    io(0x5421, "FIONBIO", Ptr(INT)),
    io(0x5422, "TIOCNOTTY", Unused),
    io(0x5423, "TIOCSETD", Ptr(INT)),
    io(0x5424, "TIOCGETD", Ptr(INT)),
    io(0x5425, "TCSBRKP", Int),
    io(0x5427, "TIOCSBRK", Unused),
    io(0x5428, "TIOCCBRK", Unused),
    io(0x5429, "TIOCGSID", Ptr(INT)),
    io(0x802C_542A, "TCGETS2", Ptr(TERMIOS2)),
    io(0x402C_542B, "TCSETS2", Ptr(TERMIOS2)),
    io(0x402C_542C, "TCSETSW2", Ptr(TERMIOS2)),
    io(0x402C_542D, "TCSETSF2", Ptr(TERMIOS2)),
    io(0x8004_5430, "TIOCGPTN", Ptr(INT)),
    io(0x4004_5431, "TIOCSPTLCK", Ptr(INT)),
    io(0x8004_5432, "TIOCGDEV", Ptr(INT)),
    io(0x4004_5436, "TIOCSIG", Int),
    io(0x5437, "TIOCVHANGUP", Unused),
    io(0x8004_5438, "TIOCGPKT", Ptr(INT)),
    io(0x8004_5439, "TIOCGPTLCK", Ptr(INT)),
    io(0x8004_5440, "TIOCGEXCL", Ptr(INT)),
    io(0x5441, "TIOCGPTPEER", Int),
    io(0x5450, "FIONCLEX", Unused),
    io(0x5451, "FIOCLEX", Unused),
    io(0x5452, "FIOASYNC", Ptr(INT)),
    io(0x5456, "TIOCGLCKTRMIOS", Ptr(TERMIOS)),
    io(0x5457, "TIOCSLCKTRMIOS", Ptr(TERMIOS)),
    io(0x5459, "TIOCSERGETLSR", Ptr(INT)),
    io(0x545C, "TIOCMIWAIT", Int),
    io(0x5460, "FIOQSIZE", Ptr(LONG)),
    // Sockets (linux/sockios.h): plain ints, timestamps, and ifreq requests whose union member is
    // a value (address, flags, index, metric, mtu, hardware address, queue length, name).
    io(0x8901, "FIOSETOWN", Ptr(INT)),
    io(0x8902, "SIOCSPGRP", Ptr(INT)),
    io(0x8903, "FIOGETOWN", Ptr(INT)),
    io(0x8904, "SIOCGPGRP", Ptr(INT)),
    io(0x8905, "SIOCATMARK", Ptr(INT)),
    io(0x8906, "SIOCGSTAMP", Ptr(TIMEVAL)),
    io(0x8907, "SIOCGSTAMPNS", Ptr(TIMEVAL)),
    io(0x8910, "SIOCGIFNAME", Ptr(IFREQ)),
    io(0x8912, "SIOCGIFCONF", IoctlArg::IfConf),
    io(0x8913, "SIOCGIFFLAGS", Ptr(IFREQ)),
    io(0x8914, "SIOCSIFFLAGS", Ptr(IFREQ)),
    io(0x8915, "SIOCGIFADDR", Ptr(IFREQ)),
    io(0x8916, "SIOCSIFADDR", Ptr(IFREQ)),
    io(0x8917, "SIOCGIFDSTADDR", Ptr(IFREQ)),
    io(0x8919, "SIOCGIFBRDADDR", Ptr(IFREQ)),
    io(0x891b, "SIOCGIFNETMASK", Ptr(IFREQ)),
    io(0x891d, "SIOCGIFMETRIC", Ptr(IFREQ)),
    io(0x8921, "SIOCGIFMTU", Ptr(IFREQ)),
    io(0x8927, "SIOCGIFHWADDR", Ptr(IFREQ)),
    io(0x8933, "SIOCGIFINDEX", Ptr(IFREQ)),
    io(0x8942, "SIOCGIFTXQLEN", Ptr(IFREQ)),
    // Files and block devices.
    io(0x8008_6601, "FS_IOC_GETFLAGS", Ptr(LONG)),
    io(0x4008_6602, "FS_IOC_SETFLAGS", Ptr(LONG)),
    io(0x8008_7601, "FS_IOC_GETVERSION", Ptr(LONG)),
    io(0x4004_9409, "FICLONE", Int),
    io(0x1260, "BLKGETSIZE", Ptr(LONG)),
    io(0x8008_1272, "BLKGETSIZE64", Ptr(LONG)),
    io(0x1268, "BLKSSZGET", Ptr(INT)),
    io(0x8008_1270, "BLKBSZGET", Ptr(LONG)),
];

/// The allowed request `request`, if it is one.
pub fn by_request(request: u32) -> Option<&'static Ioctl> {
    IOCTLS.iter().find(|i| i.request == request)
}

/// Guest `struct ifconf`: {i32 ifc_len @0, u32 ifc_buf @4}, 8 bytes.
pub const GUEST_IFCONF_SIZE: u32 = 8;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_names_are_unique() {
        for (i, a) in IOCTLS.iter().enumerate() {
            for b in &IOCTLS[i + 1..] {
                assert_ne!(a.request, b.request, "{} and {}", a.name, b.name);
                assert_ne!(a.name, b.name);
            }
        }
    }

    /// Where the request number encodes a size (_IOR/_IOW/_IOWR), it is the one listed.
    #[test]
    fn encoded_sizes_match() {
        for i in IOCTLS {
            let encoded = (i.request >> 16) & 0x3FFF;
            if encoded == 0 {
                continue;
            }
            match i.arg {
                Ptr(n) => assert_eq!(n, encoded, "{}", i.name),
                // TIOCSIG and FICLONE carry an int by value despite their encoding.
                Int => assert!(matches!(i.name, "TIOCSIG" | "FICLONE"), "{}", i.name),
                other => panic!("{}: {other:?} with an encoded size", i.name),
            }
        }
    }

    #[test]
    fn sizes_match_the_host() {
        assert_eq!(IFREQ as usize, std::mem::size_of::<libc::ifreq>());
        assert_eq!(WINSIZE as usize, std::mem::size_of::<libc::winsize>());
        assert_eq!(TIMEVAL as usize, std::mem::size_of::<libc::timeval>());
        assert!(by_request(0x8912).is_some());
        // SIOCETHTOOL (ifr_data pointer) and FS_IOC_FIEMAP (variable size) are not allowed.
        assert!(by_request(0x8946).is_none());
        assert!(by_request(0xC020_660B).is_none());
    }
}
