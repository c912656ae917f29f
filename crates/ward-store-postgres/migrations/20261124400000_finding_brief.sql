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

-- Room on each page for a newer version of its rows: an import moves `last_seen` of every
-- finding it sees again, and that column has no index, so with free space on the page the
-- update is a heap-only tuple update and none of the finding indexes is touched.
ALTER TABLE findings SET (fillfactor = 85);
