//! What a careless or hostile client can do to the HTTP API (issue 17), on a real loopback port with
//! the mini corpus: every error is JSON, made-up methods do not grow the metrics, invisible questions
//! are empty, the bearer scheme is case-insensitive, JSON is `nosniff` and `no-store`, an announced
//! oversized body is refused before it is sent.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use reqwest::blocking::Client;
use serde_json::{json, Value};

const TOKEN: &str = "rahasia-uji";

fn client() -> Client {
    Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// Status and JSON error code of a response (panics when the body is not the JSON error).
fn error_of(r: reqwest::blocking::Response) -> (u16, String) {
    let status = r.status().as_u16();
    let ctype = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let body = r.text().unwrap();
    assert!(
        ctype.starts_with("application/json"),
        "{status} {ctype}: {body}"
    );
    let v: Value = serde_json::from_str(&body).unwrap();
    (status, v["error"]["code"].as_str().unwrap().to_string())
}

/// Sends raw bytes and returns what the server answers first (the status line and headers).
fn raw(base: &str, request: &str) -> String {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut buf = [0u8; 4096];
    let n = s.read(&mut buf).unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).to_string()
}

#[test]
fn hostile_requests_get_json_errors_and_bounded_effects() {
    let site = common::mini_site(Some(TOKEN), |_| {});
    let base = &site.base;
    let c = client();

    // path rejections are JSON; admin paths check the token before parsing the path
    let (status, code) = error_of(c.get(format!("{base}/v1/articles/%FF")).send().unwrap());
    assert_eq!((status, code.as_str()), (400, "invalid_path"));
    let (status, _) = error_of(
        c.get(format!("{base}/v1/admin/reindex/%FF"))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 401, "no token, no path parsing");

    // questions of only invisible characters are empty, in the answer API and in search
    for q in [
        "\u{0}\u{0}",
        "\u{200b}\u{200c}\u{feff}",
        "\u{180e} \u{2060}",
    ] {
        let (status, code) = error_of(
            c.post(format!("{base}/v1/answer"))
                .json(&json!({ "question": q }))
                .send()
                .unwrap(),
        );
        assert_eq!((status, code.as_str()), (422, "empty_question"), "{q:?}");
    }
    let (status, _) = error_of(c.get(format!("{base}/v1/search?q=%00%00")).send().unwrap());
    assert_eq!(status, 422);

    // the bearer scheme is case-insensitive
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let r = c
            .get(format!("{base}/v1/admin/status"))
            .header("authorization", format!("{scheme} {TOKEN}"))
            .send()
            .unwrap();
        assert_eq!(r.status(), 200, "{scheme}");
    }

    // JSON is nosniff and no-store
    let r = c
        .post(format!("{base}/v1/answer"))
        .json(&json!({"question": "jam layanan"}))
        .send()
        .unwrap();
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.headers()["cache-control"], "no-store");

    // made-up methods are counted as OTHER: no new series per method
    for i in 0..20 {
        let method = reqwest::Method::from_bytes(format!("M{i}{}", "X".repeat(500)).as_bytes());
        let _ = c.request(method.unwrap(), format!("{base}/healthz")).send();
    }
    let metrics = c
        .get(format!("{base}/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        !metrics.contains("XXXX"),
        "method names leak into the metrics"
    );
    assert!(metrics.contains("method=\"OTHER\""), "{metrics}");

    // an announced body over the limit is refused at once, not invited with 100 Continue
    let head = raw(
        base,
        "POST /v1/answer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: 1000000\r\nExpect: 100-continue\r\n\r\n",
    );
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
}

/// Reads until the server closes the connection or `limit` passes; true when it closed.
fn closed_within(s: &mut TcpStream, limit: Duration) -> bool {
    s.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
            Err(_) => return false,
        }
    }
}

#[test]
fn slow_idle_and_excess_connections_are_closed() {
    let site = common::mini_site(None, |c| {
        c.server.max_connections = 8;
        c.server.header_timeout_ms = 500;
        c.server.body_timeout_ms = 500;
        c.server.idle_timeout_ms = 800;
    });
    let addr = site.base.trim_start_matches("http://").to_string();
    let connect = || TcpStream::connect(&addr).unwrap();

    // slowloris: half-sent headers fill the cap; the next connection gets a JSON 503 at once
    let mut slow: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut s = connect();
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                .unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    let busy = raw(&site.base, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(busy.starts_with("HTTP/1.1 503"), "{busy}");
    assert!(busy.contains("too_many_connections"), "{busy}");
    // ... and the slow ones are closed by the header timeout, freeing the slots
    for s in &mut slow {
        assert!(
            closed_within(s, Duration::from_secs(5)),
            "a slow client kept its connection"
        );
    }
    let ok = raw(&site.base, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");

    // a body announced but not sent is given up on
    let mut s = connect();
    s.write_all(
        b"POST /v1/answer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
          Content-Length: 40\r\n\r\n{\"question\"",
    )
    .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 2048];
    let n = s.read(&mut buf).unwrap_or(0);
    let head = String::from_utf8_lossy(&buf[..n]);
    assert!(n == 0 || head.starts_with("HTTP/1.1 4"), "{head}");

    // an idle keep-alive connection is closed after the idle timeout
    let mut s = connect();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let n = s.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    assert!(
        closed_within(&mut s, Duration::from_secs(5)),
        "idle connection kept open"
    );

    // a flood of half-sent requests is refused over the cap and leaves memory where it was
    let rss = || {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            })
            .unwrap_or(0)
    };
    let before = rss();
    for _ in 0..3 {
        let flood: Vec<TcpStream> = (0..400)
            .filter_map(|_| TcpStream::connect(&addr).ok())
            .map(|mut s| {
                let _ =
                    s.write_all(b"POST /v1/answer HTTP/1.1\r\nHost: x\r\nContent-Length: 9000\r\n");
                s
            })
            .collect();
        drop(flood);
        std::thread::sleep(Duration::from_millis(1500));
    }
    let after = rss();
    assert!(
        after < before + 64 * 1024,
        "memory grew from {before} kB to {after} kB after the flood"
    );

    // everything is released: the gauge is back to (about) the one connection asking
    std::thread::sleep(Duration::from_millis(200));
    let metrics = client()
        .get(format!("{}/metrics", site.base))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let open: usize = metrics
        .lines()
        .find_map(|l| l.strip_prefix("haipedia_open_connections "))
        .and_then(|n| n.trim().parse().ok())
        .expect("the open-connections gauge");
    assert!(open <= 2, "{open} connections still open");
}

#[test]
fn feedback_is_limited_per_client() {
    let site = common::mini_site(None, |c| c.server.feedback_per_minute = 3);
    let c = client();
    let answer: Value = c
        .post(format!("{}/v1/answer", site.base))
        .json(&json!({"question": "jam layanan"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let id = answer["request_id"].as_str().unwrap();
    let send = || {
        c.post(format!("{}/v1/feedback", site.base))
            .json(&json!({"request_id": id, "helpful": true, "rating": 5}))
            .send()
            .unwrap()
    };
    for _ in 0..3 {
        assert_eq!(send().status(), 201);
    }
    let (status, code) = error_of(send());
    assert_eq!((status, code.as_str()), (429, "too_many_requests"));
}
