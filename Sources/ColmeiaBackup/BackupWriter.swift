import ColmeiaModel
import ColmeiaNode
import Crypto
import Foundation

/// Writes a backup from a consistent cut of the log, piece by piece to `sink` (an HTTP
/// response, a file): the snapshot part, the log part, then the manifest and trailer.
///
/// ```swift
/// let export = try await node.exportLog()
/// let manifest = try await BackupWriter.write(export, clusterID: id, passphrase: "…") { bytes in
///     try await response.write(bytes)
/// }
/// ```
public enum BackupWriter {
    public static let chunkBytes = 64 * 1024

    public static func write(
        _ export: LogExport, clusterID: String, colmeiaVersion: String, schemaVersion: String,
        passphrase: String, sealedWith: String = "passphrase",
        to sink: ([UInt8]) async throws -> Void
    ) async throws(BackupError) -> BackupManifest {
        guard !passphrase.isEmpty else { throw .passphraseRequired("a backup needs a passphrase that is not empty") }
        let key = BackupKey()
        let encryption = try key.sealed(with: passphrase, sealedWith: sealedWith, chunkBytes: chunkBytes)
        var hash = SHA256()
        var written: UInt64 = 0
        func emit(_ bytes: [UInt8]) async throws(BackupError) {
            hash.update(data: bytes)
            written += UInt64(bytes.count)
            do {
                try await sink(bytes)
            } catch {
                throw .io("cannot write the backup: \(error)")
            }
        }
        try await emit(BackupFrame.header)

        var parts: [BackupManifest.Part] = []
        var chunker = PartChunker(key: key, number: 0, name: "snapshot", offset: written)
        for start in stride(from: 0, to: export.baseData.count, by: chunkBytes) {
            try await chunker.add(export.baseData[start..<min(start + chunkBytes, export.baseData.count)], emit)
        }
        parts.append(try await chunker.finish(emit))

        chunker = PartChunker(key: key, number: 1, name: "log", offset: written)
        var record: [UInt8] = []
        for entry in export.entries {
            record.removeAll(keepingCapacity: true)
            LogRecord.append(index: entry.index, term: entry.term, payload: entry.payload, to: &record)
            try await chunker.add(record[...], emit)
        }
        parts.append(try await chunker.finish(emit))

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
            encryption: encryption, parts: parts, sha256: hex(Array(hash.finalize())))
        let json: [UInt8]
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            json = Array(try encoder.encode(manifest))
        } catch {
            throw .io("cannot encode the manifest: \(error)")
        }
        do {
            try await sink(json + BackupFrame.trailer(manifestLength: json.count, manifestSHA256: Array(SHA256.hash(data: json))))
        } catch {
            throw .io("cannot write the backup: \(error)")
        }
        return manifest
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
    var pending: [UInt8] = []
    var chunk: UInt64 = 0
    var stored: UInt64 = 0
    var plain: UInt64 = 0
    var chunkHashes: [String] = []
    var partHash = SHA256()

    init(key: BackupKey, number: Int, name: String, offset: UInt64) {
        self.key = key
        self.number = number
        self.name = name
        self.offset = offset
        pending.reserveCapacity(BackupWriter.chunkBytes * 2)
    }

    mutating func add(_ bytes: ArraySlice<UInt8>, _ emit: ([UInt8]) async throws(BackupError) -> Void) async throws(BackupError) {
        pending += bytes
        plain += UInt64(bytes.count)
        while pending.count > BackupWriter.chunkBytes {
            try await seal(pending[..<BackupWriter.chunkBytes], final: false, emit)
            pending.removeFirst(BackupWriter.chunkBytes)
        }
    }

    mutating func finish(_ emit: ([UInt8]) async throws(BackupError) -> Void) async throws(BackupError) -> BackupManifest.Part {
        try await seal(pending[...], final: true, emit)
        pending = []
        return BackupManifest.Part(name: name, offset: offset, storedBytes: stored, plainBytes: plain,
                                   sha256: BackupWriter.hex(Array(partHash.finalize())), chunks: chunkHashes)
    }

    private mutating func seal(_ bytes: ArraySlice<UInt8>, final: Bool, _ emit: ([UInt8]) async throws(BackupError) -> Void) async throws(BackupError) {
        let sealed = try key.seal(bytes, part: number, name: name, chunk: chunk, final: final)
        chunk += 1
        stored += UInt64(sealed.count)
        partHash.update(data: sealed)
        chunkHashes.append(BackupWriter.hex(Array(SHA256.hash(data: sealed))))
        try await emit(sealed)
    }
}
