//! Browser proof: a real headless Chromium opens every page of the
//! adversarial archive's output and of `../shared/corpus`'s output, served
//! over loopback HTTP, and checks that no script from content ran (no
//! dialog, no global it would set) and that no request left loopback.
//!
//! Requests are seen through the DevTools protocol (`Network` events), so
//! a request counts even when it would fail; the browser also resolves
//! every host but loopback to nothing, so none can leave the machine.
//! Skips with a message where Chromium is missing, except under `CI`.

mod common;

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// Runs before any script of each page: records dialogs instead of
/// blocking on them.
const DIALOG_PROBE: &str = "window.__hindsightDialogs = [];\
    for (const name of ['alert', 'confirm', 'prompt', 'print']) {\
      window[name] = (...args) => { window.__hindsightDialogs.push(name + ':' + args.join(' ')); };\
    }";

/// Read after each page's load event: what content could have done.
const REPORT: &str = "JSON.stringify({href: location.href, \
    dialogs: window.__hindsightDialogs || [], keys: Object.keys(window)})";

/// What one page did.
#[derive(Debug, Default)]
struct Visit {
    dialogs: Vec<String>,
    new_globals: Vec<String>,
}

/// One headless Chromium and one page in it, driven over the DevTools
/// protocol: a single WebSocket, commands answered in order, events
/// collected as they arrive. (A client library was tried first; its
/// transport waits up to 100 ms on every call, which made a corpus run
/// take minutes.)
struct Probe {
    browser: Child,
    _profile: tempfile::TempDir,
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    session: String,
    next_id: u64,
    /// Every URL the page asked for (`Network.requestWillBeSent`).
    requests: Vec<String>,
    /// Dialogs the browser opened despite the probe.
    native_dialogs: Vec<String>,
    loaded: bool,
}

impl Drop for Probe {
    fn drop(&mut self) {
        let _ = self.browser.kill();
        let _ = self.browser.wait();
    }
}

impl Probe {
    fn launch(chromium: PathBuf) -> Probe {
        let profile = tempfile::tempdir().unwrap();
        let mut browser = Command::new(chromium)
            .args(common::CHROMIUM_FLAGS)
            .args([
                "--disable-extensions",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
                "about:blank",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("Chromium starts");
        let mut stderr = BufReader::new(browser.stderr.take().unwrap());
        let mut line = String::new();
        let ws_url = loop {
            line.clear();
            assert!(
                stderr.read_line(&mut line).unwrap() > 0,
                "Chromium exited before listening"
            );
            if let Some(url) = line.trim().strip_prefix("DevTools listening on ") {
                break url.to_string();
            }
        };
        // Keep draining stderr so Chromium never blocks on it.
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        let (socket, _) = tungstenite::connect(ws_url.as_str()).expect("DevTools socket");
        if let MaybeTlsStream::Plain(stream) = socket.get_ref() {
            stream
                .set_read_timeout(Some(Duration::from_secs(30)))
                .unwrap();
        }
        let mut probe = Probe {
            browser,
            _profile: profile,
            socket,
            session: String::new(),
            next_id: 0,
            requests: Vec::new(),
            native_dialogs: Vec::new(),
            loaded: false,
        };
        let target = probe.call("Target.createTarget", json!({"url": "about:blank"}));
        let target = target["targetId"].as_str().unwrap().to_string();
        let attached = probe.call(
            "Target.attachToTarget",
            json!({"targetId": target, "flatten": true}),
        );
        probe.session = attached["sessionId"].as_str().unwrap().to_string();
        probe.call("Page.enable", json!({}));
        probe.call("Network.enable", json!({}));
        probe.call("Runtime.enable", json!({}));
        probe.call(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": DIALOG_PROBE}),
        );
        probe
    }

    /// Sends a command (to the page once attached) and waits for its
    /// answer, noting events that arrive meanwhile.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            message["sessionId"] = json!(self.session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .expect("send a DevTools command");
        loop {
            let message = self.read();
            if message["id"].as_u64() == Some(id) {
                assert!(message.get("error").is_none(), "{method} failed: {message}");
                return message["result"].clone();
            }
        }
    }

    /// Reads one message and notes what it tells.
    fn read(&mut self) -> Value {
        let frame = self.socket.read().expect("a DevTools message");
        let Message::Text(text) = frame else {
            return Value::Null;
        };
        let message: Value = serde_json::from_str(text.as_str()).unwrap();
        match message["method"].as_str() {
            Some("Network.requestWillBeSent") => self.requests.push(
                message["params"]["request"]["url"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            ),
            Some("Page.javascriptDialogOpening") => self.native_dialogs.push(
                message["params"]["message"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            ),
            Some("Page.loadEventFired") => self.loaded = true,
            _ => {}
        }
        message
    }

    /// Opens `url`, waits for its load event, and returns the report.
    fn open(&mut self, url: &str) -> Value {
        self.loaded = false;
        let navigated = self.call("Page.navigate", json!({"url": url}));
        assert!(
            navigated.get("errorText").is_none(),
            "{url} did not load: {navigated}"
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.loaded {
            assert!(Instant::now() < deadline, "{url} did not load in 30 s");
            self.read();
        }
        let result = self.call(
            "Runtime.evaluate",
            json!({"expression": REPORT, "returnByValue": true}),
        );
        let report: Value =
            serde_json::from_str(result["result"]["value"].as_str().unwrap_or("{}")).unwrap();
        assert_eq!(
            report["href"],
            json!(url),
            "the report is of the page opened"
        );
        report
    }

    fn keys(report: &Value) -> Vec<String> {
        serde_json::from_value(report["keys"].clone()).unwrap_or_default()
    }

    fn visit(&mut self, url: &str, baseline: &[String]) -> Visit {
        let report = self.open(url);
        let mut visit = Visit {
            dialogs: serde_json::from_value(report["dialogs"].clone()).unwrap_or_default(),
            new_globals: Probe::keys(&report)
                .into_iter()
                .filter(|k| !baseline.contains(k))
                .collect(),
        };
        visit.dialogs.append(&mut self.native_dialogs);
        visit
    }
}

/// Every HTML page under `site`, relative, with `/`.
fn pages(site: &Path) -> Vec<String> {
    let mut pages: Vec<String> = walkdir::WalkDir::new(site)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            e.path()
                .strip_prefix(site)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    pages.sort();
    pages
}

/// Opens every page of `site` and asserts nothing from content ran and no
/// request left loopback. Returns how many pages were opened.
fn prove(site: &Path) -> usize {
    let Some(chromium) = common::browser_or_skip() else {
        return 0;
    };
    let base = common::serve(site, "/");
    let mut probe = Probe::launch(chromium);
    let baseline = Probe::keys(&probe.open(&format!("{base}404.html")));
    assert!(
        baseline.iter().any(|k| k == "__hindsightDialogs"),
        "the dialog probe is installed: {baseline:?}"
    );

    let pages = pages(site);
    let mut failures = Vec::new();
    for page in &pages {
        let visit = probe.visit(&format!("{base}{page}"), &baseline);
        if !visit.dialogs.is_empty() {
            failures.push(format!("{page}: dialogs {:?}", visit.dialogs));
        }
        if !visit.new_globals.is_empty() {
            failures.push(format!("{page}: globals {:?}", visit.new_globals));
        }
    }
    let requests = probe.requests.clone();
    assert!(
        requests.len() >= pages.len(),
        "every navigation is seen as a request ({} for {} pages)",
        requests.len(),
        pages.len()
    );
    let loopback = base.trim_end_matches('/');
    for url in &requests {
        if !(url.starts_with(&format!("{loopback}/")) || url.starts_with("data:")) {
            failures.push(format!("a request left loopback: {url}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    pages.len()
}

#[test]
fn no_content_script_runs_and_no_request_leaves_loopback_on_the_adversarial_site() {
    let root = tempfile::tempdir().unwrap();
    let dir = common::hostile::write_archive(root.path());
    let output = common::hindsight(&dir, &["build"]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let opened = prove(&dir.join("public"));
    if opened > 0 {
        assert!(opened >= 20, "only {opened} pages opened");
    }
}

#[test]
fn no_content_script_runs_and_no_request_leaves_loopback_on_the_corpus_site() {
    let Some(corpus) = common::corpus() else {
        eprintln!("skipped: ../shared/corpus is not present in this checkout");
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let output = common::hindsight(
        &common::repo(),
        &[
            "build",
            "--content",
            corpus.to_str().unwrap(),
            "--output",
            site.to_str().unwrap(),
        ],
    );
    assert!(output.status.success(), "{}", common::stderr(&output));
    let opened = prove(&site);
    if opened > 0 {
        assert!(opened >= 391, "only {opened} pages opened");
    }
}

/// The probe itself notices a script that runs, a dialog and a request to
/// another host: a page made to fail, served beside a clean one.
#[test]
fn the_probe_catches_a_script_a_dialog_and_a_remote_request() {
    let Some(chromium) = common::browser_or_skip() else {
        return;
    };
    let site = tempfile::tempdir().unwrap();
    common::write_files(
        site.path(),
        &[
            ("404.html", "<!doctype html><title>clean</title><p>clean"),
            (
                "bad.html",
                "<!doctype html><title>bad</title><script>window.__pwned = 1; alert('x')</script>\
                 <img src=\"https://evil.example/p.gif\">",
            ),
        ],
    );
    let base = common::serve(site.path(), "/");
    let mut probe = Probe::launch(chromium);
    let baseline = Probe::keys(&probe.open(&format!("{base}404.html")));
    let visit = probe.visit(&format!("{base}bad.html"), &baseline);
    assert_eq!(visit.dialogs, vec!["alert:x".to_string()]);
    assert_eq!(visit.new_globals, vec!["__pwned".to_string()]);
    let requests = probe.requests.clone();
    assert!(
        requests
            .iter()
            .any(|u| u.starts_with("https://evil.example/")),
        "{requests:?}"
    );
}
