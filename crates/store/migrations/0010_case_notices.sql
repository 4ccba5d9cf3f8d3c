-- Customers are told about their case: receipt, approved extensions, the answer.
-- Whether the case's customer agreed to be told; a report's (举报) reporter
-- is told only with their consent, an anonymous one never. Cases received
-- before this migration keep the default: told.
ALTER TABLE cases ADD COLUMN notify_consent BIGINT NOT NULL DEFAULT 1;
