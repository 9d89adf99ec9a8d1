import ColmeiaCluster
import ColmeiaModel
import ColmeiaNode
import Foundation

/// Puts refused requests in the audit trail (through the log, as every record), at most a
/// few per second per identity: the rest are counted into the next record, so a client
/// hammering a forbidden route costs the log almost nothing.
actor RefusalRecorder {
    private let node: @Sendable () async -> ClusterNode?
    private var windows: [String: (start: ContinuousClock.Instant, count: Int, suppressed: Int)] = [:]
    static let perSecond = 5

    init(node: @escaping @Sendable () async -> ClusterNode?) {
        self.node = node
    }

    func record(_ identity: RequestIdentity, method: String, path: String, permission: String, reason: String) async {
        let key = identity.name + "|" + (identity.details["address"] ?? identity.details["uid"] ?? "")
        let now = ContinuousClock.now
        var window = windows[key] ?? (now, 0, 0)
        if now - window.start >= .seconds(1) { window = (now, 0, window.suppressed) }
        window.count += 1
        guard window.count <= Self.perSecond else {
            window.suppressed += 1
            windows[key] = window
            return
        }
        let suppressed = window.suppressed
        window.suppressed = 0
        windows[key] = window
        if windows.count > 10_000 { windows = windows.filter { now - $0.value.start < .seconds(10) } }
        guard let node = await node() else { return }
        let command = ClusterCommand(
            envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: identity.actor),
            events: [.requestRefused(AccessDenial(method: method, path: path, permission: permission, reason: reason,
                                                  suppressed: suppressed))])
        // The answer does not wait for the record.
        Task { _ = try? await node.propose(command) }
    }
}
