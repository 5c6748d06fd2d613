//! A per-client request budget: each client address gets `per_minute` requests, refilled evenly.

use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::Instant;

use lru::LruCache;

/// Clients remembered at once (the least recently seen are forgotten, i.e. get a full budget).
const CLIENTS: usize = 10_000;

/// Token buckets per client address.
pub struct RateLimiter {
    per_minute: f64,
    buckets: Mutex<LruCache<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests per client (bursts up to that many).
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute: f64::from(per_minute.max(1)),
            buckets: Mutex::new(LruCache::new(
                NonZeroUsize::new(CLIENTS).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }

    /// Takes one request from `client`'s budget; false when it is spent.
    pub fn allow(&self, client: IpAddr) -> bool {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, last) = buckets
            .get(&client)
            .copied()
            .unwrap_or((self.per_minute, now));
        let refilled = (tokens + now.duration_since(last).as_secs_f64() * self.per_minute / 60.0)
            .min(self.per_minute);
        let allowed = refilled >= 1.0;
        buckets.put(
            client,
            (if allowed { refilled - 1.0 } else { refilled }, now),
        );
        allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_budget_and_others_theirs() {
        let limiter = RateLimiter::new(3);
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        assert!((0..3).all(|_| limiter.allow(a)));
        assert!(!limiter.allow(a));
        assert!(limiter.allow(b));
    }
}
