import ColmeiaCluster
import HummingbirdCore
import HummingbirdHTTP2
import Logging
import NIOCore

/// Plaintext TCP that answers HTTP/1.1 (the docker CLI's `tcp://`) and HTTP/2 with prior
/// knowledge (`curl --http2-prior-knowledge`) on one port, choosing per connection by
/// whether the client opens with the HTTP/2 connection preface.
public struct PlaintextHTTPChannel: ServerChildChannel {
    enum Negotiated: Sendable {
        case http1(HTTP1Channel.Value)
        case http2(HTTP2Channel.Value)
    }

    public struct Value: ServerChildChannelValue {
        let negotiated: EventLoopFuture<Negotiated>
        public let channel: any Channel
    }

    private let http1: HTTP1Channel
    private let http2: HTTP2Channel

    public init(responder: @escaping HTTPChannelHandler.Responder, policy: ConnectionPolicy) {
        http1 = HTTP1Channel(responder: responder, configuration: policy.http1Configuration())
        http2 = HTTP2Channel(responder: responder, configuration: policy.http2Configuration())
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let promise = channel.eventLoop.makePromise(of: Negotiated.self)
        let http1 = self.http1
        let http2 = self.http2
        let sniffer = PrefaceSniffer { isHTTP2 in
            if isHTTP2 {
                return http2.setup(channel: channel, logger: logger).map { promise.succeed(.http2($0)) }
            }
            return http1.setup(channel: channel, logger: logger).map { promise.succeed(.http1($0)) }
        }
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(sniffer)
            return Value(negotiated: promise.futureResult, channel: channel)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.negotiated.get() {
            case .http1(let connection): await http1.handle(value: connection, logger: logger)
            case .http2(let connection): await http2.handle(value: connection, logger: logger)
            }
        } catch {
            logger.debug("connection closed before its protocol was known: \(error)")
        }
    }
}

/// Buffers the first bytes of a connection until it can tell HTTP/2's preface from an
/// HTTP/1 request line, installs the matching pipeline, then replays what it buffered.
final class PrefaceSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    private let decide: (Bool) -> EventLoopFuture<Void>
    private var buffered: ByteBuffer?
    private var decided = false

    init(decide: @escaping (Bool) -> EventLoopFuture<Void>) {
        self.decide = decide
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if decided {
            // Bytes that arrived while the pipeline was being installed: keep them in order.
            buffered?.writeBuffer(&incoming)
            return
        }
        if buffered == nil {
            buffered = incoming
        } else {
            buffered?.writeBuffer(&incoming)
        }
        guard let bytes = buffered?.readableBytesView else { return }
        let count = min(bytes.count, Self.preface.count)
        let matchesPreface = bytes.prefix(count).elementsEqual(Self.preface.prefix(count))
        if matchesPreface && bytes.count < Self.preface.count { return }
        decided = true
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        decide(matchesPreface).whenComplete { result in
            let (sniffer, context) = loopBound.value
            switch result {
            case .success:
                if let pending = sniffer.buffered {
                    sniffer.buffered = nil
                    context.fireChannelRead(sniffer.wrapInboundOut(pending))
                }
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
            case .failure(let error):
                context.fireErrorCaught(error)
                context.close(promise: nil)
            }
        }
    }
}
