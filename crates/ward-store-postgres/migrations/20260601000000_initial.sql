-- ward's store on PostgreSQL: the same tables as the SQLite backend, so both store the same
-- values. Times are Unix seconds; severities are ranks (info 0 … critical 4); statuses,
-- categories and scopes are their ward JSON names; lists are JSON text, except
-- findings.tools, which is '|A|B|' so that LIKE '%|A|%' finds one tool.

CREATE TABLE products (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT   NOT NULL UNIQUE,
    description TEXT,
    team        TEXT,
    tags        TEXT   NOT NULL DEFAULT '[]',
    sla         TEXT,
    created_at  BIGINT NOT NULL
);

CREATE TABLE engagements (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id  BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    name        TEXT   NOT NULL,
    description TEXT,
    created_at  BIGINT NOT NULL,
    UNIQUE (product_id, name)
);

CREATE TABLE tests (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    engagement_id BIGINT NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    product_id    BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    title         TEXT   NOT NULL,
    tool          TEXT   NOT NULL,
    format        TEXT   NOT NULL,
    scan_type     TEXT   NOT NULL,
    scan_date     BIGINT NOT NULL,
    version       TEXT,
    build_id      TEXT,
    commit_hash   TEXT,
    branch_tag    TEXT,
    tags          TEXT   NOT NULL DEFAULT '[]',
    n_findings    BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX tests_engagement_scan_type ON tests (engagement_id, scan_type, id);

CREATE TABLE findings (
    id                  BIGINT   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id          BIGINT   NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    fingerprint         TEXT     NOT NULL CHECK (length(fingerprint) BETWEEN 1 AND 256),
    status              TEXT     NOT NULL,
    active              BOOLEAN  NOT NULL,
    verified            BOOLEAN  NOT NULL,
    severity            SMALLINT NOT NULL,
    category            TEXT     NOT NULL,
    title               TEXT     NOT NULL,
    tools               TEXT     NOT NULL,
    rule_id             TEXT,
    file_path           TEXT,
    package             TEXT,
    url                 TEXT,
    first_seen          BIGINT   NOT NULL,
    last_seen           BIGINT   NOT NULL,
    sla_due             BIGINT,
    risk_accepted_until BIGINT,
    mitigated_at        BIGINT,
    assignee            TEXT,
    content_hash        TEXT     NOT NULL
) WITH (fillfactor = 80);
-- fillfactor: room on each page for the new row version when an import moves last_seen
-- (no indexed column changes), so those updates are HOT and write no index entries.
-- The deduplication key: one finding per fingerprint and product.
CREATE UNIQUE INDEX findings_product_fingerprint ON findings (product_id, fingerprint);
CREATE INDEX findings_product_severity ON findings (product_id, severity, id);
CREATE INDEX findings_product_first_seen ON findings (product_id, first_seen, id);
CREATE INDEX findings_product_sla_due ON findings (product_id, sla_due, id);
CREATE INDEX findings_severity ON findings (severity, id);
CREATE INDEX findings_accepted ON findings (risk_accepted_until) WHERE status = 'accepted';

-- The wide part of a finding, apart so that findings rows stay narrow: imports read and
-- update many findings rows and only the pages of results need the data.
CREATE TABLE finding_data (
    finding_id  BIGINT PRIMARY KEY REFERENCES findings (id) ON DELETE CASCADE,
    description TEXT,
    data        TEXT   NOT NULL
);

-- Every report (test) that saw a finding, and where it placed it.
CREATE TABLE finding_tests (
    finding_id BIGINT NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
    test_id    BIGINT NOT NULL REFERENCES tests (id) ON DELETE CASCADE,
    first_seen BIGINT NOT NULL,
    location   TEXT   NOT NULL,
    PRIMARY KEY (finding_id, test_id)
);
CREATE INDEX finding_tests_test ON finding_tests (test_id, finding_id);

-- CVE, GHSA, CWE … ids, upper-cased, for exact lookups.
CREATE TABLE finding_identifiers (
    finding_id BIGINT NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
    value      TEXT   NOT NULL,
    PRIMARY KEY (finding_id, value)
);
CREATE INDEX finding_identifiers_value ON finding_identifiers (value, finding_id);

-- Every status change and assignment: who, when, why.
CREATE TABLE finding_audit (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    finding_id          BIGINT NOT NULL REFERENCES findings (id) ON DELETE CASCADE,
    from_status         TEXT   NOT NULL,
    to_status           TEXT   NOT NULL,
    actor               TEXT   NOT NULL,
    at                  BIGINT NOT NULL,
    reason              TEXT,
    risk_accepted_until BIGINT,
    assignee            TEXT
);
CREATE INDEX finding_audit_finding ON finding_audit (finding_id, id);

CREATE TABLE api_keys (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       TEXT   NOT NULL,
    prefix     TEXT   NOT NULL,
    hash       TEXT   NOT NULL,
    scope      TEXT   NOT NULL,
    products   TEXT,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_keys_prefix ON api_keys (prefix);

CREATE TABLE users (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT   NOT NULL UNIQUE,
    password_hash TEXT   NOT NULL,
    scope         TEXT   NOT NULL,
    created_at    BIGINT NOT NULL
);
