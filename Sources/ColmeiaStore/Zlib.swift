import CZlib

/// zlib's one-shot compress and uncompress, for the audit archive's blocks.
enum Zlib {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func compress(_ input: [UInt8]) throws(Failure) -> [UInt8] {
        var length = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        let status = output.withUnsafeMutableBufferPointer { target in
            input.withUnsafeBufferPointer { source in
                compress2(target.baseAddress, &length, source.baseAddress, uLong(source.count), 6)
            }
        }
        guard status == Z_OK else { throw Failure(description: "zlib compress failed (\(status))") }
        return Array(output.prefix(Int(length)))
    }

    static func uncompress(_ input: [UInt8], rawLength: Int) throws(Failure) -> [UInt8] {
        var length = uLong(rawLength)
        var output = [UInt8](repeating: 0, count: max(rawLength, 1))
        let status = output.withUnsafeMutableBufferPointer { target in
            input.withUnsafeBufferPointer { source in
                CZlib.uncompress(target.baseAddress, &length, source.baseAddress, uLong(source.count))
            }
        }
        guard status == Z_OK, Int(length) == rawLength else { throw Failure(description: "zlib uncompress failed (\(status))") }
        return Array(output.prefix(rawLength))
    }
}
