//! What the side tables of the server's SQLite database share: connections opened the same way
//! (folder created, a busy timeout so short writers wait for each other, schema applied) and the
//! time format they store.

use std::path::Path;

use rusqlite::Connection;

/// Opens the database at `path` (creating its folder if needed) and applies `schema`.
pub(crate) fn open(path: &Path, schema: &str) -> rusqlite::Result<Connection> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::create_dir_all(dir);
    }
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(schema)?;
    Ok(conn)
}

/// Now, RFC 3339 in UTC to the second (as stored).
pub(crate) fn now() -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}
