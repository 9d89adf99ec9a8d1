import AsyncHTTPClient
import ColmeiaRaft
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// Carries Raft messages between managers over the cluster port: HTTP/2 over mutual TLS,
/// one ``PeerSender`` per peer. It also watches the leader a follower hears from: when
/// heartbeats stop and the leader's port refuses or does not answer, the follower stops
/// honouring its lease, so a crashed leader is replaced in well under an election timeout.
///
/// ```swift
/// let transport = try ClusterTransport(localID: 7, tls: tls, addresses: book, logger: logger)
/// let node = try ClusterNode(dataDirectory: dir, nodeID: 7, transport: transport)
/// ```
public final class ClusterTransport: Sendable {
    public let localID: NodeID
    public let addresses: PeerAddressBook
    /// The client that carries this node's current certificate; ``renew(_:)`` replaces it.
    public var client: HTTPClient { clients.withLock { $0.current } }
    private let clients: Mutex<(current: HTTPClient, retired: [HTTPClient])>
    package let logger: Logger
    private let senders = Mutex<[NodeID: PeerSender]>([:])
    private let events = Mutex<(any RaftPeerEvents)?>(nil)
    private let watcher = Mutex<Task<Void, Never>?>(nil)
    /// Silence from the leader after which a follower asks whether it is still there.
    let leaderSilenceBeforeProbe: Duration
    /// The size of each part of a snapshot sent to a peer.
    public let snapshotChunkBytes: Int
    /// Snapshots arriving in parts from peers.
    public let incomingSnapshots = SnapshotReassembly()

    /// One mebibyte per snapshot part: small enough for a slow link to finish each part well
    /// within its deadline, large enough that headers cost nothing.
    public static let defaultSnapshotChunkBytes = 1 << 20

    public init(localID: NodeID, tls: ClusterTLS, addresses: PeerAddressBook, logger: Logger,
                leaderSilenceBeforeProbe: Duration = .milliseconds(300),
                snapshotChunkBytes: Int = defaultSnapshotChunkBytes) throws {
        self.localID = localID
        self.snapshotChunkBytes = snapshotChunkBytes
        self.addresses = addresses
        self.logger = logger
        self.leaderSilenceBeforeProbe = leaderSilenceBeforeProbe
        clients = Mutex((try Self.makeClient(tls), []))
    }

    private static func makeClient(_ tls: ClusterTLS) throws -> HTTPClient {
        var configuration = HTTPClient.Configuration(tlsConfiguration: try tls.clientConfiguration())
        configuration.timeout = .init(connect: .milliseconds(500))
        configuration.connectionPool = .init(idleTimeout: .seconds(60))
        // A refused connection fails its request at once. Left on, the client would hold the
        // request and retry with its own back-off, which grows to a minute while a peer is
        // down and so delays the first message to it after it returns; every caller here
        // retries on its own schedule instead (the peer senders back off to at most 1 s).
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Presents `tls` (a renewed certificate) on every new request. Requests in flight, and
    /// long ones such as an agent's assignment stream, finish on the old client, which is
    /// closed a minute later (or at shutdown).
    public func renew(_ tls: ClusterTLS) throws {
        let fresh = try Self.makeClient(tls)
        let old = clients.withLock { clients in
            defer { clients = (fresh, clients.retired + [clients.current]) }
            return clients.current
        }
        Task { [weak self] in
            try? await Task.sleep(for: .seconds(60))
            guard let self, self.clients.withLock({ clients in
                guard let index = clients.retired.firstIndex(where: { $0 === old }) else { return false }
                clients.retired.remove(at: index)
                return true
            }) else { return }
            try? await old.shutdown()
        }
    }

    /// Connects the transport to the node whose messages it carries.
    public func attach(_ node: any RaftPeerEvents) {
        events.withLock { $0 = node }
        watcher.withLock { current in
            current?.cancel()
            current = Task { [weak self] in await self?.watchLeader() }
        }
    }

    /// Queues messages for their peers; never blocks the Raft thread.
    public func send(_ messages: [Message]) {
        var byPeer: [NodeID: [Message]] = [:]
        for message in messages where message.to != localID && message.to != 0 {
            byPeer[message.to, default: []].append(message)
        }
        for (peer, batch) in byPeer { sender(for: peer).enqueue(batch) }
    }

    private func sender(for peer: NodeID) -> PeerSender {
        senders.withLock { senders in
            if let existing = senders[peer] { return existing }
            let created = PeerSender(peer: peer, client: { [weak self] in self?.client }, addresses: addresses,
                                     snapshotChunkBytes: snapshotChunkBytes) { [weak self] in
                self?.events.withLock { $0 }
            }
            senders[peer] = created
            return created
        }
    }

    /// Stops every sender and closes the connections.
    public func shutdown() async {
        watcher.withLock { $0?.cancel() }
        let all = senders.withLock { senders in
            defer { senders = [:] }
            return Array(senders.values)
        }
        for sender in all { sender.stop() }
        let everyClient = clients.withLock { clients in
            defer { clients.retired = [] }
            return [clients.current] + clients.retired
        }
        for client in everyClient { try? await client.shutdown() }
    }

    // MARK: Leader watch

    private func watchLeader() async {
        var probe = LeaderProbe()
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
            guard let node = events.withLock({ $0 }) else { continue }
            let status = node.status
            guard status.role == .follower, status.leader != 0, status.leader != localID,
                  status.leaderSilence > leaderSilenceBeforeProbe else { continue }
            let leader = status.leader
            guard let address = addresses.address(of: leader) else { continue }
            let outcome = await probeLeader(leader, at: address)
            if probe.record(outcome, of: leader) {
                logger.notice("leader is gone; electing a new one",
                              metadata: ["leader": "\(String(leader, radix: 16))", "probe": "\(outcome)"])
                node.forgetLeader(leader)
            } else if outcome == .leads {
                // Alive but quiet (a slow disk): do not ask again at once.
                try? await Task.sleep(for: .seconds(1))
            } else {
                logger.info("leader probe failed; asking once more before electing a new one",
                            metadata: ["leader": "\(String(leader, radix: 16))"])
            }
        }
    }

    /// Asks the leader's port whether it still leads: refused at once, no answer (or a
    /// garbled one) within 2 s, or its answer.
    private func probeLeader(_ leader: NodeID, at address: String) async -> LeaderProbe.Outcome {
        // A crashed process's port refuses at once; the HTTP client would instead retry
        // the connection until its deadline, so ask TCP first.
        switch await Self.connect(address) {
        case .refused: return .refused
        case .failed: return .failed
        case .accepted: break
        }
        do {
            var request = HTTPClientRequest(url: "https://\(address)/raft/status")
            request.method = .GET
            // Generous: a leader that is alive but slow (a loaded machine, a long fsync) must
            // not be deposed by the probe; a stopped one is caught by the election timeout.
            let response = try await client.execute(request, timeout: .seconds(2))
            let body = try await response.body.collect(upTo: 1 << 16)
            guard response.status == .ok else { return .failed }
            let answer = try JSONDecoder().decode(PeerStatus.self, from: Data(body.readableBytesView))
            return answer.leader == leader ? .leads : .doesNotLead
        } catch {
            return .failed
        }
    }
}

extension ClusterTransport {
    /// What a TCP connect to a peer's port found.
    enum ConnectOutcome: Equatable {
        case accepted
        /// Refused: nothing listens there (a crashed process).
        case refused
        /// Timed out (300 ms) or failed otherwise: the peer may be alive but slow.
        case failed
    }

    /// Tries a TCP connection to `address` for at most 300 ms.
    static func connect(_ address: String) async -> ConnectOutcome {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            return .failed
        }
        let host = String(address[..<colon])
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(300))
                .connect(host: host, port: port).get()
            try? await channel.close()
            return .accepted
        } catch {
            return isRefusal(error) ? .refused : .failed
        }
    }

    /// Whether a connect error says the port refused the connection (every address tried).
    static func isRefusal(_ error: any Error) -> Bool {
        if let error = error as? IOError { return error.errnoCode == ECONNREFUSED }
        if let error = error as? NIOConnectionError {
            return !error.connectionErrors.isEmpty && error.connectionErrors.allSatisfy { isRefusal($0.error) }
        }
        return false
    }
}

/// What `GET /raft/status` answers: who the peer is and whom it follows.
public struct PeerStatus: Codable, Sendable, Hashable {
    public var id: NodeID
    public var leader: NodeID
    public var term: UInt64

    public init(id: NodeID, leader: NodeID, term: UInt64) {
        self.id = id
        self.leader = leader
        self.term = term
    }
}
