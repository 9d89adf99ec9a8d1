-- The id of every command applied in the recent log, with its outcome. A command that
-- commits twice -- a write sent again to a new leader because a leader change left its
-- fate unknown, or a client's retry under the same Idempotency-Key -- is applied once:
-- the copy is answered with the first copy's outcome. Rows older than a window of log
-- indexes are pruned at fixed indexes, so every manager holds the same rows.
CREATE TABLE applied_commands (
    command_id TEXT PRIMARY KEY NOT NULL,
    raft_index INTEGER NOT NULL,
    request_digest TEXT,
    rejection TEXT
) WITHOUT ROWID;
CREATE INDEX applied_commands_by_index ON applied_commands (raft_index);
