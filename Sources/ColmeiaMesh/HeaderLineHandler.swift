import NIOCore

/// Reads one line (up to `limit` bytes, ended by `\n`) at the start of a stream — the data
/// path's request or its answer — and then holds what follows until ``release()``, once the
/// relay behind it is in place; from then on it passes everything through.
final class HeaderLineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    enum Failure: Error, CustomStringConvertible {
        case tooLong(Int)
        case closed

        var description: String {
            switch self {
            case .tooLong(let limit): "header longer than \(limit) bytes"
            case .closed: "connection closed before its header"
            }
        }
    }

    private let limit: Int
    private let promise: EventLoopPromise<String>
    private var buffer: ByteBuffer?
    private var done = false
    private var released = false
    private var context: ChannelHandlerContext?

    init(limit: Int, promise: EventLoopPromise<String>) {
        self.limit = limit
        self.promise = promise
    }

    var line: EventLoopFuture<String> { promise.futureResult }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        if !done {
            done = true
            promise.fail(Failure.closed)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if released {
            context.fireChannelRead(data)
            return
        }
        var bytes = unwrapInboundIn(data)
        if buffer == nil { buffer = bytes } else { buffer?.writeBuffer(&bytes) }
        guard !done, var pending = buffer else { return }
        if let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let line = pending.readString(length: newline - pending.readerIndex) ?? ""
            pending.moveReaderIndex(forwardBy: 1)
            buffer = pending
            done = true
            promise.succeed(line)
        } else if pending.readableBytes > limit {
            done = true
            promise.fail(Failure.tooLong(limit))
            context.close(promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if released { context.fireChannelReadComplete() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done {
            done = true
            promise.fail(Failure.closed)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !done {
            done = true
            promise.fail(error)
        }
        context.close(promise: nil)
    }

    /// Passes on what arrived after the line, and everything from now on.
    func release() {
        guard !released else { return }
        released = true
        if let context, let rest = buffer, rest.readableBytes > 0 {
            buffer = nil
            context.fireChannelRead(wrapInboundOut(rest))
            context.fireChannelReadComplete()
        }
        buffer = nil
    }
}
