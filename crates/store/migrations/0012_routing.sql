-- Outage revisions and routing settings.
--
-- Every change to an outage that its customers must hear of bumps its
-- revision; the revision is part of the notification dedup key, so each
-- change is told once and a repeat of the same call is still a no-op.
-- Outages before this migration are at revision 0 (their keys unchanged).
ALTER TABLE outages ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;

-- Where work is routed, per company and utility (NULL: every utility):
-- `engineering` receives unknown outages (C16), `management_copy` holds the
-- complaint form's management copy. Without a row, the department with the
-- historical code is used.
CREATE TABLE routing_settings (
    company_id BIGINT NOT NULL REFERENCES companies(id),
    utility TEXT,
    purpose TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments(id),
    updated_by BIGINT REFERENCES staff(id),
    updated_at BIGINT NOT NULL
);
CREATE INDEX routing_settings_key ON routing_settings (company_id, purpose, utility);
