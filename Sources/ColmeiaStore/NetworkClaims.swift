import ColmeiaModel
import Foundation
import GRDB

/// The data plane's unique resources, claimed by apply: a service's ingress ports, a
/// service's virtual IPs and a task's addresses on each network, and a network's subnet.
/// A claim on something another object holds refuses the command with the words users
/// know (Docker's, where Docker has them).
enum NetworkClaims {
    /// Claims what `object` holds (replacing its earlier claims); returns the refusal, if any.
    static func claim(_ object: some ClusterObject, created: Bool, _ db: Database) throws -> String? {
        switch object {
        case let service as Service:
            try release(kind: .service, id: service.id, db)
            for port in service.endpoint.ports where port.publishMode.rawValue != "host" && port.publishedPort > 0 {
                let proto = port.protocol.rawValue.isEmpty ? "tcp" : port.protocol.rawValue
                if let owner = try String.fetchOne(db, sql: "SELECT service_id FROM ingress_ports WHERE protocol = ? AND port = ?",
                                                   arguments: [proto, Int64(port.publishedPort)]) {
                    let name = try String.fetchOne(db, sql: "SELECT name FROM resources WHERE kind = 'service' AND id = ?",
                                                   arguments: [owner]) ?? owner
                    return "port '\(port.publishedPort)' is already in use by service '\(name)' (\(owner)) as an ingress port"
                }
                try db.execute(sql: "INSERT INTO ingress_ports (protocol, port, service_id) VALUES (?, ?, ?)",
                               arguments: [proto, Int64(port.publishedPort), service.id])
            }
            for vip in service.endpoint.virtualIPs {
                if let refusal = try claimAddress(vip.addr, network: vip.networkID, kind: .service, id: service.id, db) { return refusal }
            }
        case let task as SwarmTask:
            // A task's addresses are given when it is created, or later while it waits in
            // `pending` for a full network; they are freed when it ends.
            guard created || task.status.state <= .pending else { return nil }
            if !created { try release(kind: .task, id: task.id, db) }
            for attachment in task.networksAttachments {
                for address in attachment.addresses {
                    if let refusal = try claimAddress(address, network: attachment.network.id, kind: .task, id: task.id, db) {
                        return refusal
                    }
                }
            }
        case let network as Network:
            guard created else { return nil }
            for config in network.ipam.config {
                guard let subnet = IPv4Subnet(config.subnet) else { continue }
                let others = try String.fetchAll(db, sql: "SELECT body FROM resources WHERE kind = 'network'")
                for body in others {
                    guard let other = try? JSONDecoder().decode(Network.self, from: Data(body.utf8)) else { continue }
                    if other.ipam.config.compactMap({ IPv4Subnet($0.subnet) }).contains(where: { $0.overlaps(subnet) }) {
                        return "invalid pool request: Pool overlaps with other one on this address space"
                    }
                }
            }
        default:
            break
        }
        return nil
    }

    private static func claimAddress(_ cidr: String, network: String, kind: ObjectKind, id: String, _ db: Database) throws -> String? {
        let address = String(cidr.split(separator: "/").first ?? "")
        guard !address.isEmpty, !network.isEmpty else { return nil }
        if let owner = try Row.fetchOne(db, sql: "SELECT owner_kind, owner_id FROM network_addresses WHERE network_id = ? AND address = ?",
                                        arguments: [network, address]) {
            let ownerKind: String = owner["owner_kind"]
            let ownerID: String = owner["owner_id"]
            if ownerKind == kind.rawValue && ownerID == id { return nil }
            return "address \(address) on network \(network) is already taken by \(ownerKind) \(ownerID)"
        }
        try db.execute(sql: "INSERT INTO network_addresses (network_id, address, owner_kind, owner_id) VALUES (?, ?, ?, ?)",
                       arguments: [network, address, kind.rawValue, id])
        return nil
    }

    /// Frees what an object held (it was removed, or is about to claim anew).
    static func release(kind: ObjectKind, id: String, _ db: Database) throws {
        switch kind {
        case .service:
            try db.execute(sql: "DELETE FROM ingress_ports WHERE service_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM network_addresses WHERE owner_kind = 'service' AND owner_id = ?", arguments: [id])
        case .task:
            try db.execute(sql: "DELETE FROM network_addresses WHERE owner_kind = 'task' AND owner_id = ?", arguments: [id])
        default:
            break
        }
    }
}
