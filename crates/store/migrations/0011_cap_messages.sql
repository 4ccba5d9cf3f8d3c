-- Every CAP 1.2 message published for an outage: one lineage per outage
-- (Alert, then Updates, then a closing Update or a Cancel), each with its
-- own identifier and sent time, kept for ever and served at its own URL.
-- `seq` numbers the messages of one outage from 1; `refs` is the CAP
-- `<references>` value (space-separated "sender,identifier,sent" triples of
-- the earlier messages, empty for the Alert); `snapshot` is the outage as
-- published (JSON), from which the XML is rebuilt deterministically.
CREATE TABLE cap_messages (
    id {pk},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    outage_id BIGINT NOT NULL REFERENCES outages(id),
    seq BIGINT NOT NULL,
    identifier TEXT NOT NULL UNIQUE,
    sender TEXT NOT NULL,
    msg_type TEXT NOT NULL,
    sent BIGINT NOT NULL,
    refs TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    UNIQUE (outage_id, seq)
);
