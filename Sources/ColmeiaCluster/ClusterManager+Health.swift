import ColmeiaNode
import Foundation

/// Whether a node can do its part now, and if not, why (`GET /readyz`).
public struct Readiness: Sendable, Hashable {
    public var ready: Bool
    public var reason: String
}

extension ClusterManager {
    /// A follower that has not heard from its leader for this long, or a leader that has
    /// not heard from a majority, is not ready (ten heartbeats, as `Reachability`).
    static let readinessSilence = Duration.seconds(2)
    /// Entries committed but not yet applied beyond which a manager is still catching up.
    static let readinessLag: UInt64 = 1_000

    /// A manager is ready when it is unlocked, a member of a quorum with a known leader, and
    /// has applied what is committed; a worker, when its dispatcher session is up.
    public func readiness() async -> Readiness {
        if locked {
            return Readiness(ready: false, reason: "the swarm is locked: unlock this manager with docker swarm unlock")
        }
        guard identity != nil else { return Readiness(ready: false, reason: "this node is not part of a swarm") }
        guard let node else {
            // A worker (or a node between roles, being promoted or demoted).
            if await agent?.hasSession == true { return Readiness(ready: true, reason: "worker: dispatcher session up") }
            return Readiness(ready: false, reason: "worker: no session with a manager's dispatcher yet")
        }
        let status = node.status
        if let failure = status.storageFailure {
            return Readiness(ready: false, reason: "storage failure: \(failure); this manager refuses writes and retries its disk every second")
        }
        let voters = status.confState.voters
        let quorum = voters.count / 2 + 1
        guard status.leader != 0 else {
            return Readiness(ready: false, reason: "no leader: the managers have lost quorum or are electing one (term \(status.term), "
                             + "\(voters.count) managers, \(quorum) needed)")
        }
        if status.role == .leader {
            let heard = voters.filter { status.heardFrom($0, self: node.nodeID, within: Self.readinessSilence) }.count
            guard heard >= quorum else {
                return Readiness(ready: false, reason: "the leader hears from \(heard) of \(voters.count) managers: no quorum (\(quorum) needed)")
            }
        } else if status.leaderSilence > Self.readinessSilence {
            return Readiness(ready: false, reason: "no word from the leader for \(status.leaderSilence.components.seconds) s")
        }
        if status.commitIndex > status.appliedIndex + Self.readinessLag {
            return Readiness(ready: false, reason: "catching up: applied \(status.appliedIndex) of \(status.commitIndex) committed entries")
        }
        return Readiness(ready: true, reason: "manager: \(status.role == .leader ? "leader" : "following leader \(String(status.leader, radix: 16))"), "
                         + "term \(status.term), applied \(status.appliedIndex)")
    }
}
