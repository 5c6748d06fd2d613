//! The reader's side: poll the builder's current generation, fetch what is missing into a
//! staging folder, check each file's size and blake3 against the builder's list, publish it
//! locally (rename + `CURRENT`), hand it to the server to switch to, drop old generations.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use utoipa::ToSchema;

use super::{safe_relative, ClusterError, Listing};
use crate::index::{Generation, IndexGeneration, IndexRoot};

/// What a reader knows of the builder, for `/readyz` and `/v1/admin/status`.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct FollowerStatus {
    /// The builder's address.
    pub builder: String,
    /// The generation the builder served when last asked.
    pub builder_generation: Option<u64>,
    /// When the builder was last asked (UTC).
    pub last_check: Option<String>,
    /// Why the last check or fetch failed (none: it worked).
    pub last_error: Option<String>,
    /// Generations fetched since start.
    pub fetched: u64,
}

/// A running follower (see the module doc).
pub struct Follower {
    status: Arc<Mutex<FollowerStatus>>,
}

/// An HTTP client with the timeouts of a fetch inside the cluster's network.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(2)))
        .timeout_recv_response(Some(Duration::from_secs(10)))
        .timeout_recv_body(Some(Duration::from_secs(600)))
        .http_status_as_error(true)
        .build()
        .into()
}

fn http(url: &str) -> impl FnOnce(ureq::Error) -> ClusterError + '_ {
    move |e| ClusterError::Http {
        url: url.to_string(),
        message: e.to_string(),
    }
}

/// The builder's current generation and its files.
fn listing(agent: &ureq::Agent, builder: &str) -> Result<Listing, ClusterError> {
    let url = format!("{}/v1/cluster/generation", builder.trim_end_matches('/'));
    let text = agent
        .get(&url)
        .call()
        .map_err(http(&url))?
        .body_mut()
        .read_to_string()
        .map_err(http(&url))?;
    serde_json::from_str(&text).map_err(|e| ClusterError::Http {
        url,
        message: format!("not a generation listing: {e}"),
    })
}

/// Downloads every file of `listing` into `staging`, checking each against the list.
fn download(
    agent: &ureq::Agent,
    builder: &str,
    listing: &Listing,
    staging: &Path,
) -> Result<(), ClusterError> {
    for file in &listing.files {
        if !safe_relative(&file.path) {
            return Err(ClusterError::UnsafePath(file.path.clone()));
        }
        let url = format!(
            "{}/v1/cluster/files/{}/{}",
            builder.trim_end_matches('/'),
            listing.generation,
            file.path
        );
        let target = staging.join(&file.path);
        let io = |source| ClusterError::Io {
            path: target.display().to_string(),
            source,
        };
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).map_err(io)?;
        }
        let mut out = fs::File::create(&target).map_err(io)?;
        let mut body = agent
            .get(&url)
            .call()
            .map_err(http(&url))?
            .into_body()
            .into_reader();
        let mut hasher = blake3::Hasher::new();
        let mut buf = vec![0u8; 1 << 16];
        let mut size = 0u64;
        loop {
            let n = body.read(&mut buf).map_err(io)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(io)?;
        }
        out.sync_all().map_err(io)?;
        let hash = hasher.finalize().to_hex().to_string();
        if size != file.size || hash != file.blake3 {
            return Err(ClusterError::Mismatch {
                path: file.path.clone(),
                expected: format!("{} bytes, blake3 {}", file.size, file.blake3),
                got: format!("{size} bytes, blake3 {hash}"),
            });
        }
    }
    Ok(())
}

/// Makes the builder's current generation current in `root` (fetching it when it is not on disk
/// yet); returns it. A failed download leaves nothing behind.
pub fn fetch_generation(builder: &str, root: &IndexRoot) -> Result<Generation, ClusterError> {
    let agent = agent();
    let listing = listing(&agent, builder)?;
    install(&agent, builder, root, &listing)
}

fn install(
    agent: &ureq::Agent,
    builder: &str,
    root: &IndexRoot,
    listing: &Listing,
) -> Result<Generation, ClusterError> {
    let generation = Generation(listing.generation);
    if root
        .generation_dir(generation)
        .join("manifest.json")
        .is_file()
    {
        root.set_current(generation)?;
        return Ok(generation);
    }
    let staging = root.create_staging(generation)?;
    match download(agent, builder, listing, &staging) {
        Ok(()) => root.publish(&staging, generation)?,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    }
    Ok(generation)
}

impl Follower {
    /// Polls `builder` every `every` on a thread of its own. When its generation differs from
    /// `served()`, the generation is fetched into `root`, opened and handed to `switch`; then
    /// all but `keep` generations are removed.
    pub fn start(
        builder: String,
        root: IndexRoot,
        keep: usize,
        every: Duration,
        served: impl Fn() -> Generation + Send + 'static,
        switch: impl Fn(IndexGeneration) + Send + 'static,
    ) -> Follower {
        let status = Arc::new(Mutex::new(FollowerStatus {
            builder: builder.clone(),
            ..FollowerStatus::default()
        }));
        let shared = status.clone();
        let spawned = std::thread::Builder::new()
            .name("cluster-follow".into())
            .spawn(move || {
                let agent = agent();
                loop {
                    let result = step(&agent, &builder, &root, keep, &served, &switch, &shared);
                    let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
                    s.last_check = Some(crate::store::now_utc());
                    match result {
                        Ok(()) => s.last_error = None,
                        Err(e) => {
                            if s.last_error.as_deref() != Some(&e.to_string()) {
                                tracing::warn!(error = %e, "cannot follow the builder; serving what is here");
                            }
                            s.last_error = Some(e.to_string());
                        }
                    }
                    drop(s);
                    std::thread::sleep(every);
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start following the builder");
        }
        Follower { status }
    }

    /// What this reader knows of the builder.
    pub fn status(&self) -> FollowerStatus {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// One poll: the builder's generation, fetched and switched to when it differs.
fn step(
    agent: &ureq::Agent,
    builder: &str,
    root: &IndexRoot,
    keep: usize,
    served: &impl Fn() -> Generation,
    switch: &impl Fn(IndexGeneration),
    status: &Mutex<FollowerStatus>,
) -> Result<(), ClusterError> {
    let listing = listing(agent, builder)?;
    status
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .builder_generation = Some(listing.generation);
    if Generation(listing.generation) == served() {
        return Ok(());
    }
    let generation = install(agent, builder, root, &listing)?;
    let opened = IndexGeneration::open(root, generation)?;
    tracing::info!(generation = %generation, "fetched from the builder: switching");
    switch(opened);
    status.lock().unwrap_or_else(|p| p.into_inner()).fetched += 1;
    for old in root.collect_garbage(keep)? {
        tracing::info!(generation = %old, "removed an old generation");
    }
    Ok(())
}
