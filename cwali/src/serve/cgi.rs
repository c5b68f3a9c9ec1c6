//! CGI (RFC 3875) for `cwali serve`: the environment of a request (§4.1) and the parser of the
//! header section a program writes before its body (§6).

use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{StatusCode, Version};

/// What a request's CGI environment is made of, besides its headers.
pub struct RequestMeta<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// The route prefix (`SCRIPT_NAME`), without a trailing `/`.
    pub script_name: &'a str,
    /// The rest of the path (`PATH_INFO`), empty or starting with `/`.
    pub path_info: &'a str,
    /// The query without the `?`.
    pub query: &'a str,
    /// `HTTP/1.1`, ...
    pub version: Version,
    /// The `Host` header's name part, else the listening address.
    pub server_name: &'a str,
    /// The listening port.
    pub server_port: u16,
    /// The client's address.
    pub remote: std::net::SocketAddr,
    /// Length of the request body (`CONTENT_LENGTH` is set when it is non-empty or announced).
    pub content_length: Option<usize>,
}

/// The environment of a CGI program for one request, `NAME=value` entries: the meta-variables
/// of §4.1, then one `HTTP_*` per header (§4.1.18; not Content-Type and Content-Length, which
/// have their own), then `extra` (a route's `env`).
pub fn environment(meta: &RequestMeta<'_>, headers: &HeaderMap, extra: &[String]) -> Vec<String> {
    let mut env = vec![
        "GATEWAY_INTERFACE=CGI/1.1".to_string(),
        format!("REQUEST_METHOD={}", meta.method),
        format!("SCRIPT_NAME={}", meta.script_name),
        format!("PATH_INFO={}", meta.path_info),
        format!("QUERY_STRING={}", meta.query),
        format!("SERVER_NAME={}", meta.server_name),
        format!("SERVER_PORT={}", meta.server_port),
        format!("SERVER_PROTOCOL={:?}", meta.version),
        format!("SERVER_SOFTWARE=cwali/{}", env!("CARGO_PKG_VERSION")),
        format!("REMOTE_ADDR={}", meta.remote.ip()),
        format!("REMOTE_PORT={}", meta.remote.port()),
    ];
    if let Some(t) = headers.get(hyper::header::CONTENT_TYPE) {
        env.push(format!("CONTENT_TYPE={}", String::from_utf8_lossy(t.as_bytes())));
    }
    if let Some(n) = meta.content_length {
        env.push(format!("CONTENT_LENGTH={n}"));
    }
    // Repeated headers are joined with ", " (RFC 9110 §5.3), as one variable.
    let mut names: Vec<&HeaderName> = headers.keys().collect();
    names.dedup();
    for name in names {
        if name == hyper::header::CONTENT_TYPE || name == hyper::header::CONTENT_LENGTH {
            continue;
        }
        let values: Vec<String> =
            headers.get_all(name).iter().map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).collect();
        let var: String = name.as_str().chars().map(|c| if c == '-' { '_' } else { c.to_ascii_uppercase() }).collect();
        env.push(format!("HTTP_{var}={}", values.join(", ")));
    }
    env.extend(extra.iter().cloned());
    env
}

/// A URL path with its `%XX` escapes decoded (RFC 3875 §4.1.5: `PATH_INFO` is not
/// URL-encoded); an invalid escape stays as it is, and bytes that are not UTF-8 become U+FFFD.
pub fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The response a program's header section describes.
#[derive(Debug)]
pub struct CgiHead {
    /// From `Status:`, else 302 with a `Location:`, else 200.
    pub status: StatusCode,
    /// Every other header, `Location:` and `Content-Type:` included.
    pub headers: HeaderMap,
    /// Bytes of the output after the blank line: the start of the body.
    pub body_start: usize,
}

/// Why a header section is not a valid CGI response (the server answers 502).
#[derive(Debug, PartialEq, Eq)]
pub enum CgiError {
    /// A line that is not `Name: value`, or a bad name or value.
    BadLine(String),
    /// A `Status:` that is not a three-digit code.
    BadStatus(String),
    /// No `Content-Type`, `Status` or `Location`.
    NoDocument,
    /// The header section is larger than [`MAX_HEAD`].
    TooLarge,
}

impl std::fmt::Display for CgiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CgiError::BadLine(l) => write!(f, "not a CGI header line: {l:?}"),
            CgiError::BadStatus(s) => write!(f, "bad CGI Status: {s:?}"),
            CgiError::NoDocument => write!(f, "CGI response without Content-Type, Status or Location"),
            CgiError::TooLarge => write!(f, "CGI header section larger than {MAX_HEAD} bytes"),
        }
    }
}

/// The largest header section accepted.
pub const MAX_HEAD: usize = 64 << 10;

/// Parse the header section at the start of `out`: `Ok(None)` while the blank line that ends it
/// (`\n\n` or `\r\n\r\n`, or a mix) has not arrived yet.
pub fn parse_head(out: &[u8]) -> Result<Option<CgiHead>, CgiError> {
    let mut pos = 0;
    let mut lines = Vec::new();
    let body_start = loop {
        let Some(nl) = out[pos..].iter().position(|&b| b == b'\n') else {
            if out.len() > MAX_HEAD {
                return Err(CgiError::TooLarge);
            }
            return Ok(None);
        };
        let line = &out[pos..pos + nl];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        pos += nl + 1;
        if line.is_empty() {
            break pos;
        }
        lines.push(line);
        if pos > MAX_HEAD {
            return Err(CgiError::TooLarge);
        }
    };
    let mut status = None;
    let mut headers = HeaderMap::new();
    for line in lines {
        let text = String::from_utf8_lossy(line);
        let Some((name, value)) = text.split_once(':') else { return Err(CgiError::BadLine(text.into_owned())) };
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            let code = value.split_whitespace().next().unwrap_or_default();
            let code = (code.len() == 3).then(|| code.parse::<u16>().ok()).flatten();
            status = Some(
                code.and_then(|c| StatusCode::from_u16(c).ok())
                    .ok_or_else(|| CgiError::BadStatus(value.to_string()))?,
            );
            continue;
        }
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| CgiError::BadLine(text.to_string()))?;
        let value = HeaderValue::from_str(value).map_err(|_| CgiError::BadLine(text.to_string()))?;
        headers.append(name, value);
    }
    let location = headers.contains_key(hyper::header::LOCATION);
    if status.is_none() && !location && !headers.contains_key(hyper::header::CONTENT_TYPE) {
        return Err(CgiError::NoDocument);
    }
    // A client redirect (§6.2.4) without its own status is a 302.
    let status = status.unwrap_or(if location { StatusCode::FOUND } else { StatusCode::OK });
    Ok(Some(CgiHead { status, headers, body_start }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_response_with_either_line_ending() {
        for out in [&b"Content-Type: text/plain\n\nhello"[..], b"Content-Type: text/plain\r\nX-A: 1\r\n\r\nhello"] {
            let head = parse_head(out).unwrap().unwrap();
            assert_eq!(head.status, StatusCode::OK);
            assert_eq!(head.headers["content-type"], "text/plain");
            assert_eq!(&out[head.body_start..], b"hello");
        }
    }

    #[test]
    fn status_and_location() {
        let head = parse_head(b"Status: 404 Not Found\nContent-Type: text/html\n\n").unwrap().unwrap();
        assert_eq!(head.status, StatusCode::NOT_FOUND);
        let head = parse_head(b"Location: http://x/\n\n").unwrap().unwrap();
        assert_eq!(head.status, StatusCode::FOUND);
        assert_eq!(head.headers["location"], "http://x/");
        assert_eq!(parse_head(b"Status: abc\n\n").unwrap_err(), CgiError::BadStatus("abc".into()));
    }

    #[test]
    fn incomplete_and_malformed_sections() {
        assert!(parse_head(b"Content-Type: text/plain\n").unwrap().is_none());
        assert!(parse_head(b"").unwrap().is_none());
        assert!(matches!(parse_head(b"hello world\n\n"), Err(CgiError::BadLine(_))));
        assert_eq!(parse_head(b"X-A: 1\n\n").unwrap_err(), CgiError::NoDocument);
        assert_eq!(parse_head(&vec![b'a'; MAX_HEAD + 1]).unwrap_err(), CgiError::TooLarge);
    }

    #[test]
    fn path_info_is_decoded() {
        assert_eq!(percent_decode("/a%20b/%C3%A9%2f"), "/a b/é/");
        assert_eq!(percent_decode("/100%/%zz%4"), "/100%/%zz%4");
    }

    #[test]
    fn the_environment_has_the_meta_variables_and_the_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "text/plain".parse().unwrap());
        headers.insert("content-length", "3".parse().unwrap());
        headers.append("x-my-header", "a".parse().unwrap());
        headers.append("x-my-header", "b".parse().unwrap());
        let meta = RequestMeta {
            method: "POST",
            script_name: "/app",
            path_info: "/x/y",
            query: "a=1",
            version: Version::HTTP_11,
            server_name: "localhost",
            server_port: 8080,
            remote: "127.0.0.1:5000".parse().unwrap(),
            content_length: Some(3),
        };
        let env = environment(&meta, &headers, &["FOO=bar".into()]);
        for want in [
            "GATEWAY_INTERFACE=CGI/1.1",
            "REQUEST_METHOD=POST",
            "SCRIPT_NAME=/app",
            "PATH_INFO=/x/y",
            "QUERY_STRING=a=1",
            "SERVER_PROTOCOL=HTTP/1.1",
            "CONTENT_TYPE=text/plain",
            "CONTENT_LENGTH=3",
            "HTTP_X_MY_HEADER=a, b",
            "REMOTE_ADDR=127.0.0.1",
            "REMOTE_PORT=5000",
            "FOO=bar",
        ] {
            assert!(env.iter().any(|e| e == want), "{want} missing from {env:?}");
        }
        assert!(!env.iter().any(|e| e.starts_with("HTTP_CONTENT")), "{env:?}");
    }
}
