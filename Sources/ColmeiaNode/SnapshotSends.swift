import ColmeiaRaft
import ColmeiaRaftStorage
import Foundation
import Synchronization

/// Snapshot messages whose data is read from its file before they go out, one thread per
/// message and at most one per peer: the driver thread never reads a snapshot, and a
/// lagging follower gets one snapshot at a time.
///
/// ```swift
/// sends.send(message, reading: try storage.openSnapshot(metadata), to: outbound) { report failure }
/// ```
final class SnapshotSends: Sendable {
    private let inFlight = Mutex<Set<NodeID>>([])

    /// Reads `reader`'s data into `message` on a thread of its own and hands it to
    /// `outbound`; `failed` runs when the file cannot be read. A message to a peer that is
    /// still being sent a snapshot is dropped (Raft sends again if that one fails).
    func send(_ message: Message, reading reader: SnapshotFileReader, to outbound: @escaping @Sendable ([Message]) -> Void,
              failed: @escaping @Sendable () -> Void) {
        let peer = message.to
        guard inFlight.withLock({ $0.insert(peer).inserted }) else { return }
        let thread = Thread { [self] in
            defer { _ = inFlight.withLock { $0.remove(peer) } }
            do {
                var filled = message
                filled.snapshot?.data = try reader.readData()
                outbound([filled])
            } catch {
                failed()
            }
        }
        thread.name = "raft-snapshot-send-\(peer)"
        thread.start()
    }
}
