import Synchronization

/// The receiving side of chunked snapshot transfers (`POST /raft/snapshot`): one transfer
/// per sending peer, appended in order; a new transfer from that peer replaces an
/// unfinished one. A chunk that does not continue the transfer is answered with the
/// offset the receiver has, so a sender resumes where the last attempt stopped instead of
/// starting over.
///
/// ```swift
/// switch reassembly.accept(from: "node-a", transfer: id, offset: 0, total: 3, chunk: [1, 2]) {
/// case .needMore(let received): …   // send from `received` on
/// case .complete(let bytes, _): …   // the whole encoded message
/// case .outOfOrder(let received): … // resend from `received`
/// }
/// ```
public final class SnapshotReassembly: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// The chunk was appended; `received` bytes are held.
        case needMore(received: Int)
        /// The last chunk arrived: the whole transfer, and how many parts it came in.
        case complete([UInt8], parts: Int)
        /// The chunk does not start where the transfer stands; send from `received`.
        case outOfOrder(received: Int)
    }

    private struct Transfer {
        var id: String
        var total: Int
        var bytes: [UInt8]
        var parts = 0
    }

    /// The headers of a part: its transfer, where it starts, the whole size; and in the
    /// answer, how many bytes the receiver holds.
    public static let idHeader = "X-Colmeia-Snapshot-ID"
    public static let offsetHeader = "X-Colmeia-Snapshot-Offset"
    public static let totalHeader = "X-Colmeia-Snapshot-Total"
    public static let receivedHeader = "X-Colmeia-Snapshot-Received"

    /// The largest transfer accepted: a peer's announced size is never trusted for more.
    public let maximumBytes: Int
    private let transfers = Mutex<[String: Transfer]>([:])
    /// What is set aside before any byte arrives: memory follows what peers send, not what
    /// they announce.
    static let initialReservation = 16 << 20

    public init(maximumBytes: Int = 1 << 30) {
        self.maximumBytes = maximumBytes
    }

    /// Takes `chunk`, found at `offset` of the `total` bytes of transfer `id` from `peer`.
    /// Throws ``TransportError/badSnapshotChunk(_:)`` for sizes that cannot be right.
    public func accept(from peer: String, transfer id: String, offset: Int, total: Int,
                       chunk: [UInt8]) throws(TransportError) -> Outcome {
        guard total > 0, total <= maximumBytes else {
            throw .badSnapshotChunk("a snapshot of \(total) bytes is outside 1…\(maximumBytes)")
        }
        guard offset >= 0, !chunk.isEmpty, offset + chunk.count <= total else {
            throw .badSnapshotChunk("\(chunk.count) bytes at \(offset) do not fit in \(total)")
        }
        return transfers.withLock { transfers in
            var transfer = transfers[peer]
            if transfer?.id != id || transfer?.total != total {
                guard offset == 0 else {
                    // The receiver lost or never had the start (a restart, a newer transfer).
                    return .outOfOrder(received: 0)
                }
                var bytes: [UInt8] = []
                bytes.reserveCapacity(min(total, Self.initialReservation))
                transfer = Transfer(id: id, total: total, bytes: bytes)
            }
            guard var current = transfer else { return .outOfOrder(received: 0) }
            guard offset == current.bytes.count else { return .outOfOrder(received: current.bytes.count) }
            current.bytes.append(contentsOf: chunk)
            current.parts += 1
            if current.bytes.count == total {
                transfers[peer] = nil
                return .complete(current.bytes, parts: current.parts)
            }
            transfers[peer] = current
            return .needMore(received: current.bytes.count)
        }
    }

    /// Drops an unfinished transfer from `peer` (it left, or its snapshot was refused).
    public func discard(from peer: String) {
        _ = transfers.withLock { $0.removeValue(forKey: peer) }
    }
}
