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
