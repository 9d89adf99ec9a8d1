import NIOCore

/// Relays bytes between two channels on one event loop, with backpressure: a side is read
/// only while the other side can take writes. An end of input on one side (a half close)
/// becomes an end of output on the other; a closed side closes the other. One of a pair,
/// made by ``matchedPair()``.
final class GlueHandler: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    /// Called once when this side's channel closes.
    private let onClose: (@Sendable () -> Void)?

    private init(onClose: (@Sendable () -> Void)?) {
        self.onClose = onClose
    }

    /// Two handlers that relay to each other. `onClose` runs once, when the first side
    /// closes (the other follows).
    static func matchedPair(onClose: (@Sendable () -> Void)? = nil) -> (GlueHandler, GlueHandler) {
        let first = GlueHandler(onClose: onClose)
        let second = GlueHandler(onClose: nil)
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    // MARK: Called by the partner

    private func partnerWrite(_ data: NIOAny) {
        context?.write(data, promise: nil)
    }

    private func partnerFlush() {
        context?.flush()
    }

    private func partnerWriteEOF() {
        guard let context else { return }
        // A side that cannot half-close (TLS) closes once what was written has gone.
        let channel = context.channel
        context.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
    }

    private func partnerCloseFull() {
        context?.close(promise: nil)
    }

    private func partnerBecameWritable() {
        if pendingRead {
            pendingRead = false
            context?.read()
        }
    }

    private var partnerWritable: Bool {
        context?.channel.isWritable ?? false
    }

    // MARK: This side

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.partnerWrite(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.partnerFlush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        onClose?()
        partner?.partnerCloseFull()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, case .inputClosed = event {
            partner?.partnerWriteEOF()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            partner?.partnerBecameWritable()
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if partner?.partnerWritable ?? false {
            context.read()
        } else {
            pendingRead = true
        }
    }
}
