import CZlib

/// zlib's deflate, fed piece by piece: a backup's parts are compressed before they are
/// encrypted (its SQLite image and JSON commands shrink several times).
final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>

    /// Level 1: most of the gain for a fraction of the time of the default level.
    init(level: Int32 = 1) throws(BackupError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard deflateInit_(stream, level, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deallocate()
            throw .io("cannot start zlib's deflate")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `input`; with `finish`, also flushes the end of the stream.
    func update(_ input: ArraySlice<UInt8>, finish: Bool = false) throws(BackupError) -> [UInt8] {
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var result: Int32 = Z_OK
        input.withUnsafeBufferPointer { source in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.pointee.avail_in = UInt32(source.count)
            repeat {
                buffer.withUnsafeMutableBufferPointer { target in
                    stream.pointee.next_out = target.baseAddress
                    stream.pointee.avail_out = UInt32(target.count)
                    result = deflate(stream, finish ? Z_FINISH : Z_NO_FLUSH)
                    output += target[0..<(target.count - Int(stream.pointee.avail_out))]
                }
            } while result == Z_OK && (stream.pointee.avail_in > 0 || stream.pointee.avail_out == 0 || (finish && result != Z_STREAM_END))
            stream.pointee.next_in = nil
        }
        guard result == Z_OK || result == Z_STREAM_END || result == Z_BUF_ERROR else {
            throw .io("zlib's deflate failed (\(result))")
        }
        return output
    }
}

/// zlib's inflate of a whole part, refusing to grow past what the manifest says.
enum Inflate {
    static func whole(_ input: [UInt8], expected: UInt64, part: String) throws(BackupError) -> [UInt8] {
        // Deflate expands at most about 1,000 times: a manifest claiming more lies.
        guard expected < UInt64(UInt32.max), expected <= UInt64(input.count) * 1_100 + 1_024 else {
            throw .malformed("part \"\(part)\" claims \(expected) bytes from \(input.count) compressed ones")
        }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        guard inflateInit_(stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .io("cannot start zlib's inflate")
        }
        defer { inflateEnd(stream) }
        var output = [UInt8](repeating: 0, count: Int(expected))
        var result: Int32 = Z_OK
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
                stream.pointee.avail_in = UInt32(source.count)
                stream.pointee.next_out = target.baseAddress
                stream.pointee.avail_out = UInt32(target.count)
                result = inflate(stream, Z_FINISH)
            }
        }
        guard result == Z_STREAM_END, stream.pointee.total_out == expected, stream.pointee.avail_in == 0 else {
            throw .malformed("part \"\(part)\" does not decompress to the \(expected) bytes the manifest says (zlib \(result))")
        }
        return output
    }
}
