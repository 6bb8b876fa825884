//! The web dashboard (`web/`): its built bundle, `web/dist`, is embedded
//! in the binary and served at `/`, so `cargo run --release` on a fresh
//! clone serves it with nothing but Rust installed.
//!
//! - Files under `assets/` carry a content hash in their names (Vite):
//!   kept a year, `immutable`. Everything else (`index.html`, the icon)
//!   is revalidated each time (`no-cache`) against its `ETag`.
//! - A path that names no file is the single-page app's own route: a
//!   browser asking for HTML gets `index.html`; anything else is a 404
//!   (a missing script must never come back as HTML).
//! - Every answer carries a strict Content-Security-Policy: scripts,
//!   styles and connections from this origin only (the API and its
//!   WebSocket are same-origin), nothing inline, no framing.
//! - Text files are gzipped once, on first use, when the client accepts it.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::OnceLock;

use flate2::Compression;
use flate2::write::GzEncoder;
use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse as _, Request, Response};
use rust_embed::Embed;

/// The built dashboard (`npm run build` in `web/`; committed).
#[derive(Embed)]
#[folder = "../web/dist"]
struct Bundle;

/// What the dashboard may load: its own origin only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

const INDEX: &str = "index.html";
const HASHED: &str = "assets/";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// Serves the embedded dashboard.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebApp;

impl Endpoint for WebApp {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        if req.method() != Method::GET && req.method() != Method::HEAD {
            let mut refused = StatusCode::METHOD_NOT_ALLOWED.into_response();
            refused
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return Ok(refused);
        }
        let path = req.uri().path().trim_start_matches('/');
        let Some(name) = resolve(path, accepts_html(&req)) else {
            return Ok(StatusCode::NOT_FOUND.into_response());
        };
        Ok(serve(&req, name))
    }
}

/// The bundle file a request for `path` is answered with.
fn resolve(path: &str, wants_html: bool) -> Option<&'static str> {
    if let Some((name, _)) = files().get_key_value(path).filter(|_| !path.is_empty()) {
        return Some(name);
    }
    // The app's own routes (`/transactions`): not a file, asked by a page.
    let routed = path.is_empty() || (wants_html && !path.starts_with(HASHED));
    routed
        .then_some(INDEX)
        .filter(|_| files().contains_key(INDEX))
}

fn serve(req: &Request, name: &'static str) -> Response {
    let Some(file) = files().get(name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cache_control = if name.starts_with(HASHED) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let mut builder = Response::builder()
        .header(header::CONTENT_TYPE, file.content_type)
        .header(header::CACHE_CONTROL, cache_control)
        .header(header::ETAG, file.etag.as_str())
        .header(header::VARY, "Accept-Encoding")
        .header(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::REFERRER_POLICY, "no-referrer")
        .header(header::X_FRAME_OPTIONS, "DENY")
        .header("cross-origin-opener-policy", "same-origin");
    let not_modified = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == file.etag));
    if not_modified {
        return builder.status(StatusCode::NOT_MODIFIED).finish();
    }
    let body = match (&file.gzipped, accepts_gzip(req)) {
        (Some(gzipped), true) => {
            builder = builder.header(header::CONTENT_ENCODING, "gzip");
            gzipped.clone()
        }
        _ => file.data.clone(),
    };
    if req.method() == Method::HEAD {
        return builder.header(header::CONTENT_LENGTH, body.len()).finish();
    }
    builder.body(body)
}

/// One file of the bundle, ready to serve.
struct File {
    data: Vec<u8>,
    gzipped: Option<Vec<u8>>,
    content_type: &'static str,
    etag: String,
}

/// The bundle's files by path, read (and compressed) once.
fn files() -> &'static HashMap<&'static str, File> {
    static FILES: OnceLock<HashMap<&'static str, File>> = OnceLock::new();
    FILES.get_or_init(|| {
        Bundle::iter()
            .filter_map(|name| {
                let file = Bundle::get(&name)?;
                let content_type = content_type(&name);
                let data = file.data.into_owned();
                let gzipped = is_text(content_type).then(|| gzip(&data)).flatten();
                let hash = file.metadata.sha256_hash();
                let etag = format!("\"{}\"", hex(&hash[..16]));
                let name: &'static str = Box::leak(name.into_owned().into_boxed_str());
                Some((
                    name,
                    File {
                        data,
                        gzipped,
                        content_type,
                        etag,
                    },
                ))
            })
            .collect()
    })
}

fn gzip(data: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(data).ok()?;
    let compressed = encoder.finish().ok()?;
    (compressed.len() < data.len()).then_some(compressed)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The media type of a bundle file, by its extension.
fn content_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn is_text(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.starts_with("application/json")
        || content_type.starts_with("application/manifest")
        || content_type == "image/svg+xml"
}

fn accepts_html(req: &Request) -> bool {
    header_lists(req, header::ACCEPT, "text/html")
}

fn accepts_gzip(req: &Request) -> bool {
    header_lists(req, header::ACCEPT_ENCODING, "gzip")
}

/// Whether the comma-separated header `name` lists `item` (parameters
/// aside; `q=0` refuses it).
fn header_lists(req: &Request, name: header::HeaderName, item: &str) -> bool {
    req.headers()
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| {
            let mut pieces = part.split(';').map(str::trim);
            pieces.next().is_some_and(|m| m.eq_ignore_ascii_case(item))
                && !pieces.any(|p| p.replace(' ', "") == "q=0")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_follow_the_extension() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("assets/index-abc.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("assets/x.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("blob"), "application/octet-stream");
        assert!(is_text(content_type("a.svg")));
        assert!(!is_text(content_type("a.png")));
    }

    #[test]
    fn a_missing_asset_is_never_answered_with_the_page() {
        assert_eq!(resolve("assets/gone-123.js", true), None);
        assert_eq!(resolve("assets/gone-123.js", false), None);
        assert_eq!(resolve("", false), Some(INDEX));
        assert_eq!(resolve("transactions", true), Some(INDEX));
        assert_eq!(resolve("transactions", false), None);
    }

    #[test]
    fn every_file_of_the_bundle_is_served_and_the_page_names_only_bundle_assets() {
        let index = files()
            .get(INDEX)
            .expect("web/dist/index.html is committed");
        let page = String::from_utf8_lossy(&index.data);
        assert!(!page.contains("<script>"), "no inline script under the CSP");
        for reference in page.split('"').filter(|s| s.starts_with("/assets/")) {
            assert!(
                files().contains_key(&reference[1..]),
                "index.html names {reference}, which the bundle lacks"
            );
        }
    }
}
