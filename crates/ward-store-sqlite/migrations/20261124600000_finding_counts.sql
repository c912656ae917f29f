-- Dashboard counts (by product, severity, category, effective status, flags, SLA breach)
-- read this index alone instead of the wide finding rows: at a million findings a count
-- scans tens of megabytes, not a gigabyte.
CREATE INDEX findings_states ON findings
    (product_id, severity, category, status, active, verified, sla_due, risk_accepted_until);
