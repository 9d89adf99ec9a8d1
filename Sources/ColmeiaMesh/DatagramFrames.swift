import NIOCore

/// UDP over the data path's TLS stream: each datagram as a 2-byte big-endian length and
/// its bytes.
struct DatagramFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        guard let datagram = buffer.readSlice(length: Int(length)) else { return .needMoreData }
        context.fireChannelRead(wrapInboundOut(datagram))
        return .continue
    }
}

enum DatagramFrames {
    /// `bytes` framed for the stream (a datagram over 65,535 bytes cannot exist).
    static func frame(_ bytes: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
        var framed = allocator.buffer(capacity: bytes.readableBytes + 2)
        framed.writeInteger(UInt16(clamping: bytes.readableBytes))
        var payload = bytes
        framed.writeBuffer(&payload)
        return framed
    }
}

/// Each frame read from the data path becomes a datagram on `socket` (toward the task).
final class FramesToDatagrams: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let socket: any Channel

    init(socket: any Channel) {
        self.socket = socket
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        socket.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        socket.close(promise: nil)
        context.fireChannelInactive()
    }
}

/// Each datagram from the task becomes a frame on the data path `stream`.
final class DatagramsToFrames: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let stream: any Channel

    init(stream: any Channel) {
        self.stream = stream
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        stream.writeAndFlush(DatagramFrames.frame(unwrapInboundIn(data).data, allocator: context.channel.allocator), promise: nil)
    }
}
