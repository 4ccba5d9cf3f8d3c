-- Work orders (派工单): the field job raised on a case and carried out by a crew.
CREATE TABLE work_orders (
    id {pk},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    utility TEXT NOT NULL,
    state TEXT NOT NULL,
    instructions TEXT NOT NULL,
    crew_id BIGINT REFERENCES staff(id),
    appointment_from BIGINT,
    appointment_to BIGINT,
    fee_fen BIGINT,
    result TEXT,
    signed_by TEXT,
    cancel_reason TEXT,
    created_by BIGINT NOT NULL REFERENCES staff(id),
    created_at BIGINT NOT NULL,
    dispatched_at BIGINT,
    departed_at BIGINT,
    on_site_at BIGINT,
    done_at BIGINT,
    updated_at BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX work_orders_case ON work_orders (case_id);
CREATE INDEX work_orders_crew ON work_orders (crew_id, state);
CREATE INDEX work_orders_company_state ON work_orders (company_id, state, created_at);
