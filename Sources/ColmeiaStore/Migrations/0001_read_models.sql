-- Read models of the cluster: a cache of the Raft log, rebuilt from snapshot + WAL when
-- missing. Only the apply path writes these tables.

-- The Raft position the tables reflect; updated in the same transaction as every apply.
CREATE TABLE applied_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    raft_index  INTEGER NOT NULL,
    raft_term   INTEGER NOT NULL
);
INSERT INTO applied_state (id, raft_index, raft_term) VALUES (1, 0, 0);

-- Every resource (cluster, node, service, task, secret, config, network) with the
-- columns queries filter on; `body` is the Docker-compatible JSON of the object.
CREATE TABLE resources (
    kind          TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    name          TEXT,
    version       INTEGER NOT NULL,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    service_id    TEXT,
    node_id       TEXT,
    slot          INTEGER,
    desired_state TEXT,
    current_state TEXT,
    mode          TEXT,
    role          TEXT,
    availability  TEXT,
    body          TEXT    NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;

-- Services, secrets, configs and networks have cluster-unique names.
CREATE UNIQUE INDEX resources_unique_name ON resources (kind, name)
    WHERE kind IN ('service', 'secret', 'config', 'network');
CREATE INDEX resources_by_name ON resources (kind, name);
CREATE INDEX resources_by_service ON resources (service_id, kind) WHERE service_id IS NOT NULL;
CREATE INDEX resources_by_node ON resources (node_id, kind) WHERE node_id IS NOT NULL;

CREATE TABLE resource_labels (
    kind  TEXT NOT NULL,
    id    TEXT NOT NULL,
    key   TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (kind, id, key),
    FOREIGN KEY (kind, id) REFERENCES resources (kind, id) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX resource_labels_by_key ON resource_labels (kind, key, value);

-- The audit trail: one row per applied event. Secret data is redacted before it lands here.
CREATE TABLE audit_events (
    raft_index  INTEGER NOT NULL,
    ordinal     INTEGER NOT NULL,
    raft_term   INTEGER NOT NULL,
    -- Nanoseconds since 1970 (sortable), and the RFC 3339 text Docker clients see.
    time_ns     INTEGER NOT NULL,
    time        TEXT    NOT NULL,
    actor_kind  TEXT    NOT NULL,
    actor_id    TEXT    NOT NULL,
    request_id  TEXT,
    command_id  TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    object_kind TEXT    NOT NULL,
    object_id   TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    PRIMARY KEY (raft_index, ordinal)
) WITHOUT ROWID;
CREATE INDEX audit_events_by_time ON audit_events (time_ns);
CREATE INDEX audit_events_by_object ON audit_events (object_kind, object_id);
CREATE INDEX audit_events_by_actor ON audit_events (actor_kind, actor_id);
CREATE INDEX audit_events_by_type ON audit_events (type);
CREATE INDEX audit_events_by_command ON audit_events (command_id);

-- Commands that reached the log but failed their preconditions: nothing else changed,
-- and the proposer got this reason back.
CREATE TABLE rejected_commands (
    raft_index INTEGER PRIMARY KEY,
    command_id TEXT    NOT NULL,
    time       TEXT    NOT NULL,
    actor_kind TEXT    NOT NULL,
    actor_id   TEXT    NOT NULL,
    reason     TEXT    NOT NULL
);
