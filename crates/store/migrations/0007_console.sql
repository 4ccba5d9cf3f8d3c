-- The staff console: each company's phrase library (standard phrases per
-- situation). A row overrides the shipped default text for one situation.

CREATE TABLE phrases (
    company_id BIGINT NOT NULL REFERENCES companies(id),
    situation TEXT NOT NULL,
    text_zh TEXT NOT NULL,
    text_en TEXT NOT NULL,
    updated_by BIGINT REFERENCES staff(id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (company_id, situation)
);

-- Requests to extend a clock's deadline (延期申请), waiting for a duty
-- manager's decision. Each request and decision is also a ledger event.
CREATE TABLE extension_requests (
    id {pk},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    clock_id BIGINT NOT NULL REFERENCES clocks(id),
    requested_by BIGINT NOT NULL REFERENCES staff(id),
    new_due BIGINT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    decided_by BIGINT REFERENCES staff(id),
    decided_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX extension_requests_pending ON extension_requests (company_id, state, created_at);
CREATE INDEX extension_requests_case ON extension_requests (case_id);
