import ColmeiaRaft
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a snapshot file's data as a stream of verified, decrypted chunks, holding one
/// chunk at a time: a file of format version 2 (``SnapshotFileWriter``). A file of version
/// 1 (the data in one piece, sealed whole) is read whole, verified and handed out in
/// chunks: older files stay readable.
///
/// The file stays open from ``open(path:cipher:)`` on: a reader handed to another thread
/// reads it even after the snapshot was purged from the directory.
///
/// ```swift
/// let reader = try storage.openSnapshot(metadata)     // on the storage's thread
/// try reader.copyData(toFile: "/tmp/image.db")        // on any thread
/// ```
public final class SnapshotFileReader: Sendable {
    /// The snapshot's index, term and membership.
    public let metadata: SnapshotMetadata
    /// Bytes of data (after decryption).
    public let dataLength: UInt64
    /// The format version of the file (1: in one piece, 2: in chunks).
    public let version: UInt16
    private let path: String
    private let cipher: (any PayloadCipher)?
    private let state: Mutex<State>

    private struct State {
        var file: FileDescriptor?
        /// Version 1: the whole data, handed out in pieces.
        var whole: [UInt8]?
        var offset: Int
        var delivered: UInt64 = 0
        var chunk: UInt64 = 0
        var chunkSize: Int
        var fileSize: Int
    }

    private init(path: String, cipher: (any PayloadCipher)?, metadata: SnapshotMetadata, dataLength: UInt64,
                 version: UInt16, state: sending State) {
        self.path = path
        self.cipher = cipher
        self.metadata = metadata
        self.dataLength = dataLength
        self.version = version
        self.state = Mutex(state)
    }

    /// Opens the file at `path` and reads its header (a version 1 file: all of it).
    public static func open(path: String, cipher: (any PayloadCipher)?) throws(RaftDiskStorageError) -> SnapshotFileReader {
        let file: FileDescriptor
        let size: Int
        let head: [UInt8]
        do {
            file = try FileDescriptor.open(path, flags: O_RDONLY)
            size = try file.size()
            head = try file.read(count: min(size, 16), at: 0)
        } catch {
            if error.code == ENOENT { throw .snapshots(.notFound(path: path)) }
            throw .snapshots(.io(error))
        }
        guard head.count == 16, Array(head[0..<8]) == SnapshotFileFormat.magic else { throw .snapshots(.badMagic(path: path)) }
        var reader = BinaryReader(head, range: 8..<16)
        let version: UInt16
        let flags: UInt16
        let stored: UInt32
        do {
            version = try reader.read(UInt16.self)
            flags = try reader.read(UInt16.self)
            stored = try reader.read(UInt32.self)
        } catch {
            throw .snapshots(.malformed(path: path, error))
        }
        switch version {
        case SnapshotFileFormat.currentVersion:
            let bytes: [UInt8]
            do {
                bytes = try file.readAll()
            } catch {
                throw .snapshots(.io(error))
            }
            let decoded: Snapshot
            do {
                decoded = try SnapshotFileFormat.decode(bytes, path: path)
            } catch {
                throw .snapshots(error)
            }
            let snapshot = try cipher?.open(decoded) ?? decoded
            return SnapshotFileReader(
                path: path, cipher: cipher, metadata: snapshot.metadata, dataLength: UInt64(snapshot.data.count),
                version: version,
                state: State(file: nil, whole: snapshot.data, offset: 0, chunkSize: SnapshotFileWriter.defaultChunkSize,
                             fileSize: size))
        case SnapshotFileWriter.version:
            guard (flags & 1 == 1) == (cipher != nil) else {
                throw .encryption(flags & 1 == 1
                    ? "the snapshot \(path) is encrypted, and this node has no data key"
                    : "the snapshot \(path) is not encrypted, but this node encrypts its log")
            }
            // The header: metadata length, metadata, data length, chunk size.
            let header: [UInt8]
            do {
                let lengthBytes = try file.read(count: 4, at: 16)
                var lengthReader = BinaryReader(lengthBytes)
                let metadataLength = Int(try lengthReader.read(UInt32.self))
                guard metadataLength <= 1 << 20 else {
                    throw BinaryDecodingError.invalidValue(field: "metadata length", value: UInt64(metadataLength), offset: 16)
                }
                header = try file.read(count: 4 + metadataLength + 12, at: 16)
            } catch let error as BinaryDecodingError {
                throw .snapshots(.malformed(path: path, error))
            } catch let error as SystemCallError {
                throw .snapshots(.io(error))
            } catch {
                throw .snapshots(.invalidArgument("\(error)"))
            }
            let computed = CRC32C.checksum(header)
            guard computed == stored else {
                throw .snapshots(.checksumMismatch(path: path, stored: stored, computed: computed))
            }
            var body = BinaryReader(header)
            let metadata: SnapshotMetadata
            let dataLength: UInt64
            let chunkSize: UInt32
            do throws(BinaryDecodingError) {
                metadata = try SnapshotMetadata(binaryEncoded: try body.readLengthPrefixed())
                dataLength = try body.read(UInt64.self)
                chunkSize = try body.read(UInt32.self)
                guard chunkSize > 0 else {
                    throw BinaryDecodingError.invalidValue(field: "chunk size", value: 0, offset: 16 + header.count - 4)
                }
            } catch {
                throw .snapshots(.malformed(path: path, error))
            }
            return SnapshotFileReader(
                path: path, cipher: cipher, metadata: metadata, dataLength: dataLength, version: version,
                state: State(file: file, whole: nil, offset: 16 + header.count, chunkSize: Int(chunkSize), fileSize: size))
        default:
            throw .snapshots(.unsupportedVersion(path: path, version: version))
        }
    }

    /// The next chunk of data, verified and decrypted; nil after the last. Throws when the
    /// file is damaged, cut short, longer than it says, or does not decrypt.
    public func nextChunk() throws(RaftDiskStorageError) -> [UInt8]? {
        let metadata = self.metadata
        let dataLength = self.dataLength
        let path = self.path
        let cipher = self.cipher
        return try state.withLock { (state) throws(RaftDiskStorageError) -> [UInt8]? in
            if let whole = state.whole {
                guard state.offset < whole.count else { return nil }
                let end = min(whole.count, state.offset + state.chunkSize)
                defer { state.offset = end }
                return Array(whole[state.offset..<end])
            }
            guard let file = state.file else { return nil }
            guard state.delivered < dataLength else {
                guard state.offset == state.fileSize else {
                    throw .snapshots(.malformed(path: path, .trailingBytes(offset: state.offset, count: state.fileSize - state.offset)))
                }
                return nil
            }
            let expected = Int(min(UInt64(state.chunkSize), dataLength - state.delivered))
            let isLast = state.delivered + UInt64(expected) == dataLength
            let frame: [UInt8]
            let stored: [UInt8]
            do {
                frame = try file.read(count: 8, at: state.offset)
                guard frame.count == 8 else {
                    throw BinaryDecodingError.truncated(offset: state.offset, needed: 8, available: frame.count)
                }
                var reader = BinaryReader(frame)
                let length = Int(try reader.read(UInt32.self))
                let crc = try reader.read(UInt32.self)
                // A sealed chunk is its data plus a fixed overhead; nothing near 2× the chunk.
                guard length <= 2 * state.chunkSize + 4096 else {
                    throw BinaryDecodingError.invalidValue(field: "chunk length", value: UInt64(length), offset: state.offset)
                }
                stored = try file.read(count: length, at: state.offset + 8)
                guard stored.count == length else {
                    throw BinaryDecodingError.truncated(offset: state.offset + 8, needed: length, available: stored.count)
                }
                let computed = SnapshotFileWriter.checksum(stored, chunk: state.chunk)
                guard computed == crc else {
                    throw SnapshotStoreError.checksumMismatch(path: path, stored: crc, computed: computed)
                }
            } catch let error as BinaryDecodingError {
                throw .snapshots(.malformed(path: path, error))
            } catch let error as SnapshotStoreError {
                throw .snapshots(error)
            } catch let error as SystemCallError {
                throw .snapshots(.io(error))
            } catch {
                throw .snapshots(.invalidArgument("\(error)"))
            }
            let data = try cipher?.transformChunk(stored, sealing: false, metadata: metadata, chunk: state.chunk,
                                                  isLast: isLast) ?? stored
            guard data.count == expected else {
                throw .snapshots(.malformed(path: path, .invalidValue(
                    field: "chunk \(state.chunk) size", value: UInt64(data.count), offset: state.offset)))
            }
            state.offset += 8 + stored.count
            state.delivered += UInt64(data.count)
            state.chunk += 1
            return data
        }
    }

    /// All the data, in memory (what an in-memory ``Snapshot`` carries).
    public func readData() throws(RaftDiskStorageError) -> [UInt8] {
        var data: [UInt8] = []
        data.reserveCapacity(Int(min(dataLength, UInt64(Int.max))))
        while let chunk = try nextChunk() { data.append(contentsOf: chunk) }
        return data
    }

    /// Reads every chunk (checking it) without keeping any.
    public func verify() throws(RaftDiskStorageError) {
        while try nextChunk() != nil {}
    }

    /// Writes the data, decrypted, to a new file at `path` (mode 0600, fsynced); removes
    /// it again when the snapshot turns out damaged.
    public func copyData(toFile path: String) throws(RaftDiskStorageError) {
        let output: FileDescriptor
        do {
            output = try FileDescriptor.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        } catch {
            throw .snapshots(.io(error))
        }
        do throws(RaftDiskStorageError) {
            var offset = 0
            while let chunk = try nextChunk() {
                do {
                    try output.write(chunk, at: offset)
                } catch {
                    throw RaftDiskStorageError.snapshots(.io(error))
                }
                offset += chunk.count
            }
            do {
                try output.sync()
            } catch {
                throw RaftDiskStorageError.snapshots(.io(error))
            }
            output.close()
        } catch {
            output.close()
            try? FileSystem.removeFile(path)
            throw error
        }
    }
}
