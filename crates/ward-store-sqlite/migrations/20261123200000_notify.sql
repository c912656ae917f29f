-- Notifications: channels (configuration with secret fields encrypted by the server),
-- routing rules, and the outbox the delivery loop works through.

CREATE TABLE channels (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    kind       TEXT    NOT NULL,
    config     TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE notification_rules (
    id         INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    rule       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    channel         TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    event           TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at, id);

-- Git-host webhooks: per-product secret (encrypted by the server) and branch globs; the
-- triggers they record (scans to start, branches deleted); engagements closed by a deleted
-- branch.
CREATE TABLE product_hooks (
    product_id INTEGER PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    secret     TEXT    NOT NULL,
    branches   TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE triggers (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    provider   TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    branch     TEXT    NOT NULL,
    commit_sha TEXT,
    clone_url  TEXT    NOT NULL,
    data       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX triggers_product ON triggers (product_id, id);

ALTER TABLE engagements ADD COLUMN closed_at INTEGER;
