-- The job queue (scan requests run by workers). Times are Unix seconds; payload is JSON text;
-- result_keys is a JSON list. A job is claimable when queued and not_before has come, or
-- running with a lease that has run out.

CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    kind             TEXT    NOT NULL,
    product          TEXT,
    payload          TEXT    NOT NULL,
    result_key       TEXT    NOT NULL,
    state            TEXT    NOT NULL DEFAULT 'queued'
                     CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL CHECK (max_attempts >= 1),
    worker           TEXT,
    lease_expires_at INTEGER,
    not_before       INTEGER NOT NULL,
    error            TEXT,
    result_keys      TEXT    NOT NULL DEFAULT '[]',
    created_at       INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER
);

CREATE INDEX jobs_queued ON jobs (not_before, id) WHERE state = 'queued';
CREATE INDEX jobs_leases ON jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX jobs_product ON jobs (product, id);
