import ColmeiaCluster
import ColmeiaModel
import HTTPTypes

/// What a route needs, and the least role that has it. Routes not listed here need
/// `admin`: a route added without a decision is closed, not open.
struct APIPermission: Sendable, Hashable {
    /// The name a refusal gives, e.g. `service.update`.
    var name: String
    /// nil: anyone, even without an identity.
    var role: AccessRole?

    static let open = APIPermission(name: "ping", role: nil)

    /// The permission of `method path` (path without its `/v1.NN` prefix).
    static func of(method: HTTPRequest.Method, path: String) -> APIPermission {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let read = method == .get || method == .head
        func need(_ name: String, _ role: AccessRole) -> APIPermission { APIPermission(name: name, role: role) }
        guard let first = parts.first else { return need("unknown", .admin) }
        switch first {
        case "_ping", "version", "healthz", "readyz":
            return .open
        case "metrics":
            return need("metrics.read", .viewer)
        case "info", "events":
            return need(first + ".read", .viewer)
        case "ui":
            // The dashboard shows what a viewer may read; its actions are ordinary API writes.
            return read ? need("dashboard.read", .viewer) : need("unknown", .admin)
        case "swarm":
            // Reading the swarm shows join tokens only to admins (see the route).
            if read && parts.count == 1 { return need("swarm.read", .viewer) }
            return need("swarm." + (parts.count > 1 ? parts[1] : "write"), .admin)
        case "nodes":
            if read { return need("node.read", .viewer) }
            if method == .delete { return need("node.remove", .admin) }
            // Availability and labels are an operator's; a role change is checked as admin by the route.
            return need("node.update", .operator)
        case "services":
            if read { return need(parts.last == "logs" ? "service.logs" : "service.read", .viewer) }
            if parts.count == 3 && parts[2] == "update" { return need("service.update", .deployer) }
            return need(method == .delete ? "service.remove" : "service.create", .operator)
        case "tasks":
            return need(parts.last == "logs" ? "task.logs" : "task.read", .viewer)
        case "secrets", "configs", "networks":
            let kind = String(first.dropLast())
            if read { return need(kind + ".read", .viewer) }
            return need(kind + "." + (method == .delete ? "remove" : parts.last == "create" ? "create" : "update"), .operator)
        case "colmeia":
            // Webhook deliveries prove themselves by signature or token, not by identity.
            if parts.count >= 4 && parts[2] == "hooks" && method == .post { return .open }
            // A deploy is a service update's progress, which a viewer sees anyway.
            if parts.count >= 3 && parts[2] == "deploys" && read { return need("deploy.read", .viewer) }
            // Webhooks and subscriptions hold secrets that deploy or speak for the swarm.
            if parts.count >= 3 && (parts[2] == "webhooks" || parts[2] == "notifications") {
                let kind = parts[2] == "webhooks" ? "webhook" : "notification"
                return read ? need(kind + ".read", .operator) : need(kind + ".write", .admin)
            }
            // Colmeia's own API: tokens are an admin's.
            if parts.count >= 3 && parts[2] == "tokens" { return need("token." + (read ? "read" : "write"), .admin) }
            if parts.count == 3 && parts[2] == "mesh" && read { return need("mesh.read", .viewer) }
            // Who changed what: an operator's to read (it names users, addresses, processes).
            if parts.count >= 3 && parts[2] == "audit" && read { return need("audit.read", .operator) }
            // A service's versions are its specs, which a viewer reads anyway.
            if parts.count == 5 && parts[2] == "services" && read { return need("service.read", .viewer) }
            // A backup carries every secret (encrypted under the caller's passphrase).
            if parts.count == 3 && parts[2] == "backup" { return need("backup", .admin) }
            return need("colmeia", .admin)
        default:
            return need("unknown", .admin)
        }
    }
}
