-- Dashboard counts kept current by triggers, so that the overview of a million findings
-- reads a few hundred rows instead of a million index entries.
--
-- finding_state_counts: findings by product and stored state. The effective status of an
-- expired risk acceptance is open; readers correct for those from the findings_accepted
-- index, which holds only accepted findings.
-- finding_day_counts: per product and UTC day, findings first seen that day (opened) and the
-- audit entries that took a finding out of open (closed) or back to it (reopened).
CREATE TABLE finding_state_counts (
    product_id INTEGER NOT NULL,
    severity   INTEGER NOT NULL,
    category   TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    active     INTEGER NOT NULL,
    verified   INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (product_id, severity, category, status, active, verified)
) WITHOUT ROWID;

CREATE TABLE finding_day_counts (
    product_id INTEGER NOT NULL,
    day        INTEGER NOT NULL,
    opened     INTEGER NOT NULL DEFAULT 0,
    closed     INTEGER NOT NULL DEFAULT 0,
    reopened   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (product_id, day)
) WITHOUT ROWID;

INSERT INTO finding_state_counts
SELECT product_id, severity, category, status, active, verified, COUNT(*)
FROM findings GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO finding_day_counts (product_id, day, opened, closed, reopened)
SELECT product_id, day, SUM(opened), SUM(closed), SUM(reopened) FROM (
    SELECT product_id, first_seen / 86400 AS day, 1 AS opened, 0 AS closed, 0 AS reopened
    FROM findings
    UNION ALL
    SELECT f.product_id, a.at / 86400, 0, a.to_status <> 'open', a.to_status = 'open'
    FROM finding_audit a JOIN findings f ON f.id = a.finding_id
    WHERE (a.from_status = 'open') <> (a.to_status = 'open')
) AS changes GROUP BY 1, 2;

CREATE TRIGGER findings_counts_insert AFTER INSERT ON findings
BEGIN
    INSERT INTO finding_state_counts
    VALUES (NEW.product_id, NEW.severity, NEW.category, NEW.status, NEW.active, NEW.verified, 1)
    ON CONFLICT (product_id, severity, category, status, active, verified) DO UPDATE SET n = n + 1;
    INSERT INTO finding_day_counts (product_id, day, opened)
    VALUES (NEW.product_id, NEW.first_seen / 86400, 1)
    ON CONFLICT (product_id, day) DO UPDATE SET opened = opened + 1;
END;

CREATE TRIGGER findings_counts_update
AFTER UPDATE OF product_id, severity, category, status, active, verified, first_seen ON findings
WHEN OLD.product_id IS NOT NEW.product_id OR OLD.severity IS NOT NEW.severity
    OR OLD.category IS NOT NEW.category OR OLD.status IS NOT NEW.status
    OR OLD.active IS NOT NEW.active OR OLD.verified IS NOT NEW.verified
    OR OLD.first_seen / 86400 IS NOT NEW.first_seen / 86400
BEGIN
    UPDATE finding_state_counts SET n = n - 1
    WHERE product_id = OLD.product_id AND severity = OLD.severity AND category = OLD.category
        AND status = OLD.status AND active = OLD.active AND verified = OLD.verified;
    INSERT INTO finding_state_counts
    VALUES (NEW.product_id, NEW.severity, NEW.category, NEW.status, NEW.active, NEW.verified, 1)
    ON CONFLICT (product_id, severity, category, status, active, verified) DO UPDATE SET n = n + 1;
    UPDATE finding_day_counts SET opened = opened - 1
    WHERE product_id = OLD.product_id AND day = OLD.first_seen / 86400;
    INSERT INTO finding_day_counts (product_id, day, opened)
    VALUES (NEW.product_id, NEW.first_seen / 86400, 1)
    ON CONFLICT (product_id, day) DO UPDATE SET opened = opened + 1;
END;

-- A deletion only lowers existing counters: when a product goes, its counter rows may
-- already be gone, and nothing is to be added back for it.
CREATE TRIGGER findings_counts_delete AFTER DELETE ON findings
BEGIN
    UPDATE finding_state_counts SET n = n - 1
    WHERE product_id = OLD.product_id AND severity = OLD.severity AND category = OLD.category
        AND status = OLD.status AND active = OLD.active AND verified = OLD.verified;
    UPDATE finding_day_counts SET opened = opened - 1
    WHERE product_id = OLD.product_id AND day = OLD.first_seen / 86400;
END;

CREATE TRIGGER finding_audit_counts_insert AFTER INSERT ON finding_audit
WHEN (NEW.from_status = 'open') <> (NEW.to_status = 'open')
BEGIN
    INSERT INTO finding_day_counts (product_id, day, closed, reopened)
    SELECT product_id, NEW.at / 86400, NEW.to_status <> 'open', NEW.to_status = 'open'
    FROM findings WHERE id = NEW.finding_id
    ON CONFLICT (product_id, day) DO UPDATE
    SET closed = closed + excluded.closed, reopened = reopened + excluded.reopened;
END;

CREATE TRIGGER products_counts_delete AFTER DELETE ON products
BEGIN
    DELETE FROM finding_state_counts WHERE product_id = OLD.id;
    DELETE FROM finding_day_counts WHERE product_id = OLD.id;
END;

-- Open findings past their fix-by date, read without the finding rows (SLA breach counts).
CREATE INDEX findings_open_sla
    ON findings (sla_due, product_id, severity, category, status, active, verified)
    WHERE status = 'open' AND sla_due IS NOT NULL;
