//! `hindsight serve`: build, serve the site over HTTP, rebuild on change,
//! and reload open browser tabs.
//!
//! - The reload script is injected into HTML responses only here; the
//!   built files on disk never contain it.
//! - Tabs listen on a Server-Sent Events channel
//!   (`/__hindsight/events`): `reload` after a good build, `failed` (with
//!   the errors) after a failed one. A failed build leaves the last good
//!   site up, and every page shows an overlay with the errors until the
//!   next good build (`/__hindsight/status` tells a freshly loaded page).
//! - Requests resolve only to files inside the output folder: `..`
//!   segments, encoded or not, and symbolic links out get 404.
//! - It binds loopback unless told otherwise.
//!
//! The rebuild loop runs on its own thread (rayon work never runs on tokio
//! worker threads).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use tokio::sync::broadcast;

use crate::build::{BuildOptions, Plan};
use crate::watch::Outcome;

/// The script injected into served pages.
const RELOAD_JS: &str = include_str!("serve/reload.js");
/// Where the script is served.
const RELOAD_PATH: &str = "/__hindsight/reload.js";

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// What to build.
    pub build: BuildOptions,
    /// Address to bind: loopback unless told otherwise.
    pub bind: std::net::IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Use a polling watcher.
    pub poll: bool,
}

/// One problem, as the overlay shows it.
#[derive(Debug, Clone, Serialize)]
struct ErrorLine {
    file: String,
    line: Option<u32>,
    code: String,
    message: String,
}

/// The state of the last build.
#[derive(Debug, Clone, Default, Serialize)]
struct Status {
    /// Builds so far.
    generation: u64,
    /// Whether the last build succeeded.
    ok: bool,
    /// The errors of the last build, if it failed.
    errors: Vec<ErrorLine>,
}

struct Shared {
    output: PathBuf,
    status: Mutex<Status>,
    events: broadcast::Sender<(String, String)>,
}

/// Builds, serves and rebuilds until the process ends. `on_ready` gets the
/// URL once the server listens; `on_build` gets every build's outcome (for
/// the one-line reports).
///
/// Errors: the configuration cannot be read, the address cannot be bound,
/// or the file system cannot be watched.
pub fn serve(
    options: ServeOptions,
    on_ready: impl FnOnce(&str) + Send + 'static,
    mut on_build: impl FnMut(&Outcome) + Send + 'static,
) -> anyhow::Result<()> {
    let plan = Plan::new(&options.build).map_err(|d| anyhow::anyhow!("{d}"))?;
    let output = std::path::absolute(&plan.output)?;
    let (events, _) = broadcast::channel(16);
    let shared = Arc::new(Shared {
        output,
        status: Mutex::new(Status::default()),
        events,
    });

    let watcher_shared = shared.clone();
    let build_options = options.build.clone();
    let poll = options.poll;
    std::thread::spawn(move || {
        let result = crate::watch::run(&build_options, poll, |outcome| {
            let (kind, data) = {
                let Ok(mut status) = watcher_shared.status.lock() else {
                    return;
                };
                status.generation += 1;
                match &outcome {
                    Outcome::Built { .. } => {
                        status.ok = true;
                        status.errors.clear();
                    }
                    Outcome::Failed { failure, .. } => {
                        status.ok = false;
                        status.errors = failure
                            .diagnostics
                            .iter()
                            .filter(|d| d.level == crate::diagnostics::Level::Error)
                            .map(|d| ErrorLine {
                                file: d.file.display().to_string(),
                                line: d.position.map(|p| p.line),
                                code: d.code.to_string(),
                                message: d.message.clone(),
                            })
                            .collect();
                    }
                }
                let kind = if status.ok { "reload" } else { "failed" };
                (
                    kind.to_string(),
                    serde_json::to_string(&*status).unwrap_or_default(),
                )
            };
            on_build(&outcome);
            let _ = watcher_shared.events.send((kind, data));
        });
        if let Err(e) = result {
            eprintln!("error: watching stopped: {e}");
        }
    });

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let app = Router::new()
            .route(RELOAD_PATH, get(reload_js))
            .route("/__hindsight/events", get(event_stream))
            .route("/__hindsight/status", get(status))
            .fallback(page)
            .with_state(shared);
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::new(options.bind, options.port)).await?;
        let address = listener.local_addr()?;
        on_ready(&format!("http://{address}/"));
        axum::serve(listener, app).await?;
        Ok(())
    })
}

async fn reload_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        RELOAD_JS,
    )
}

async fn status(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let status = shared.status.lock().map(|s| s.clone()).unwrap_or_default();
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        serde_json::to_string(&status).unwrap_or_default(),
    )
}

async fn event_stream(State(shared): State<Arc<Shared>>) -> impl IntoResponse {
    let receiver = shared.events.subscribe();
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok((kind, data)) => {
                    return Some((
                        Ok::<Event, std::convert::Infallible>(
                            Event::default().event(kind).data(data),
                        ),
                        receiver,
                    ));
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// Percent-decodes a URL path; `None` for invalid UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The file a URL path names inside `root`, or `None`: `..` segments,
/// backslashes and NULs are refused, and the resolved file must stay
/// inside `root` after following symbolic links.
pub fn resolve_path(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    if decoded.contains('\0') || decoded.contains('\\') {
        return None;
    }
    let mut relative = PathBuf::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            other => relative.push(other),
        }
    }
    let mut file = root.join(relative);
    if file.is_dir() {
        file = file.join("index.html");
    }
    let canonical = file.canonicalize().ok()?;
    let root = root.canonicalize().ok()?;
    (canonical.starts_with(&root) && canonical.is_file()).then_some(canonical)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Adds the reload script to an HTML page.
fn inject(html: &[u8]) -> Vec<u8> {
    let tag = format!("<script src=\"{RELOAD_PATH}\" defer></script>");
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(at) => format!("{}{tag}{}", &text[..at], &text[at..]).into_bytes(),
        None => format!("{text}{tag}").into_bytes(),
    }
}

async fn page(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let found = resolve_path(&shared.output, uri.path());
    let (status, file) = match found {
        Some(file) => (StatusCode::OK, Some(file)),
        None => (
            StatusCode::NOT_FOUND,
            resolve_path(&shared.output, "/404.html"),
        ),
    };
    let Some(file) = file else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let Ok(bytes) = tokio::fs::read(&file).await else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let kind = content_type(&file);
    let body = if kind.starts_with("text/html") {
        inject(&bytes)
    } else {
        bytes
    };
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, kind)
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from(body))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_site() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("incidents/a")).unwrap();
        std::fs::write(site.join("index.html"), "home").unwrap();
        std::fs::write(site.join("incidents/a/index.html"), "a").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "secret").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), site.join("link.txt")).unwrap();
        assert!(resolve_path(&site, "/").is_some());
        assert!(resolve_path(&site, "/incidents/a/").is_some());
        assert!(
            resolve_path(&site, "/incidents/a").is_some(),
            "a folder serves its index"
        );
        for bad in [
            "/../secret.txt",
            "/%2e%2e/secret.txt",
            "/incidents/%2E%2E/%2e%2e/secret.txt",
            "/link.txt",
            "/..%2fsecret.txt",
            "/a%00b",
            "/%ff",
            "/..\\\\secret.txt",
        ] {
            assert!(resolve_path(&site, bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_script_goes_before_the_end_of_the_body() {
        let html = inject(b"<html><body><p>x</p></body></html>");
        assert_eq!(
            String::from_utf8(html).unwrap(),
            "<html><body><p>x</p><script src=\"/__hindsight/reload.js\" defer></script></body></html>"
        );
    }
}
