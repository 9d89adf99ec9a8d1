import HTTPTypes
import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// What one listener allows its connections: how many at once (in all, and from one
/// address), how long a connection may take to deliver a request's head (TLS handshake
/// included) or sit idle between requests, and how long a request's body may take.
/// A connection over a limit is closed at once; one past a deadline is closed.
public final class ConnectionPolicy: Sendable {
    public let maxConnections: Int
    public let maxPerAddress: Int
    /// From the connection's start (TLS handshake included) to its first complete request head.
    public let headerTimeout: Duration
    /// How long a kept-alive connection may wait between requests (or for a later request's
    /// head to complete).
    public let idleTimeout: Duration
    /// From a request's head to the end of its body.
    public let bodyTimeout: Duration
    private let state = Mutex<State>(State())

    private struct State {
        var total = 0
        var byAddress: [String: Int] = [:]
        /// Connections that have delivered at least one request head.
        var served: Set<ObjectIdentifier> = []
    }

    public init(maxConnections: Int = 1_024, maxPerAddress: Int = 256, headerTimeout: Duration = .seconds(10),
                idleTimeout: Duration = .seconds(120), bodyTimeout: Duration = .seconds(60)) {
        self.maxConnections = maxConnections
        self.maxPerAddress = maxPerAddress
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
    }

    /// The connections open now (for tests and `/info`).
    public var openConnections: Int { state.withLock { $0.total } }

    func admit(_ address: String?) -> Bool {
        state.withLock { state in
            guard state.total < maxConnections else { return false }
            if let address {
                guard state.byAddress[address, default: 0] < maxPerAddress else { return false }
                state.byAddress[address, default: 0] += 1
            }
            state.total += 1
            return true
        }
    }

    func release(_ address: String?, channel: ObjectIdentifier) {
        state.withLock { state in
            state.total -= 1
            state.served.remove(channel)
            if let address {
                let left = state.byAddress[address, default: 1] - 1
                state.byAddress[address] = left > 0 ? left : nil
            }
        }
    }

    func markServed(_ channel: ObjectIdentifier) {
        state.withLock { _ = $0.served.insert(channel) }
    }

    func hasServed(_ channel: ObjectIdentifier) -> Bool {
        state.withLock { $0.served.contains(channel) }
    }

    /// The HTTP/1 configuration this policy asks for: the idle timeout (which also bounds a
    /// later request's head that arrives too slowly) and the body deadline.
    package func http1Configuration() -> HTTP1Channel.Configuration {
        HTTP1Channel.Configuration(additionalChannelHandlers: [RequestDeadlineHandler(policy: self)],
                                   idleTimeout: TimeAmount.nanoseconds(idleTimeout.nanosecondsValue))
    }

    /// The HTTP/2 configuration: idle connections close, and every stream is held to the
    /// same head and body deadlines.
    package func http2Configuration() -> HTTP2ChannelConfiguration {
        HTTP2ChannelConfiguration(idleTimeout: idleTimeout, streamConfiguration: http1Configuration())
    }

    /// A builder that puts `inner` behind this policy.
    package func builder<Inner: ServerChildChannel>(_ make: @escaping @Sendable (@escaping HTTPChannelHandler.Responder) throws -> Inner)
        -> HTTPServerBuilder {
        HTTPServerBuilder { responder in GuardedChildChannel(inner: try make(responder), policy: self) }
    }
}

extension Duration {
    var nanosecondsValue: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}

/// A listener's child channel behind a ``ConnectionPolicy``: over-limit connections are
/// closed before any byte is read, and a connection that has not delivered a request head
/// within the header timeout (a TLS handshake that never ends, a slow-loris opening) is
/// closed.
struct GuardedChildChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value

    let inner: Inner
    let policy: ConnectionPolicy

    struct Refused: Error {}

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let address = channel.remoteAddress?.ipAddress
        guard policy.admit(address) else {
            logger.debug("connection refused: too many connections", metadata: ["address": "\(address ?? "local")"])
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(Refused())
        }
        let policy = self.policy
        let identifier = ObjectIdentifier(channel)
        channel.closeFuture.whenComplete { _ in policy.release(address, channel: identifier) }
        let deadline = channel.eventLoop.scheduleTask(in: .nanoseconds(policy.headerTimeout.nanosecondsValue)) {
            if !policy.hasServed(identifier) { channel.close(promise: nil) }
        }
        channel.closeFuture.whenComplete { _ in deadline.cancel() }
        return inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// Holds each request to the policy: its connection is marked as having delivered a head
/// (so the first-request deadline does not close it), and a body that does not end within
/// the body timeout closes the connection.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let policy: ConnectionPolicy
    private var bodyDeadline: Scheduled<Void>?

    init(policy: ConnectionPolicy) {
        self.policy = policy
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            // An HTTP/2 stream's connection is its parent channel. An HTTP/1 connection is
            // the channel itself: its parent is the listening socket.
            let channel = context.channel
            let connection = channel.parent.map { $0.parent == nil ? channel : $0 } ?? channel
            policy.markServed(ObjectIdentifier(connection))
            bodyDeadline?.cancel()
            bodyDeadline = context.eventLoop.scheduleTask(in: .nanoseconds(policy.bodyTimeout.nanosecondsValue)) {
                channel.close(promise: nil)
            }
        case .end:
            bodyDeadline?.cancel()
            bodyDeadline = nil
        case .body:
            break
        }
        context.fireChannelRead(data)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        bodyDeadline?.cancel()
        bodyDeadline = nil
    }
}
