-- Administrator settings: the commitment policy and the working-day calendar,
-- edited through the API. Policies are versioned per company and never
-- overwritten (the newest version is in force); calendar years are national,
-- one row per year, stored years overriding or extending the shipped tables.

CREATE TABLE policies (
    company_id BIGINT NOT NULL REFERENCES companies(id),
    version BIGINT NOT NULL,
    source TEXT NOT NULL,
    created_by BIGINT REFERENCES staff(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (company_id, version)
);

CREATE TABLE calendar_years (
    year BIGINT PRIMARY KEY,
    source_json TEXT NOT NULL,
    created_by BIGINT REFERENCES staff(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
