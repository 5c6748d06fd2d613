//! A small W3C WebDriver client for Debian's headless Chromium (chromedriver), enough for the pages'
//! end-to-end tests: navigate, find, click, type, run a script, resize, screenshot.
#![allow(dead_code)]

use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use serde_json::{json, Value};

/// Key codes of the WebDriver protocol.
pub mod key {
    pub const ENTER: &str = "\u{E007}";
    pub const TAB: &str = "\u{E004}";
    pub const ESCAPE: &str = "\u{E00C}";
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long `wait_*` helpers wait before failing the test.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// One chromedriver for the test binary.
struct Driver {
    url: String,
    _process: Child,
}

fn driver() -> &'static Driver {
    static D: OnceLock<Driver> = OnceLock::new();
    D.get_or_init(|| {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        // chromedriver (and its browsers) end with the test binary, which never drops statics
        let watch = format!(
            "chromedriver --port={port} & d=$!; while kill -0 {} 2>/dev/null; do sleep 0.5; done; kill $d",
            std::process::id()
        );
        let process = Command::new("bash")
            .args(["-c", &watch])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("bash");
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while http().get(format!("{url}/status")).send().is_err() {
            assert!(
                started.elapsed() < PATIENCE,
                "chromedriver did not start: run scripts/setup-browser.sh (make test does)"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver {
            url,
            _process: process,
        }
    })
}

fn http() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .expect("http client")
}

/// A headless Chromium window (one WebDriver session), closed on drop.
pub struct Browser {
    session: String,
    http: Client,
}

/// An element of the page.
#[derive(Clone)]
pub struct Element(String);

impl Browser {
    /// Opens a headless Chromium window of `width` x `height` CSS pixels.
    pub fn open(width: u32, height: u32) -> Browser {
        let http = http();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--lang=id-ID", format!("--window-size={width},{height}")]
            }
        }}});
        let r: Value = http
            .post(format!("{}/session", driver().url))
            .json(&caps)
            .send()
            .and_then(|r| r.json())
            .expect("new WebDriver session");
        let session = r["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {r}"))
            .to_string();
        let browser = Browser { session, http };
        browser.resize(width, height);
        browser
    }

    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}{path}", driver().url, self.session);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body),
        };
        let r: Value = request
            .send()
            .and_then(|r| r.json())
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        if let Some(error) = r["value"]["error"].as_str() {
            panic!("{method} {path}: {error}: {}", r["value"]["message"]);
        }
        r["value"].clone()
    }

    /// Loads `url` and waits for the document.
    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url }));
    }

    /// The current address.
    pub fn url(&self) -> String {
        self.call("GET", "/url", Value::Null)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Sets the viewport to `width` x `height` CSS pixels (the window is resized to fit).
    pub fn resize(&self, width: u32, height: u32) {
        let outer = self.script(
            "return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight]",
            json!([]),
        );
        let dw = outer[0].as_u64().unwrap_or(0) as u32;
        let dh = outer[1].as_u64().unwrap_or(0) as u32;
        self.call(
            "POST",
            "/window/rect",
            json!({"width": width + dw, "height": height + dh}),
        );
    }

    /// Runs `body` as a function with `args`; returns its result.
    pub fn script(&self, body: &str, args: Value) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            json!({"script": body, "args": args}),
        )
    }

    /// Runs `body` as an async function whose last argument is the callback.
    pub fn script_async(&self, body: &str) -> Value {
        self.call(
            "POST",
            "/execute/async",
            json!({"script": body, "args": []}),
        )
    }

    /// Grants a browser permission (e.g. "clipboard-read") to the page's origin.
    pub fn grant(&self, permission: &str) {
        self.call(
            "POST",
            "/permissions",
            json!({"descriptor": {"name": permission}, "state": "granted"}),
        );
    }

    /// The first element matching `css`, if any.
    pub fn find(&self, css: &str) -> Option<Element> {
        let all = self.find_all(css);
        all.into_iter().next()
    }

    /// All elements matching `css`.
    pub fn find_all(&self, css: &str) -> Vec<Element> {
        self.call(
            "POST",
            "/elements",
            json!({"using": "css selector", "value": css}),
        )
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e[ELEMENT].as_str().map(|id| Element(id.to_string())))
                .collect()
        })
        .unwrap_or_default()
    }

    /// Waits until `css` matches a displayed element.
    pub fn wait_for(&self, css: &str) -> Element {
        self.wait_until(&format!("{css} is displayed"), || {
            self.find_all(css).into_iter().find(|e| self.displayed(e))
        })
    }

    /// Polls `check` until it returns `Some`, failing the test after [`PATIENCE`].
    pub fn wait_until<T>(&self, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
        let started = Instant::now();
        loop {
            if let Some(v) = check() {
                return v;
            }
            assert!(started.elapsed() < PATIENCE, "timed out waiting: {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Clicks `e`.
    pub fn click(&self, e: &Element) {
        self.call("POST", &format!("/element/{}/click", e.0), json!({}));
    }

    /// Types `text` into `e` (key codes from [`key`] allowed).
    pub fn type_into(&self, e: &Element, text: &str) {
        self.call(
            "POST",
            &format!("/element/{}/value", e.0),
            json!({ "text": text }),
        );
    }

    /// Empties an input.
    pub fn clear(&self, e: &Element) {
        self.call("POST", &format!("/element/{}/clear", e.0), json!({}));
    }

    /// Presses keys on whatever has focus.
    pub fn press(&self, keys: &str) {
        let mut actions = Vec::new();
        for c in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": c.to_string()}));
            actions.push(json!({"type": "keyUp", "value": c.to_string()}));
        }
        self.call(
            "POST",
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        );
    }

    /// Visible text of `e`.
    pub fn text(&self, e: &Element) -> String {
        self.call("GET", &format!("/element/{}/text", e.0), Value::Null)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// A DOM property of `e` (e.g. "value").
    pub fn property(&self, e: &Element, name: &str) -> Value {
        self.call(
            "GET",
            &format!("/element/{}/property/{name}", e.0),
            Value::Null,
        )
    }

    /// Whether `e` is displayed.
    pub fn displayed(&self, e: &Element) -> bool {
        self.call("GET", &format!("/element/{}/displayed", e.0), Value::Null)
            .as_bool()
            .unwrap_or(false)
    }

    /// The `id` attribute of the focused element.
    pub fn focused_id(&self) -> String {
        self.script("return document.activeElement.id", json!([]))
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// A PNG of the viewport, written to `path`.
    pub fn screenshot(&self, path: &std::path::Path) {
        use base64::Engine;
        let data = self.call("GET", "/screenshot", Value::Null);
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap_or_default())
            .expect("screenshot is base64");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot folder");
        }
        std::fs::write(path, png).expect("write screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let url = format!("{}/session/{}", driver().url, self.session);
        let _ = self.http.delete(url).send();
    }
}
