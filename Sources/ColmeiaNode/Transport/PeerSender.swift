import AsyncHTTPClient
import ColmeiaRaft
import ColmeiaRaftStorage
import Foundation
import NIOCore
import Synchronization

/// The outbound queue to one peer: one request in flight at a time carrying everything
/// queued since the last one (batching under load, in order), snapshots on their own, in
/// chunks (`POST /raft/snapshot`, each with its own deadline, resumed where the receiver
/// stands). A failed request drops its batch (Raft resends), tells the node the peer is
/// unreachable and backs off, so a dead peer costs the others nothing.
final class PeerSender: Sendable {
    let peer: NodeID
    /// The size of each part of a snapshot.
    let snapshotChunkBytes: Int
    private let queue = Mutex<[Message]>([])
    private let wakeups: AsyncStream<Void>.Continuation
    private let task = Mutex<Task<Void, Never>?>(nil)

    static let maximumQueued = 8_192
    static let maximumBatchBytes = 4 << 20

    /// `client` gives the transport's current client (it changes when the certificate is renewed).
    init(peer: NodeID, client: @escaping @Sendable () -> HTTPClient?, addresses: PeerAddressBook,
         snapshotChunkBytes: Int, events: @escaping @Sendable () -> (any RaftPeerEvents)?) {
        self.peer = peer
        self.snapshotChunkBytes = max(1, snapshotChunkBytes)
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        wakeups = continuation
        task.withLock { $0 = Task { await self.run(stream, client: client, addresses: addresses, events: events) } }
    }

    private func run(_ stream: AsyncStream<Void>, client: @Sendable () -> HTTPClient?, addresses: PeerAddressBook,
                     events: @Sendable () -> (any RaftPeerEvents)?) async {
        var failures = 0
        for await _ in stream {
            while !Task.isCancelled {
                let batch = takeBatch()
                if batch.isEmpty { break }
                let carriesSnapshot = batch.contains { $0.snapshot != nil }
                do {
                    guard let address = addresses.address(of: peer), let client = client() else {
                        throw TransportError.unknownPeer(peer)
                    }
                    if carriesSnapshot, let message = batch.first {
                        try await Self.postSnapshot(message, to: address, client: client, chunkBytes: snapshotChunkBytes)
                    } else {
                        try await Self.post(batch, to: address, client: client, timeout: .seconds(2))
                    }
                    failures = 0
                    if carriesSnapshot { events()?.reportSnapshot(to: peer, succeeded: true) }
                } catch {
                    failures += 1
                    events()?.reportUnreachable(peer)
                    if carriesSnapshot { events()?.reportSnapshot(to: peer, succeeded: false) }
                    // 50 ms, 100 ms, … capped at 1 s: a restarted peer is found again quickly.
                    let backoff = min(1_000, 50 << min(failures - 1, 5))
                    try? await Task.sleep(for: .milliseconds(backoff))
                    // What queued meanwhile is stale; Raft sends afresh.
                    queue.withLock { $0.removeAll() }
                }
            }
        }
    }

    func enqueue(_ messages: [Message]) {
        queue.withLock { queued in
            guard queued.count < Self.maximumQueued else { return }
            queued.append(contentsOf: messages)
        }
        wakeups.yield()
    }

    func stop() {
        wakeups.finish()
        task.withLock { $0?.cancel() }
    }

    private func takeBatch() -> [Message] {
        queue.withLock { queued in
            guard let first = queued.first else { return [] }
            if first.snapshot != nil {
                queued.removeFirst()
                return [first]
            }
            var bytes = 0
            var count = 0
            for message in queued {
                if message.snapshot != nil { break }
                bytes += 80 + message.entries.reduce(0) { $0 + $1.data.count + 21 }
                count += 1
                if bytes >= Self.maximumBatchBytes { break }
            }
            defer { queued.removeFirst(count) }
            return Array(queued[..<count])
        }
    }

    /// Sends a snapshot message in parts of `chunkBytes`, each with its own 30 s deadline,
    /// from wherever the receiver says it stands: a transfer cut short by a failure resumes
    /// on the next attempt instead of starting over.
    private static func postSnapshot(_ message: Message, to address: String, client: HTTPClient, chunkBytes: Int) async throws {
        let bytes = MessageBatch.encode([message])
        let metadata = message.snapshot?.metadata
        // Names the content, so a receiver resumes only a transfer of the same bytes.
        var digest: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { digest = (digest ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let id = "\(message.from)-\(message.term)-\(metadata?.term ?? 0)-\(metadata?.index ?? 0)-\(bytes.count)-"
            + String(digest, radix: 16)
        var offset = 0
        var outOfStep = 0
        while offset < bytes.count {
            var request = HTTPClientRequest(url: "https://\(address)/raft/snapshot")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/octet-stream")
            request.headers.add(name: SnapshotReassembly.idHeader, value: id)
            request.headers.add(name: SnapshotReassembly.offsetHeader, value: String(offset))
            request.headers.add(name: SnapshotReassembly.totalHeader, value: String(bytes.count))
            request.body = .bytes(ByteBuffer(bytes: bytes[offset..<min(offset + chunkBytes, bytes.count)]))
            let response = try await client.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 16)
            guard let received = response.headers.first(name: SnapshotReassembly.receivedHeader).flatMap({ Int($0) }),
                  (0...bytes.count).contains(received) else {
                throw TransportError.refused(peer: address, status: Int(response.status.code))
            }
            switch response.status {
            case .noContent, .ok:
                guard received > offset else { throw TransportError.snapshotOutOfStep(peer: address) }
            case .conflict:
                outOfStep += 1
                guard outOfStep <= 3 else { throw TransportError.snapshotOutOfStep(peer: address) }
            default:
                throw TransportError.refused(peer: address, status: Int(response.status.code))
            }
            offset = received
        }
    }

    private static func post(_ batch: [Message], to address: String, client: HTTPClient, timeout: TimeAmount) async throws {
        var request = HTTPClientRequest(url: "https://\(address)/raft/messages")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        request.body = .bytes(ByteBuffer(bytes: MessageBatch.encode(batch)))
        let response = try await client.execute(request, timeout: timeout)
        _ = try await response.body.collect(upTo: 1 << 16)
        guard response.status == .noContent || response.status == .ok else {
            throw TransportError.refused(peer: address, status: Int(response.status.code))
        }
    }
}
