-- HAIPEDIA's embedded store in SQLite, version 1: what the versions before versioned migrations
-- had built up (a file written by one of them is first brought to this by src/store/sqlite.rs),
-- and the same tables and columns as ../postgres/V1__schema.sql. `day` (the WIB day) and
-- `confidence_bin` are computed by SQLite; every dashboard aggregate is a range scan of one
-- covering index, in the order its GROUP BY needs.

CREATE TABLE IF NOT EXISTS questions (
    request_id     TEXT PRIMARY KEY,
    asked_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    question       TEXT NOT NULL,
    channel        TEXT NOT NULL,
    decision       TEXT NOT NULL,
    confidence     REAL NOT NULL,
    top_id         TEXT,
    gap_group      INTEGER,
    latency_ms     REAL,
    generation     INTEGER,
    category       TEXT,
    service        TEXT,
    day            TEXT GENERATED ALWAYS AS (date(asked_at, '+7 hours')) VIRTUAL,
    confidence_bin INTEGER GENERATED ALWAYS AS (min(max(CAST(confidence * 20 AS INTEGER), 0), 19)) VIRTUAL,
    helpful        INTEGER,
    rating         INTEGER
);
CREATE INDEX IF NOT EXISTS questions_decision ON questions (decision);
CREATE INDEX IF NOT EXISTS questions_asked ON questions (asked_at);

CREATE TABLE IF NOT EXISTS feedback (
    request_id TEXT NOT NULL REFERENCES questions (request_id),
    given_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    helpful    INTEGER NOT NULL,
    rating     INTEGER,
    comment    TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS feedback_one_per_request ON feedback (request_id);

CREATE TABLE IF NOT EXISTS gap_groups (
    id            INTEGER PRIMARY KEY,
    terms         TEXT NOT NULL,
    question      TEXT NOT NULL,
    examples      TEXT NOT NULL DEFAULT '[]',
    count         INTEGER NOT NULL,
    last_asked    TEXT NOT NULL,
    handled_entry TEXT,
    handled_by    TEXT,
    handled_at    TEXT
);
CREATE INDEX IF NOT EXISTS gap_groups_rank ON gap_groups (count DESC, last_asked DESC);

CREATE TABLE IF NOT EXISTS generations (
    generation INTEGER NOT NULL,
    started_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS generations_started ON generations (started_at);

CREATE INDEX IF NOT EXISTS questions_stats_decisions ON questions
    (day, decision, confidence_bin, helpful, rating, channel, confidence);
CREATE INDEX IF NOT EXISTS questions_stats_topics ON questions
    (day, category, service, decision, channel);
CREATE INDEX IF NOT EXISTS questions_stats_latency ON questions
    (day, latency_ms, channel) WHERE latency_ms IS NOT NULL;
CREATE INDEX IF NOT EXISTS questions_stats_gaps ON questions
    (day, gap_group, channel) WHERE gap_group IS NOT NULL;

CREATE TABLE IF NOT EXISTS changes (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at     TEXT NOT NULL,
    who    TEXT NOT NULL,
    action TEXT NOT NULL,
    entry  TEXT,
    path   TEXT,
    before TEXT,
    after  TEXT,
    undoes INTEGER REFERENCES changes (id)
);
CREATE INDEX IF NOT EXISTS changes_entry ON changes (entry, id);
CREATE INDEX IF NOT EXISTS changes_undoes ON changes (undoes);

CREATE TABLE IF NOT EXISTS drafts (
    id          INTEGER PRIMARY KEY,
    proposed_at TEXT NOT NULL,
    question    TEXT NOT NULL,
    answer      TEXT NOT NULL,
    request_id  TEXT,
    status      TEXT NOT NULL DEFAULT 'open',
    entry       TEXT,
    handled_by  TEXT,
    handled_at  TEXT
);
CREATE INDEX IF NOT EXISTS drafts_status ON drafts (status, id);
