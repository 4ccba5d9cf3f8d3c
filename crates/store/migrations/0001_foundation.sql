-- Pledge foundation schema. One file for both engines: {pk} and {path} are
-- replaced per engine (see migrate.rs); everything else is common SQL.
-- Times are microseconds since the Unix epoch (UTC); flags are 0/1 integers.

CREATE TABLE companies (
    id {pk},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    hotline TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE company_utilities (
    company_id BIGINT NOT NULL REFERENCES companies(id),
    utility TEXT NOT NULL,
    PRIMARY KEY (company_id, utility)
);

CREATE TABLE departments (
    id {pk},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    utility TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (company_id, code)
);

CREATE TABLE staff (
    id {pk},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    department_id BIGINT REFERENCES departments(id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);
CREATE INDEX staff_department ON staff (department_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff(id),
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sessions_staff ON sessions (staff_id);

CREATE TABLE network_nodes (
    id {pk},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    utility TEXT NOT NULL,
    parent_id BIGINT REFERENCES network_nodes(id),
    level TEXT NOT NULL,
    name TEXT NOT NULL,
    path {path} NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
CREATE INDEX network_nodes_parent ON network_nodes (parent_id);

CREATE TABLE premises (
    id {pk},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    address TEXT NOT NULL,
    zone TEXT NOT NULL,
    floor_area_m2 BIGINT,
    created_at BIGINT NOT NULL
);

-- Which network leaf feeds a premises, per utility; the path is copied from the
-- node so "all premises below node N" is one range scan.
CREATE TABLE premises_supply (
    premises_id BIGINT NOT NULL REFERENCES premises(id),
    utility TEXT NOT NULL,
    node_id BIGINT NOT NULL REFERENCES network_nodes(id),
    node_path {path} NOT NULL,
    PRIMARY KEY (premises_id, utility)
);
CREATE INDEX premises_supply_path ON premises_supply (node_path);

CREATE TABLE customers (
    id {pk},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    utility TEXT NOT NULL,
    customer_number TEXT NOT NULL,
    account_name TEXT NOT NULL,
    category TEXT NOT NULL,
    phone TEXT,
    special_care TEXT NOT NULL DEFAULT '',
    premises_id BIGINT REFERENCES premises(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (company_id, customer_number)
);
CREATE INDEX customers_premises ON customers (premises_id);
CREATE INDEX customers_phone ON customers (phone);
CREATE INDEX customers_name ON customers (account_name);

CREATE TABLE case_number_seq (
    utility TEXT NOT NULL,
    day TEXT NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (utility, day)
);

CREATE TABLE cases (
    id {pk},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    number TEXT NOT NULL UNIQUE,
    utility TEXT NOT NULL,
    kind TEXT NOT NULL,
    subkind TEXT,
    channel TEXT NOT NULL,
    state TEXT NOT NULL,
    subject TEXT NOT NULL,
    description TEXT NOT NULL,
    customer_id BIGINT REFERENCES customers(id),
    contact_name TEXT,
    contact_phone TEXT,
    anonymous BIGINT NOT NULL DEFAULT 0,
    first_responder_id BIGINT NOT NULL REFERENCES staff(id),
    assignee_id BIGINT REFERENCES staff(id),
    department_id BIGINT REFERENCES departments(id),
    upstream_platform TEXT,
    upstream_ref TEXT,
    upstream_due BIGINT,
    duplicate_of BIGINT REFERENCES cases(id),
    answered_on_spot BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX cases_state ON cases (state, created_at);
CREATE INDEX cases_first_responder ON cases (first_responder_id, state);
CREATE INDEX cases_department ON cases (department_id, state);
CREATE INDEX cases_assignee ON cases (assignee_id, state);
CREATE INDEX cases_customer ON cases (customer_id);
CREATE INDEX cases_created ON cases (created_at);

-- The three copies of a transferred complaint's form (投诉处理单).
CREATE TABLE distribution_records (
    id {pk},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    transfer_no BIGINT NOT NULL,
    copy TEXT NOT NULL,
    holder_department_id BIGINT REFERENCES departments(id),
    acknowledged_by BIGINT REFERENCES staff(id),
    acknowledged_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (case_id, transfer_no, copy)
);

-- The append-only, hash-chained ledger. seq is assigned by the writer, 1, 2, 3 …
CREATE TABLE ledger (
    seq BIGINT PRIMARY KEY,
    case_id BIGINT,
    actor_id BIGINT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    at BIGINT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX ledger_case ON ledger (case_id, seq);

CREATE TABLE ledger_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);

-- Every staff read of a customer's personal data.
CREATE TABLE access_log (
    id {pk},
    staff_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    subject TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    action TEXT NOT NULL
);
CREATE INDEX access_log_subject ON access_log (subject, subject_id);
CREATE INDEX access_log_staff ON access_log (staff_id, at);

-- Durable typed jobs (outbox), claimed atomically by workers.
CREATE TABLE jobs (
    id {pk},
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    run_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    locked_by TEXT,
    locked_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);
