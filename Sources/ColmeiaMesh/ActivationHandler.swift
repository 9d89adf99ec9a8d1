import NIOCore

/// Runs `action` once the channel is active (an accepted connection is not yet, when its
/// initializer runs), then leaves the pipeline.
final class ActivationHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let action: @Sendable (any Channel) -> Void

    init(_ action: @escaping @Sendable (any Channel) -> Void) {
        self.action = action
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        let channel = context.channel
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        action(channel)
    }
}
