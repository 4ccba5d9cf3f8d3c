-- Commitment clocks: one row per commitment deadline on a case (later also on
-- work orders, outages and accounts). `body` holds the domain clock as JSON;
-- the other columns are what the sweeper and the statistics query on.

CREATE TABLE clocks (
    id {pk},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    subject TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    rule_id TEXT NOT NULL,
    policy_version BIGINT NOT NULL,
    utility TEXT NOT NULL,
    department_id BIGINT,
    state TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    next_at BIGINT,
    stopped_at BIGINT,
    outcome TEXT,
    breached BIGINT NOT NULL DEFAULT 0,
    body TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- The sweeper reads only clocks whose next threshold is due: cost follows the work due.
CREATE INDEX clocks_next ON clocks (next_at);
CREATE INDEX clocks_subject ON clocks (subject, subject_id);
CREATE INDEX clocks_rule ON clocks (company_id, rule_id, started_at);
CREATE INDEX clocks_due_open ON clocks (company_id, state, due_at);
