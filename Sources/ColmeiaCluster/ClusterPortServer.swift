import ColmeiaNode
import ColmeiaPKI
import Hummingbird
import HummingbirdCore
import HummingbirdHTTP2
import Logging
import ServiceLifecycle
import NIOCore
import Synchronization

/// The cluster port's listener, started when the node enters a swarm and stopped when it
/// leaves: HTTP/2 (or HTTP/1.1) over TLS, chosen by ALPN.
package final class ClusterPortServer: Sendable {
    private let task: Task<Void, Never>
    private let group: ServiceGroup
    private let stopped: Flag
    private let logger: Logger

    private init(task: Task<Void, Never>, group: ServiceGroup, stopped: Flag, logger: Logger) {
        self.task = task
        self.group = group
        self.stopped = stopped
        self.logger = logger
    }

    /// Binds `address` (`IP:PORT`) and serves `responder`; returns once the port is bound,
    /// or throws Docker's words when it cannot be.
    static func start(address: String, tls: ClusterTLS, credentials: ServingCredentials,
                      responder: some HTTPResponder<ClusterPortContext>, logger: Logger) async throws -> ClusterPortServer {
        let parts = address.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else {
            throw DockerAPIError(.badRequest, "invalid listen address \(address)")
        }
        let host = String(parts[0])
        var configuration = try tls.serverConfiguration()
        // A renewed certificate is served from the next handshake on, and client
        // certificates are checked against the roots trusted at that moment.
        configuration.sslContextCallback = credentials.callback
        let initialRoots = try TrustBundle(pem: tls.caCertificatePEM)
        let channel = TLSChannelConfiguration(tlsConfiguration: configuration) { chain in
            await credentials.verify(chain, fallback: initialRoots)
        }
        let signal = StartSignal()
        // Open to the network (and to anyone before `/join`): bounded like the API's listeners.
        let policy = ConnectionPolicy()
        let app = Application(
            responder: responder,
            server: policy.builder { responder in
                try HTTP2UpgradeChannel(tlsChannelConfiguration: channel, configuration: policy.http2Configuration(),
                                        responder: responder)
            },
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "colmeiad-cluster"),
            onServerRunning: { _ in signal.finish(nil) },
            logger: logger)
        // Stopped by a graceful shutdown of its own group: cancelling the server instead
        // leaves it waiting on its child channels forever.
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let stopped = Flag()
        let task = Task {
            defer { stopped.value.store(true, ordering: .releasing) }
            do {
                try await group.run()
            } catch {
                if !signal.finish(DockerAPIError(.badRequest, "listen tcp \(address): \(error)")) {
                    logger.error("the cluster port stopped", metadata: ["error": "\(error)"])
                }
            }
        }
        do {
            try await signal.wait()
        } catch {
            task.cancel()
            throw error
        }
        logger.info("serving the cluster port", metadata: ["address": "\(address)"])
        return ClusterPortServer(task: task, group: group, stopped: stopped, logger: logger)
    }

    /// Set when the server task has ended.
    private final class Flag: Sendable {
        let value = Atomic(false)
    }

    /// Resumes the starter once: with nil when the port is bound, or with the error.
    private final class StartSignal: Sendable {
        private let state = Mutex<(done: Bool, outcome: (any Error)??, waiter: CheckedContinuation<Void, any Error>?)>((false, nil, nil))

        @discardableResult
        func finish(_ error: (any Error)?) -> Bool {
            let waiter: CheckedContinuation<Void, any Error>?? = state.withLock { state in
                guard !state.done else { return .none }
                state.done = true
                state.outcome = .some(error)
                defer { state.waiter = nil }
                return .some(state.waiter)
            }
            guard case .some(let continuation) = waiter else { return false }
            if let error { continuation?.resume(throwing: error) } else { continuation?.resume() }
            return true
        }

        func wait() async throws {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: (any Error)?? = state.withLock { state in
                    if state.done { return state.outcome }
                    state.waiter = continuation
                    return nil
                }
                switch outcome {
                case .none: break
                case .some(.none): continuation.resume()
                case .some(.some(let error)): continuation.resume(throwing: error)
                }
            }
        }
    }

    /// Stops accepting, lets requests in flight finish (agent streams end at once), and
    /// returns when the server is gone.
    /// A request that never ends (a peer that stops mid-body) cannot hold the node: after
    /// `grace` the server is cancelled and left to finish on its own.
    func stop(grace: Duration = .seconds(10)) async {
        await group.triggerGracefulShutdown()
        let deadline = ContinuousClock.now.advanced(by: grace)
        while !stopped.value.load(ordering: .acquiring) {
            guard ContinuousClock.now < deadline else {
                logger.warning("the cluster port still had requests in flight after \(grace); abandoning them")
                task.cancel()
                return
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}
