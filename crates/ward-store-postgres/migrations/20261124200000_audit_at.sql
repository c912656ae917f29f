-- The dashboard's trend counts status changes per day over a window: find them by time.
CREATE INDEX finding_audit_at ON finding_audit (at);
