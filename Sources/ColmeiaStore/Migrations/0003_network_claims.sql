-- What the data plane hands out must be handed out once: an ingress port to one service,
-- an address of a network to one service (its virtual IP) or task. Apply claims them from
-- the objects it lands and refuses a command that would take a claimed one; these rows
-- are derived from the objects, so they are filled from them here for stores made before.
CREATE TABLE ingress_ports (
    protocol   TEXT    NOT NULL,
    port       INTEGER NOT NULL,
    service_id TEXT    NOT NULL,
    PRIMARY KEY (protocol, port)
) WITHOUT ROWID;
CREATE INDEX ingress_ports_by_service ON ingress_ports (service_id);

CREATE TABLE network_addresses (
    network_id TEXT NOT NULL,
    address    TEXT NOT NULL,
    owner_kind TEXT NOT NULL,
    owner_id   TEXT NOT NULL,
    PRIMARY KEY (network_id, address)
) WITHOUT ROWID;
CREATE INDEX network_addresses_by_owner ON network_addresses (owner_kind, owner_id);

INSERT OR IGNORE INTO ingress_ports (protocol, port, service_id)
    SELECT coalesce(nullif(json_extract(p.value, '$.Protocol'), ''), 'tcp'), json_extract(p.value, '$.PublishedPort'), r.id
    FROM resources r, json_each(r.body, '$.Endpoint.Ports') p
    WHERE r.kind = 'service' AND coalesce(json_extract(p.value, '$.PublishMode'), 'ingress') = 'ingress'
      AND json_extract(p.value, '$.PublishedPort') > 0;

INSERT OR IGNORE INTO network_addresses (network_id, address, owner_kind, owner_id)
    SELECT json_extract(v.value, '$.NetworkID'), substr(json_extract(v.value, '$.Addr'), 1, instr(json_extract(v.value, '$.Addr') || '/', '/') - 1),
           'service', r.id
    FROM resources r, json_each(r.body, '$.Endpoint.VirtualIPs') v
    WHERE r.kind = 'service' AND json_extract(v.value, '$.Addr') IS NOT NULL;

INSERT OR IGNORE INTO network_addresses (network_id, address, owner_kind, owner_id)
    SELECT json_extract(n.value, '$.Network.ID'), substr(a.value, 1, instr(a.value || '/', '/') - 1), 'task', r.id
    FROM resources r, json_each(r.body, '$.NetworksAttachments') n, json_each(n.value, '$.Addresses') a
    WHERE r.kind = 'task' AND r.current_state NOT IN ('complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned');
