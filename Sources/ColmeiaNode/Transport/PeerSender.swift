import AsyncHTTPClient
import ColmeiaRaft
import ColmeiaRaftStorage
import Foundation
import NIOCore
import Synchronization

/// The outbound queue to one peer: one request in flight at a time carrying everything
/// queued since the last one (batching under load, in order), snapshots on their own with
/// a longer deadline. A failed request drops its batch (Raft resends), tells the node the
/// peer is unreachable and backs off, so a dead peer costs the others nothing.
final class PeerSender: Sendable {
    let peer: NodeID
    private let queue = Mutex<[Message]>([])
    private let wakeups: AsyncStream<Void>.Continuation
    private let task = Mutex<Task<Void, Never>?>(nil)

    static let maximumQueued = 8_192
    static let maximumBatchBytes = 4 << 20

    /// `client` gives the transport's current client (it changes when the certificate is renewed).
    init(peer: NodeID, client: @escaping @Sendable () -> HTTPClient?, addresses: PeerAddressBook,
         events: @escaping @Sendable () -> (any RaftPeerEvents)?) {
        self.peer = peer
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
                    try await Self.post(batch, to: address, client: client,
                                        timeout: carriesSnapshot ? .seconds(120) : .seconds(2))
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
