-- Supply interruptions: outages on a network node, the customers each one
-- affects (a snapshot taken at announcement), the cases hung under them,
-- suspected outages grouped from trouble calls, and per-utility grouping
-- thresholds. Times are microseconds since the epoch (UTC).

CREATE TABLE outages (
    id {pk},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    utility TEXT NOT NULL,
    kind TEXT NOT NULL,
    effect TEXT NOT NULL,
    state TEXT NOT NULL,
    node_id BIGINT NOT NULL REFERENCES network_nodes(id),
    node_path {path} NOT NULL,
    reason TEXT NOT NULL,
    area TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    expected_restore_at BIGINT NOT NULL,
    restored_at BIGINT,
    announced_at BIGINT,
    restore_notified_at BIGINT,
    authority_reported_at BIGINT,
    cancelled_at BIGINT,
    override_reason TEXT,
    override_by BIGINT REFERENCES staff(id),
    affected_count BIGINT NOT NULL DEFAULT 0,
    suspected_id BIGINT,
    created_by BIGINT REFERENCES staff(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX outages_company_state ON outages (company_id, state, starts_at);
CREATE INDEX outages_node ON outages (node_id, state);
CREATE INDEX outages_updated ON outages (company_id, updated_at);

-- Who an outage affects, computed from premises_supply below its node.
CREATE TABLE outage_customers (
    outage_id BIGINT NOT NULL REFERENCES outages(id),
    customer_id BIGINT NOT NULL REFERENCES customers(id),
    PRIMARY KEY (outage_id, customer_id)
);
CREATE INDEX outage_customers_customer ON outage_customers (customer_id);

-- Cases hung under an outage (hotline matching, confirmed trouble calls).
CREATE TABLE outage_cases (
    outage_id BIGINT NOT NULL REFERENCES outages(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    how TEXT NOT NULL,
    linked_at BIGINT NOT NULL,
    PRIMARY KEY (outage_id, case_id)
);
CREATE INDEX outage_cases_case ON outage_cases (case_id);

-- Trouble calls gathered below one node: a suspected outage.
CREATE TABLE suspected_outages (
    id {pk},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    utility TEXT NOT NULL,
    node_id BIGINT NOT NULL REFERENCES network_nodes(id),
    state TEXT NOT NULL,
    first_call_at BIGINT NOT NULL,
    last_call_at BIGINT NOT NULL,
    calls BIGINT NOT NULL,
    outage_id BIGINT REFERENCES outages(id),
    decided_by BIGINT REFERENCES staff(id),
    decided_at BIGINT,
    note TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX suspected_open ON suspected_outages (company_id, node_id, state, first_call_at);
CREATE INDEX suspected_state ON suspected_outages (company_id, state, last_call_at);

CREATE TABLE suspected_cases (
    suspected_id BIGINT NOT NULL REFERENCES suspected_outages(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    PRIMARY KEY (suspected_id, case_id)
);

-- Per-utility grouping thresholds; a utility without a row uses the defaults.
CREATE TABLE outage_grouping (
    company_id BIGINT NOT NULL REFERENCES companies(id),
    utility TEXT NOT NULL,
    min_calls BIGINT NOT NULL,
    window_minutes BIGINT NOT NULL,
    node_level TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (company_id, utility)
);
