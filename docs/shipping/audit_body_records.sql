-- The table the rsyslog recipe (docs/shipping.md) inserts into: one row
-- per mod_audit_body record, the record itself as jsonb.
CREATE TABLE audit_body_records (
    id       bigserial PRIMARY KEY,
    received timestamptz NOT NULL DEFAULT now(),
    record   jsonb NOT NULL
);
-- Typical look-ups: by request id, by time, by status.
CREATE INDEX audit_body_records_id ON audit_body_records ((record->>'id'));
CREATE INDEX audit_body_records_time ON audit_body_records ((record->>'time'));
