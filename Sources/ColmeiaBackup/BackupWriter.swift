import ColmeiaModel
import ColmeiaNode
import Crypto
import Foundation

/// Writes a backup from a consistent cut of the log, piece by piece to `sink` (a file, or
/// an ``IdleProducer`` feeding an HTTP response): the snapshot part, the log part, then the
/// manifest and trailer. Synchronous: it is meant for a thread of its own at idle priority.
///
/// ```swift
/// let export = try await node.exportLog()
/// let manifest = try BackupWriter.write(export, clusterID: id, …, passphrase: "…") { bytes in
///     try file.write(contentsOf: bytes)
/// }
/// ```
public enum BackupWriter {
    public static let chunkBytes = 64 * 1024

    public static func write(
        _ export: LogExport, clusterID: String, colmeiaVersion: String, schemaVersion: String,
        passphrase: String, sealedWith: String = "passphrase",
        to sink: ([UInt8]) throws -> Void
    ) throws(BackupError) -> BackupManifest {
        guard !passphrase.isEmpty else { throw .passphraseRequired("a backup needs a passphrase that is not empty") }
        let key = BackupKey()
        let encryption = try key.sealed(with: passphrase, sealedWith: sealedWith, chunkBytes: chunkBytes)
        var written: UInt64 = 0
        func emit(_ bytes: [UInt8]) throws(BackupError) {
            written += UInt64(bytes.count)
            do {
                try sink(bytes)
            } catch {
                throw .io("cannot write the backup: \(error)")
            }
        }
        try emit(BackupFrame.header)

        var parts: [BackupManifest.Part] = []
        var chunker = try PartChunker(key: key, number: 0, name: "snapshot", offset: written)
        for start in stride(from: 0, to: export.baseData.count, by: chunkBytes) {
            try chunker.add(export.baseData[start..<min(start + chunkBytes, export.baseData.count)], emit)
        }
        parts.append(try chunker.finish(emit))

        chunker = try PartChunker(key: key, number: 1, name: "log", offset: written)
        var record: [UInt8] = []
        for entry in export.entries {
            record.removeAll(keepingCapacity: true)
            LogRecord.append(index: entry.index, term: entry.term, payload: entry.payload, to: &record)
            try chunker.add(record[...], emit)
        }
        parts.append(try chunker.finish(emit))

        let commands = export.entries.lazy.compactMap(\.payload)
        let manifest = BackupManifest(
            format: BackupManifest.currentFormat, clusterID: clusterID, createdAt: Timestamp.now().rfc3339,
            colmeiaVersion: colmeiaVersion, schemaVersion: schemaVersion,
            base: .init(index: export.baseIndex, term: export.baseTerm),
            last: .init(index: export.lastIndex, term: export.lastTerm),
            firstTime: commands.first.flatMap(commandTime)?.rfc3339,
            lastTime: export.entries.reversed().lazy.compactMap(\.payload).first.flatMap(commandTime)?.rfc3339,
            entries: export.entries.count,
            voters: export.confState.voters.sorted(), learners: export.confState.learners.sorted(),
            encryption: encryption, parts: parts, sha256: fileDigest(parts))
        let json: [UInt8]
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            json = Array(try encoder.encode(manifest))
        } catch {
            throw .io("cannot encode the manifest: \(error)")
        }
        do {
            try sink(json + BackupFrame.trailer(manifestLength: json.count, manifestSHA256: Array(SHA256.hash(data: json))))
        } catch {
            throw .io("cannot write the backup: \(error)")
        }
        return manifest
    }

    /// The file's checksum: over the header and the parts' checksums (each over its chunks'),
    /// so the bytes are hashed once, chunk by chunk.
    static func fileDigest(_ parts: [BackupManifest.Part]) -> String {
        var hash = SHA256()
        hash.update(data: BackupFrame.header)
        for part in parts { hash.update(data: Array(part.sha256.utf8)) }
        return hex(Array(hash.finalize()))
    }

    /// A part's checksum: over its chunks' checksums, in order.
    static func partDigest(_ chunks: [String]) -> String {
        var hash = SHA256()
        for chunk in chunks { hash.update(data: Array(chunk.utf8)) }
        return hex(Array(hash.finalize()))
    }

    static func commandTime(_ payload: [UInt8]) -> Timestamp? {
        (try? ClusterCommand(encoded: payload))?.envelope.time
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

/// Cuts one part's plaintext into chunks, seals them and keeps their checksums. A chunk is
/// sealed only once more bytes follow it, so that the last one is known to be last.
private struct PartChunker {
    let key: BackupKey
    let number: Int
    let name: String
    let offset: UInt64
    let deflater: Deflater
    var pending: [UInt8] = []
    var chunk: UInt64 = 0
    var stored: UInt64 = 0
    var plain: UInt64 = 0
    var chunkHashes: [String] = []

    init(key: BackupKey, number: Int, name: String, offset: UInt64) throws(BackupError) {
        deflater = try Deflater()
        self.key = key
        self.number = number
        self.name = name
        self.offset = offset
        pending.reserveCapacity(BackupWriter.chunkBytes * 2)
    }

    mutating func add(_ bytes: ArraySlice<UInt8>, _ emit: ([UInt8]) throws(BackupError) -> Void) throws(BackupError) {
        pending += try deflater.update(bytes)
        plain += UInt64(bytes.count)
        while pending.count > BackupWriter.chunkBytes {
            try seal(pending[..<BackupWriter.chunkBytes], final: false, emit)
            pending.removeFirst(BackupWriter.chunkBytes)
        }
    }

    mutating func finish(_ emit: ([UInt8]) throws(BackupError) -> Void) throws(BackupError) -> BackupManifest.Part {
        pending += try deflater.update([], finish: true)
        while pending.count > BackupWriter.chunkBytes {
            try seal(pending[..<BackupWriter.chunkBytes], final: false, emit)
            pending.removeFirst(BackupWriter.chunkBytes)
        }
        try seal(pending[...], final: true, emit)
        pending = []
        return BackupManifest.Part(name: name, offset: offset, storedBytes: stored, plainBytes: plain,
                                   sha256: BackupWriter.partDigest(chunkHashes), chunks: chunkHashes)
    }

    private mutating func seal(_ bytes: ArraySlice<UInt8>, final: Bool, _ emit: ([UInt8]) throws(BackupError) -> Void) throws(BackupError) {
        let sealed = try key.seal(bytes, part: number, name: name, chunk: chunk, final: final)
        chunk += 1
        stored += UInt64(sealed.count)
        chunkHashes.append(BackupWriter.hex(Array(SHA256.hash(data: sealed))))
        try emit(sealed)
    }
}
