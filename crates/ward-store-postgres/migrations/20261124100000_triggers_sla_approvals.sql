-- Scan jobs started by git-host webhooks (the scanners a product's hook runs, the git token
-- its clones use, encrypted by the server; the job each trigger queued), SLA breaches already
-- notified, and gate approvals.

ALTER TABLE product_hooks ADD COLUMN scanners TEXT;
ALTER TABLE product_hooks ADD COLUMN git_token TEXT;
ALTER TABLE triggers ADD COLUMN job_id BIGINT REFERENCES jobs (id) ON DELETE SET NULL;

-- One row per finding whose breached SLA was notified, with the due date it breached: a
-- finding is notified again only when its due date changes (reopened, policy changed).
CREATE TABLE sla_notifications (
    finding_id  BIGINT PRIMARY KEY REFERENCES findings (id) ON DELETE CASCADE,
    sla_due     BIGINT NOT NULL,
    notified_at BIGINT NOT NULL
);

CREATE TABLE approvals (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id    BIGINT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    engagement_id BIGINT NOT NULL REFERENCES engagements (id) ON DELETE CASCADE,
    state         TEXT   NOT NULL CHECK (state IN ('pending', 'approved', 'refused')),
    verdict       TEXT   NOT NULL,
    requested_by  TEXT   NOT NULL,
    decided_by    TEXT,
    reason        TEXT,
    created_at    BIGINT NOT NULL,
    decided_at    BIGINT
);
CREATE INDEX approvals_product ON approvals (product_id, id);
