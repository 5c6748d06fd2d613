//! Prometheus metrics: request counts and latency histograms per route, decisions, cache hits.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Latency histogram bucket bounds in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
    decisions: BTreeMap<String, u64>,
    cache_hits: u64,
    cache_misses: u64,
}

/// Counters and histograms of the server.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    /// Records one finished request.
    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let Ok(mut m) = self.inner.lock() else { return };
        *m.requests
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        let h = m.latency.entry(route.to_string()).or_default();
        let secs = took.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// Records a decision of `/v1/answer`.
    pub fn decision(&self, decision: &str) {
        if let Ok(mut m) = self.inner.lock() {
            *m.decisions.entry(decision.to_string()).or_default() += 1;
        }
    }

    /// Records a cache lookup.
    pub fn cache(&self, hit: bool) {
        if let Ok(mut m) = self.inner.lock() {
            if hit {
                m.cache_hits += 1;
            } else {
                m.cache_misses += 1;
            }
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let Ok(m) = self.inner.lock() else {
            return String::new();
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP haipedia_http_requests_total HTTP requests by route and status."
        );
        let _ = writeln!(out, "# TYPE haipedia_http_requests_total counter");
        for ((method, route, status), n) in &m.requests {
            let _ = writeln!(
                out,
                "haipedia_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP haipedia_http_request_duration_seconds Request latency by route."
        );
        let _ = writeln!(
            out,
            "# TYPE haipedia_http_request_duration_seconds histogram"
        );
        for (route, h) in &m.latency {
            for (bound, c) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "haipedia_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {c}"
                );
            }
            let _ = writeln!(
                out,
                "haipedia_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "haipedia_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "haipedia_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP haipedia_answer_decisions_total Decisions of /v1/answer."
        );
        let _ = writeln!(out, "# TYPE haipedia_answer_decisions_total counter");
        for (d, n) in &m.decisions {
            let _ = writeln!(
                out,
                "haipedia_answer_decisions_total{{decision=\"{d}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP haipedia_answer_cache_total Answer cache lookups."
        );
        let _ = writeln!(out, "# TYPE haipedia_answer_cache_total counter");
        let _ = writeln!(
            out,
            "haipedia_answer_cache_total{{result=\"hit\"}} {}",
            m.cache_hits
        );
        let _ = writeln!(
            out,
            "haipedia_answer_cache_total{{result=\"miss\"}} {}",
            m.cache_misses
        );
        let _ = writeln!(
            out,
            "# HELP haipedia_open_connections HTTP connections open now.\n\
             # TYPE haipedia_open_connections gauge\n\
             haipedia_open_connections {}",
            super::listener::OPEN_CONNECTIONS.load(std::sync::atomic::Ordering::Relaxed)
        );
        out
    }
}
