-- What finding lists show beside the narrow columns (rule id, identifiers, location), as a
-- small JSON object on the finding row: a page of findings is read without joining the wide
-- `finding_data` row or decoding the whole record.
ALTER TABLE findings ADD COLUMN brief TEXT NOT NULL DEFAULT '{}';

UPDATE findings f SET brief = jsonb_build_object(
        'rule_id', d.data::jsonb -> 'rule_id',
        'identifiers', COALESCE(d.data::jsonb -> 'identifiers', '[]'::jsonb),
        'location', COALESCE(d.data::jsonb -> 'location', '{}'::jsonb)
    )::text
FROM finding_data d WHERE d.finding_id = f.id;
