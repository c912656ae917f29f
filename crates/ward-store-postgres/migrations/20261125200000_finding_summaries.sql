-- Dashboard counts kept current by triggers, so that the overview of a million findings
-- reads a few hundred rows instead of a million index entries.
--
-- finding_state_counts: findings by product and stored state. The effective status of an
-- expired risk acceptance is open; readers correct for those from the findings_accepted
-- index, which holds only accepted findings.
-- finding_day_counts: per product and UTC day, findings first seen that day (opened) and the
-- audit entries that took a finding out of open (closed) or back to it (reopened).
--
-- Writers that change findings of a product hold that product's advisory lock, so the
-- counter rows of a product are updated by one transaction at a time.
CREATE TABLE finding_state_counts (
    product_id BIGINT   NOT NULL,
    severity   SMALLINT NOT NULL,
    category   TEXT     NOT NULL,
    status     TEXT     NOT NULL,
    active     BOOLEAN  NOT NULL,
    verified   BOOLEAN  NOT NULL,
    n          BIGINT   NOT NULL,
    PRIMARY KEY (product_id, severity, category, status, active, verified)
);

CREATE TABLE finding_day_counts (
    product_id BIGINT NOT NULL,
    day        BIGINT NOT NULL,
    opened     BIGINT NOT NULL DEFAULT 0,
    closed     BIGINT NOT NULL DEFAULT 0,
    reopened   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (product_id, day)
);

INSERT INTO finding_state_counts
SELECT product_id, severity, category, status, active, verified, COUNT(*)
FROM findings GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO finding_day_counts (product_id, day, opened, closed, reopened)
SELECT product_id, day, SUM(opened), SUM(closed), SUM(reopened) FROM (
    SELECT product_id, first_seen / 86400 AS day, 1 AS opened, 0 AS closed, 0 AS reopened
    FROM findings
    UNION ALL
    SELECT f.product_id, a.at / 86400, 0,
        CASE WHEN a.to_status <> 'open' THEN 1 ELSE 0 END,
        CASE WHEN a.to_status = 'open' THEN 1 ELSE 0 END
    FROM finding_audit a JOIN findings f ON f.id = a.finding_id
    WHERE (a.from_status = 'open') <> (a.to_status = 'open')
) AS changes GROUP BY 1, 2;

-- Rows are counted in key order, so that two writers lock counter rows in the same order.
CREATE FUNCTION finding_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO finding_state_counts AS c
    SELECT product_id, severity, category, status, active, verified, COUNT(*) FROM inserted
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (product_id, severity, category, status, active, verified)
    DO UPDATE SET n = c.n + EXCLUDED.n;
    INSERT INTO finding_day_counts AS c (product_id, day, opened)
    SELECT product_id, first_seen / 86400, COUNT(*) FROM inserted
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (product_id, day) DO UPDATE SET opened = c.opened + EXCLUDED.opened;
    RETURN NULL;
END
$$;

-- An update counts the old rows out and the new rows in; unchanged rows cancel.
CREATE FUNCTION finding_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO finding_state_counts AS c
    SELECT product_id, severity, category, status, active, verified, SUM(n) FROM (
        SELECT product_id, severity, category, status, active, verified, -1 AS n FROM old_rows
        UNION ALL
        SELECT product_id, severity, category, status, active, verified, 1 FROM new_rows
    ) AS d
    GROUP BY 1, 2, 3, 4, 5, 6 HAVING SUM(n) <> 0 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (product_id, severity, category, status, active, verified)
    DO UPDATE SET n = c.n + EXCLUDED.n;
    INSERT INTO finding_day_counts AS c (product_id, day, opened)
    SELECT product_id, day, SUM(n) FROM (
        SELECT product_id, first_seen / 86400 AS day, -1 AS n FROM old_rows
        UNION ALL
        SELECT product_id, first_seen / 86400, 1 FROM new_rows
    ) AS d
    GROUP BY 1, 2 HAVING SUM(n) <> 0 ORDER BY 1, 2
    ON CONFLICT (product_id, day) DO UPDATE SET opened = c.opened + EXCLUDED.opened;
    RETURN NULL;
END
$$;

-- A deletion only lowers existing counters: when a product goes, its counter rows may
-- already be gone, and nothing is to be added back for it.
CREATE FUNCTION finding_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE finding_state_counts c SET n = c.n - d.n
    FROM (
        SELECT product_id, severity, category, status, active, verified, COUNT(*) AS n
        FROM deleted GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ) AS d
    WHERE c.product_id = d.product_id AND c.severity = d.severity AND c.category = d.category
        AND c.status = d.status AND c.active = d.active AND c.verified = d.verified;
    UPDATE finding_day_counts c SET opened = c.opened - d.n
    FROM (
        SELECT product_id, first_seen / 86400 AS day, COUNT(*) AS n
        FROM deleted GROUP BY 1, 2 ORDER BY 1, 2
    ) AS d
    WHERE c.product_id = d.product_id AND c.day = d.day;
    RETURN NULL;
END
$$;

CREATE FUNCTION finding_audit_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO finding_day_counts AS c (product_id, day, closed, reopened)
    SELECT f.product_id, a.at / 86400,
        COUNT(*) FILTER (WHERE a.to_status <> 'open'),
        COUNT(*) FILTER (WHERE a.to_status = 'open')
    FROM inserted a JOIN findings f ON f.id = a.finding_id
    WHERE (a.from_status = 'open') <> (a.to_status = 'open')
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (product_id, day) DO UPDATE
    SET closed = c.closed + EXCLUDED.closed, reopened = c.reopened + EXCLUDED.reopened;
    RETURN NULL;
END
$$;

CREATE FUNCTION product_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM finding_state_counts WHERE product_id = OLD.id;
    DELETE FROM finding_day_counts WHERE product_id = OLD.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER findings_counts_insert AFTER INSERT ON findings
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION finding_counts_insert();
CREATE TRIGGER findings_counts_update AFTER UPDATE ON findings
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION finding_counts_update();
CREATE TRIGGER findings_counts_delete AFTER DELETE ON findings
    REFERENCING OLD TABLE AS deleted
    FOR EACH STATEMENT EXECUTE FUNCTION finding_counts_delete();
CREATE TRIGGER finding_audit_counts_insert AFTER INSERT ON finding_audit
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION finding_audit_counts_insert();
CREATE TRIGGER products_counts_delete AFTER DELETE ON products
    FOR EACH ROW EXECUTE FUNCTION product_counts_delete();

-- Open findings past their fix-by date, read without the finding rows (SLA breach counts).
CREATE INDEX findings_open_sla ON findings (sla_due, product_id)
    INCLUDE (severity, category, status, active, verified)
    WHERE status = 'open' AND sla_due IS NOT NULL;
