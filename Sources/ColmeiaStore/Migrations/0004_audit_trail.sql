-- The audit trail as a product: each row names its object and service, says its outcome,
-- carries the JSON Patch from the object's previous version, and links into a hash chain.
-- `redacted_payload` is the payload as readers outside the cluster may see it, present only
-- where it differs (a service or task with registry credentials); the chain covers it, not
-- the credentials. `hash` is SHA-256 over the previous row's hash and this row's canonical
-- bytes; NULL only in rows copied from before this migration, until the store links them at
-- open.
--
-- A rowid table now: rows of a kilobyte or more overflow a WITHOUT ROWID table's pages and
-- took three times their size.
CREATE TABLE audit_events_v4 (
    raft_index       INTEGER NOT NULL,
    ordinal          INTEGER NOT NULL,
    raft_term        INTEGER NOT NULL,
    time_ns          INTEGER NOT NULL,
    time             TEXT    NOT NULL,
    actor_kind       TEXT    NOT NULL,
    actor_id         TEXT    NOT NULL,
    request_id       TEXT,
    command_id       TEXT    NOT NULL,
    type             TEXT    NOT NULL,
    object_kind      TEXT    NOT NULL,
    object_id        TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    actor_details    TEXT,
    object_name      TEXT    NOT NULL DEFAULT '',
    service_id       TEXT,
    outcome          TEXT    NOT NULL DEFAULT 'applied',
    patch            TEXT,
    redacted_payload TEXT,
    hash             BLOB,
    UNIQUE (raft_index, ordinal)
);
INSERT INTO audit_events_v4 (raft_index, ordinal, raft_term, time_ns, time, actor_kind, actor_id, request_id, command_id,
                             type, object_kind, object_id, payload, actor_details, object_name, service_id)
    SELECT raft_index, ordinal, raft_term, time_ns, time, actor_kind, actor_id, request_id, command_id,
           type, object_kind, object_id, payload, actor_details,
           COALESCE(NULLIF(json_extract(payload, '$.Spec.Name'), ''), json_extract(payload, '$.Description.Hostname'),
                    json_extract(payload, '$.Name'), ''),
           CASE object_kind WHEN 'service' THEN object_id
                            WHEN 'task' THEN json_extract(payload, '$.ServiceID') END
    FROM audit_events ORDER BY raft_index, ordinal;
DROP TABLE audit_events;
ALTER TABLE audit_events_v4 RENAME TO audit_events;
-- Rows from before kept a service's or task's registry credentials in the payload: what
-- readers see, and what the chain covers, is the payload without them.
UPDATE audit_events SET redacted_payload = json_remove(payload, '$.Spec.TaskTemplate.ContainerSpec.PullOptions',
                                                       '$.PreviousSpec.TaskTemplate.ContainerSpec.PullOptions')
    WHERE object_kind = 'service' AND payload LIKE '%"PullOptions"%';
UPDATE audit_events SET redacted_payload = json_remove(payload, '$.Spec.ContainerSpec.PullOptions')
    WHERE object_kind = 'task' AND payload LIKE '%"PullOptions"%';

CREATE INDEX audit_events_by_time ON audit_events (time_ns);
CREATE INDEX audit_events_by_command ON audit_events (command_id);
CREATE INDEX audit_events_by_object ON audit_events (object_kind, object_id, raft_index, ordinal);
CREATE INDEX audit_events_by_name ON audit_events (object_kind, object_name, raft_index, ordinal);
CREATE INDEX audit_events_by_actor ON audit_events (actor_id, raft_index, ordinal);
CREATE INDEX audit_events_by_type ON audit_events (type, raft_index, ordinal);
CREATE INDEX audit_events_by_service ON audit_events (service_id, raft_index, ordinal) WHERE service_id IS NOT NULL;
CREATE INDEX audit_events_by_outcome ON audit_events (outcome, raft_index, ordinal) WHERE outcome <> 'applied';

-- The chain: its head (the newest row's position and hash, and how many rows it covers)
-- and its checkpoint (the same for the last row moved out to the archive, zero when none).
CREATE TABLE audit_chain (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    head_index       INTEGER NOT NULL,
    head_ordinal     INTEGER NOT NULL,
    head_hash        BLOB    NOT NULL,
    head_count       INTEGER NOT NULL,
    archived_index   INTEGER NOT NULL,
    archived_ordinal INTEGER NOT NULL,
    archived_hash    BLOB    NOT NULL,
    archived_count   INTEGER NOT NULL,
    archived_time_ns INTEGER NOT NULL
);
INSERT INTO audit_chain VALUES (1, 0, -1, zeroblob(32), 0, 0, -1, zeroblob(32), 0, 0);

-- Every object the trail has named, for reads as of an index.
CREATE TABLE audit_objects (
    object_kind TEXT    NOT NULL,
    object_id   TEXT    NOT NULL,
    first_index INTEGER NOT NULL,
    PRIMARY KEY (object_kind, object_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO audit_objects SELECT object_kind, object_id, MIN(raft_index) FROM audit_events
    WHERE object_kind NOT IN ('request', 'backup') GROUP BY object_kind, object_id;

-- The objects as they stood at the archive checkpoint (their newest archived version), so
-- that reads as of a later index need no archive.
CREATE TABLE audit_base (
    object_kind      TEXT    NOT NULL,
    object_id        TEXT    NOT NULL,
    raft_index       INTEGER NOT NULL,
    ordinal          INTEGER NOT NULL,
    object_name      TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    redacted_payload TEXT,
    PRIMARY KEY (object_kind, object_id)
) WITHOUT ROWID;
