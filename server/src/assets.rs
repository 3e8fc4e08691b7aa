//! The compiled site (WASM, JS, CSS, the favicon), served from memory ahead of sessions and the
//! user lookup, so a static file never touches the database. Release builds name `/pkg` files by
//! content hash and ship brotli and gzip copies (`cargo leptos build --release --precompress`):
//! those are sent as they are, with a one-year immutable cache.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

/// One file and its precompressed copies.
struct Asset {
    content_type: &'static str,
    raw: axum::body::Bytes,
    brotli: Option<axum::body::Bytes>,
    gzip: Option<axum::body::Bytes>,
    etag: HeaderValue,
    cache: HeaderValue,
}

#[derive(Clone, Default)]
pub struct Assets(Arc<HashMap<String, Asset>>);

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("wasm") => "application/wasm",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Whether the client takes `coding` (`br`, `gzip`) by its `Accept-Encoding`.
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |item| {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or("").trim();
            let q = parts.find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
            name.eq_ignore_ascii_case(coding) && q > 0.0
        },
    )
}

impl Assets {
    /// Reads every file under `site_root` (none if it does not exist, as in tests). `hashed`:
    /// the `/pkg` names carry content hashes, so they may be cached for good.
    pub fn load(site_root: &Path, hashed: bool) -> std::io::Result<Assets> {
        let mut files = HashMap::new();
        if site_root.is_dir() {
            load_dir(site_root, site_root, hashed, &mut files)?;
        }
        Ok(Assets(Arc::new(files)))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `/pkg/*` and the files at the site's top level (the favicon).
    pub fn routes(&self) -> Router {
        let mut router = Router::new().route("/pkg/{*file}", get(serve));
        for path in self.0.keys().filter(|p| !p.starts_with("/pkg/")) {
            router = router.route(path, get(serve));
        }
        router.with_state(self.clone())
    }
}

fn load_dir(root: &Path, dir: &Path, hashed: bool, files: &mut HashMap<String, Asset>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            load_dir(root, &path, hashed, files)?;
            continue;
        }
        let name = path.to_string_lossy();
        if name.ends_with(".br") || name.ends_with(".gz") {
            continue;
        }
        let url = format!("/{}", path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/"));
        let raw = std::fs::read(&path)?;
        let sibling = |ext: &str| std::fs::read(format!("{name}.{ext}")).ok().map(axum::body::Bytes::from);
        let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&raw)[..12]));
        let cache = if hashed && url.starts_with("/pkg/") {
            "public, max-age=31536000, immutable"
        } else {
            "public, max-age=300, must-revalidate"
        };
        files.insert(
            url.clone(),
            Asset {
                content_type: content_type(&url),
                brotli: sibling("br"),
                gzip: sibling("gz"),
                raw: raw.into(),
                etag: HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"\"")),
                cache: HeaderValue::from_static(cache),
            },
        );
    }
    Ok(())
}

async fn serve(State(assets): State<Assets>, req: Request) -> Response {
    let Some(asset) = assets.0.get(req.uri().path()) else {
        return (StatusCode::NOT_FOUND, "Not found.").into_response();
    };
    let headers = req.headers();
    let mut res = if headers.get(header::IF_NONE_MATCH) == Some(&asset.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let (body, coding) = match (&asset.brotli, &asset.gzip) {
            (Some(br), _) if accepts(headers, "br") => (br.clone(), Some("br")),
            (_, Some(gz)) if accepts(headers, "gzip") => (gz.clone(), Some("gzip")),
            _ => (asset.raw.clone(), None),
        };
        let mut res = Response::new(Body::from(body));
        if let Some(coding) = coding {
            res.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
        }
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
        res
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, asset.cache.clone());
    h.insert(header::ETAG, asset.etag.clone());
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_read_with_their_weights() {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip, deflate, br;q=0"));
        assert!(accepts(&h, "gzip") && !accepts(&h, "br"));
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br"));
        assert!(accepts(&h, "br") && !accepts(&h, "gzip"));
    }
}
