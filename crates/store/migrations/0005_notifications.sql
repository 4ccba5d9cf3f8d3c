-- Notifications: a durable outbox with one row per recipient per message.
-- Rows are written in the same transaction as the change that causes them,
-- then claimed by delivery workers (lease: locked_by/locked_until) and
-- delivered through a channel. The row keeps the proof of delivery: when,
-- how many attempts, through which channel, and the last error.

-- Contact details the channels need. All optional: a customer with neither a
-- phone nor an e-mail address is still recorded (channel `log`).
ALTER TABLE customers ADD COLUMN email TEXT;
ALTER TABLE customers ADD COLUMN locale TEXT;
ALTER TABLE staff ADD COLUMN email TEXT;
ALTER TABLE staff ADD COLUMN phone TEXT;
ALTER TABLE staff ADD COLUMN locale TEXT;
-- The head of a department, who receives escalations of its breached commitments.
ALTER TABLE departments ADD COLUMN head_staff_id BIGINT REFERENCES staff(id);

CREATE TABLE notifications (
    id {pk},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    topic TEXT NOT NULL,
    subject TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    customer_id BIGINT REFERENCES customers(id),
    staff_id BIGINT REFERENCES staff(id),
    channel TEXT NOT NULL,
    address TEXT,
    locale TEXT NOT NULL,
    vars TEXT NOT NULL,
    -- topic:subject:subject_id:recipient:channel; a repeated request is a no-op.
    dedup_key TEXT NOT NULL UNIQUE,
    -- queued, sending, sent, retrying or dead
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    -- When a worker should next look at the row: the next attempt, or (while
    -- sending) the end of the lease. NULL once sent or dead.
    next_attempt_at BIGINT,
    locked_by TEXT,
    locked_until BIGINT,
    last_error TEXT,
    -- The channel that actually carried the message (`log` when the intended
    -- channel is not configured on this server).
    sent_via TEXT,
    sent_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- Workers read only due rows: cost follows the work due, not the table size.
CREATE INDEX notifications_due ON notifications (state, next_attempt_at);
CREATE INDEX notifications_subject ON notifications (subject, subject_id);
CREATE INDEX notifications_company ON notifications (company_id, id);

-- Message templates per company, topic and language; absent rows fall back
-- to the templates shipped with Pledge.
CREATE TABLE notification_templates (
    company_id BIGINT NOT NULL REFERENCES companies(id),
    topic TEXT NOT NULL,
    locale TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by BIGINT REFERENCES staff(id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (company_id, topic, locale)
);
