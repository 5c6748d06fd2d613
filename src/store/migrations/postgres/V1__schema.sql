-- HAIPEDIA's store in PostgreSQL: the tables and columns of the SQLite store (../sqlite/V1__schema.sql),
-- in PostgreSQL's types. Times are stored as SQLite stores them (text, UTC, 'YYYY-MM-DDTHH:MM:SSZ'),
-- so the two sort and compare alike; `day` (the WIB day) and `confidence_bin` are written with
-- each row (SQLite computes them as virtual columns).

CREATE TABLE questions (
    request_id     TEXT PRIMARY KEY,
    asked_at       TEXT NOT NULL,
    question       TEXT NOT NULL,
    channel        TEXT NOT NULL,
    decision       TEXT NOT NULL,
    confidence     DOUBLE PRECISION NOT NULL,
    top_id         TEXT,
    gap_group      BIGINT,
    latency_ms     DOUBLE PRECISION,
    generation     BIGINT,
    category       TEXT,
    service        TEXT,
    day            TEXT NOT NULL,
    confidence_bin INTEGER NOT NULL,
    helpful        BOOLEAN,
    rating         INTEGER
);
CREATE INDEX questions_decision ON questions (decision);
CREATE INDEX questions_asked ON questions (asked_at);

CREATE TABLE feedback (
    request_id TEXT NOT NULL REFERENCES questions (request_id) ON DELETE CASCADE,
    given_at   TEXT NOT NULL,
    helpful    BOOLEAN NOT NULL,
    rating     INTEGER,
    comment    TEXT
);
CREATE UNIQUE INDEX feedback_one_per_request ON feedback (request_id);

CREATE TABLE gap_groups (
    id            BIGSERIAL PRIMARY KEY,
    terms         TEXT NOT NULL,
    question      TEXT NOT NULL,
    examples      TEXT NOT NULL DEFAULT '[]',
    count         BIGINT NOT NULL,
    last_asked    TEXT NOT NULL,
    handled_entry TEXT,
    handled_by    TEXT,
    handled_at    TEXT
);
CREATE INDEX gap_groups_rank ON gap_groups (count DESC, last_asked DESC);
CREATE INDEX gap_groups_recent ON gap_groups (last_asked DESC, id DESC);

CREATE TABLE generations (
    id         BIGSERIAL PRIMARY KEY,
    generation BIGINT NOT NULL,
    started_at TEXT NOT NULL
);
CREATE INDEX generations_started ON generations (started_at);

-- the dashboard's aggregates, each an index-only range scan (as in SQLite)
CREATE INDEX questions_stats_decisions ON questions
    (day, decision, confidence_bin, helpful, rating, channel, confidence);
CREATE INDEX questions_stats_topics ON questions
    (day, category, service, decision, channel);
CREATE INDEX questions_stats_latency ON questions
    (day, latency_ms, channel) WHERE latency_ms IS NOT NULL;
CREATE INDEX questions_stats_gaps ON questions
    (day, gap_group, channel) WHERE gap_group IS NOT NULL;

CREATE TABLE changes (
    id     BIGSERIAL PRIMARY KEY,
    at     TEXT NOT NULL,
    who    TEXT NOT NULL,
    action TEXT NOT NULL,
    entry  TEXT,
    path   TEXT,
    before TEXT,
    after  TEXT,
    undoes BIGINT REFERENCES changes (id)
);
CREATE INDEX changes_entry ON changes (entry, id);
CREATE INDEX changes_undoes ON changes (undoes);

CREATE TABLE drafts (
    id          BIGSERIAL PRIMARY KEY,
    proposed_at TEXT NOT NULL,
    question    TEXT NOT NULL,
    answer      TEXT NOT NULL,
    request_id  TEXT,
    status      TEXT NOT NULL DEFAULT 'open',
    entry       TEXT,
    handled_by  TEXT,
    handled_at  TEXT
);
CREATE INDEX drafts_status ON drafts (status, id);
