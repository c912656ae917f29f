-- `last_seen` moves to a narrow table of its own: a reimport marks every finding it sees
-- again, and rewriting a two-column row costs far less than rewriting the wide finding row.
CREATE TABLE finding_seen (
    finding_id INTEGER PRIMARY KEY REFERENCES findings (id) ON DELETE CASCADE,
    last_seen  INTEGER NOT NULL
);

INSERT INTO finding_seen (finding_id, last_seen) SELECT id, last_seen FROM findings;

ALTER TABLE findings DROP COLUMN last_seen;

-- A new finding was last seen when it was first seen.
CREATE TRIGGER findings_seen AFTER INSERT ON findings
BEGIN
    INSERT INTO finding_seen (finding_id, last_seen) VALUES (NEW.id, NEW.first_seen);
END;
