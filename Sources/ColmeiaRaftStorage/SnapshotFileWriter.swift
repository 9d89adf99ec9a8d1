import ColmeiaRaft
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a snapshot file of format version 2 as a stream, never holding more than one
/// chunk of the data in memory:
///
///     magic "CLMSNAP\0" (8) | version u16 (2) | flags u16 (bit 0: sealed) | header crc32c u32
///     | metadata length u32 | SnapshotMetadata | data length u64 | chunk size u32
///     | chunks: stored length u32 | crc32c u32 (chunk number u64, stored bytes) | stored bytes
///
/// The header CRC-32C covers the bytes from the metadata length to the chunk size. Every
/// chunk but the last holds `chunk size` bytes of data; with a cipher each is sealed on
/// its own, bound to the snapshot, its number and whether it is the last.
///
/// ```swift
/// try SnapshotFileWriter.write(metadata, fromFile: "/tmp/image.db", to: staged, cipher: cipher)
/// ```
final class SnapshotFileWriter {
    static let version: UInt16 = 2
    static let defaultChunkSize = 1 << 20

    private let file: FileDescriptor
    private let metadata: SnapshotMetadata
    private let cipher: (any PayloadCipher)?
    private let dataLength: UInt64
    private let chunkSize: Int
    private var offset = 0
    private var pending: [UInt8] = []
    private var written: UInt64 = 0
    private var chunk: UInt64 = 0

    /// Creates (or truncates) `path` and writes the header.
    init(path: String, metadata: SnapshotMetadata, dataLength: UInt64, cipher: (any PayloadCipher)?,
         chunkSize: Int = defaultChunkSize) throws(RaftDiskStorageError) {
        guard chunkSize > 0, chunkSize <= Int(UInt32.max) else {
            throw .snapshots(.invalidArgument("a chunk size of \(chunkSize) bytes"))
        }
        self.metadata = metadata
        self.cipher = cipher
        self.dataLength = dataLength
        self.chunkSize = chunkSize
        do {
            file = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        } catch {
            throw .snapshots(.io(error))
        }
        var header = BinaryWriter(capacity: 64)
        header.write(contentsOf: SnapshotFileFormat.magic)
        header.write(Self.version)
        header.write(UInt16(cipher == nil ? 0 : 1))
        header.write(UInt32(0))
        header.writeLengthPrefixed(metadata.binaryEncoded())
        header.write(dataLength)
        header.write(UInt32(chunkSize))
        header.overwrite(header.checksum(SnapshotFileFormat.checksummedStart..<header.count), at: 12)
        try put(header.bytes)
    }

    /// Appends data; full chunks go to the file at once.
    func append(_ bytes: [UInt8]) throws(RaftDiskStorageError) {
        guard written + UInt64(pending.count) + UInt64(bytes.count) <= dataLength else {
            throw .snapshots(.invalidArgument("more data than the \(dataLength) bytes announced"))
        }
        pending.append(contentsOf: bytes)
        while pending.count >= chunkSize {
            try emit(Array(pending[..<chunkSize]))
            pending.removeFirst(chunkSize)
        }
    }

    /// Writes the last chunk and makes the file durable (fsync; the caller syncs the
    /// directory when it renames the file into place).
    func finish() throws(RaftDiskStorageError) {
        if !pending.isEmpty {
            try emit(pending)
            pending = []
        }
        guard written == dataLength else {
            throw .snapshots(.invalidArgument("\(written) bytes of data written, \(dataLength) announced"))
        }
        do {
            try file.sync()
        } catch {
            throw .snapshots(.io(error))
        }
        file.close()
    }

    /// Writes `metadata` with the contents of the file at `source` as data, to `path`.
    /// Returns the data's size.
    @discardableResult
    static func write(_ metadata: SnapshotMetadata, fromFile source: String, to path: String,
                      cipher: (any PayloadCipher)?, chunkSize: Int = defaultChunkSize) throws(RaftDiskStorageError) -> UInt64 {
        let input: FileDescriptor
        let size: Int
        do {
            input = try FileDescriptor.open(source, flags: O_RDONLY)
            size = try input.size()
        } catch {
            throw .snapshots(.io(error))
        }
        let writer = try SnapshotFileWriter(path: path, metadata: metadata, dataLength: UInt64(size),
                                            cipher: cipher, chunkSize: chunkSize)
        var position = 0
        while position < size {
            let part: [UInt8]
            do {
                part = try input.read(count: min(chunkSize, size - position), at: position)
            } catch {
                throw .snapshots(.io(error))
            }
            guard !part.isEmpty else {
                throw .snapshots(.invalidArgument("\(source) shrank to \(position) bytes while it was copied"))
            }
            try writer.append(part)
            position += part.count
        }
        try writer.finish()
        return UInt64(size)
    }

    private func emit(_ plaintext: [UInt8]) throws(RaftDiskStorageError) {
        let isLast = written + UInt64(plaintext.count) == dataLength
        let stored = try cipher?.transformChunk(plaintext, sealing: true, metadata: metadata, chunk: chunk,
                                                isLast: isLast) ?? plaintext
        var frame = BinaryWriter(capacity: 8)
        frame.write(UInt32(stored.count))
        frame.write(SnapshotFileWriter.checksum(stored, chunk: chunk))
        try put(frame.bytes)
        try put(stored)
        written += UInt64(plaintext.count)
        chunk += 1
    }

    /// A chunk's CRC-32C covers its number too: chunks swapped in place do not verify.
    static func checksum(_ stored: [UInt8], chunk: UInt64) -> UInt32 {
        var crc = CRC32C()
        withUnsafeBytes(of: chunk.littleEndian) { crc.update($0) }
        crc.update(stored)
        return crc.value
    }

    private func put(_ bytes: [UInt8]) throws(RaftDiskStorageError) {
        do {
            try file.write(bytes, at: offset)
        } catch {
            throw .snapshots(.io(error))
        }
        offset += bytes.count
    }
}
