-- What finding lists show beside the narrow columns (rule id, identifiers, location), as a
-- small JSON object on the finding row: a page of findings is read without joining the wide
-- `finding_data` row or decoding the whole record.
ALTER TABLE findings ADD COLUMN brief TEXT NOT NULL DEFAULT '{}';

UPDATE findings SET brief = (
    SELECT json_object(
        'rule_id', json_extract(d.data, '$.rule_id'),
        'identifiers', json(COALESCE(json_extract(d.data, '$.identifiers'), '[]')),
        'location', json(COALESCE(json_extract(d.data, '$.location'), '{}'))
    )
    FROM finding_data d WHERE d.finding_id = findings.id
)
WHERE EXISTS (SELECT 1 FROM finding_data d WHERE d.finding_id = findings.id);
