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
    private var total: (start: ContinuousClock.Instant, count: Int)?
    static let perSecond = 5
    /// Records per second over all callers, when set (webhook deliveries: a caller who
    /// changes the name called each time is still bounded).
    private let totalPerSecond: Int?

    init(totalPerSecond: Int? = nil, node: @escaping @Sendable () async -> ClusterNode?) {
        self.totalPerSecond = totalPerSecond
        self.node = node
    }

    /// `key` groups the refusals counted together (default: the identity and its address).
    func record(_ identity: RequestIdentity, method: String, path: String, permission: String, reason: String,
                key: String? = nil) async {
        let key = key ?? identity.name + "|" + (identity.details["address"] ?? identity.details["uid"] ?? "")
        let now = ContinuousClock.now
        if windows.count > 10_000 { windows = windows.filter { now - $0.value.start < .seconds(10) } }
        var window = windows[key] ?? (now, 0, 0)
        if now - window.start >= .seconds(1) { window = (now, 0, window.suppressed) }
        window.count += 1
        var overall = total ?? (now, 0)
        if now - overall.start >= .seconds(1) { overall = (now, 0) }
        overall.count += 1
        total = overall
        guard window.count <= Self.perSecond, overall.count <= totalPerSecond ?? .max else {
            window.suppressed += 1
            windows[key] = window
            return
        }
        let suppressed = window.suppressed
        window.suppressed = 0
        windows[key] = window
        guard let node = await node() else { return }
        let command = ClusterCommand(
            envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: identity.actor),
            events: [.requestRefused(AccessDenial(method: method, path: path, permission: permission, reason: reason,
                                                  suppressed: suppressed))])
        // The answer does not wait for the record.
        Task { _ = try? await node.propose(command) }
    }
}
