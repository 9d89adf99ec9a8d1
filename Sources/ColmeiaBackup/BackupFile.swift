import ColmeiaNode
import Crypto
import Foundation

/// A backup read back: its manifest checked against the trailer, every byte before it
/// checked against the manifest's checksums (no passphrase needed), and, with the
/// passphrase, its parts decrypted.
///
/// ```swift
/// let file = try BackupFile(path: "swarm.cbk")   // frame and checksums
/// let contents = try file.open(passphrase: "…")  // decrypted snapshot and log
/// ```
public struct BackupFile: Sendable {
    public let manifest: BackupManifest
    let bytes: [UInt8]

    public init(path: String) throws(BackupError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .io("cannot read \(path): no such file, or not readable")
        }
        try self.init(bytes: [UInt8](data))
    }

    /// Checks the frame, the manifest and every checksum.
    public init(bytes: [UInt8]) throws(BackupError) {
        self.bytes = bytes
        let header = BackupFrame.header
        guard bytes.count >= header.count + BackupFrame.trailerBytes else {
            throw .malformed("\(bytes.count) bytes is too short for a backup (cut off?)")
        }
        guard Array(bytes[0..<header.count]) == header else {
            throw .malformed("it does not start with \"COLMEIA-BACKUP/1\" (byte offset 0)")
        }
        let trailerStart = bytes.count - BackupFrame.trailerBytes
        guard Array(bytes[(bytes.count - BackupFrame.end.count)...]) == BackupFrame.end else {
            throw .malformed("its trailer (byte offset \(bytes.count - BackupFrame.end.count)) is damaged, or the file was cut off")
        }
        var length: UInt64 = 0
        for shift in 0..<8 { length |= UInt64(bytes[trailerStart + shift]) << (8 * UInt64(shift)) }
        guard length <= BackupFrame.maximumManifestBytes, length <= UInt64(trailerStart - header.count) else {
            throw .malformed("the trailer's manifest length \(length) (byte offset \(trailerStart)) is impossible")
        }
        let manifestStart = trailerStart - Int(length)
        let manifestBytes = Array(bytes[manifestStart..<trailerStart])
        let recorded = Array(bytes[(trailerStart + 8)..<(trailerStart + 40)])
        guard Array(SHA256.hash(data: manifestBytes)) == recorded else {
            throw .damaged(part: "manifest", offset: UInt64(manifestStart),
                           detail: "the manifest (bytes \(manifestStart)–\(trailerStart - 1)) does not match the checksum in the trailer")
        }
        let manifest: BackupManifest
        do {
            manifest = try JSONDecoder().decode(BackupManifest.self, from: Data(manifestBytes))
        } catch {
            throw .malformed("the manifest is not valid: \(error)")
        }
        guard manifest.format == BackupManifest.currentFormat else {
            throw .malformed("format \(manifest.format) is not one this version reads (\(BackupManifest.currentFormat))")
        }
        self.manifest = manifest
        try checkParts(before: manifestStart)
    }

    /// Every part where the manifest says, each chunk matching its checksum, the whole
    /// matching the file checksum.
    private func checkParts(before manifestStart: Int) throws(BackupError) {
        var expected = UInt64(BackupFrame.header.count)
        let stride = UInt64(manifest.encryption.chunkBytes + 16)
        guard manifest.encryption.chunkBytes > 0, manifest.parts.map(\.name) == ["snapshot", "log"] else {
            throw .malformed("the manifest lists parts \(manifest.parts.map(\.name)), not snapshot and log")
        }
        for part in manifest.parts {
            guard part.offset == expected, part.offset + part.storedBytes <= UInt64(manifestStart) else {
                throw .damaged(part: part.name, offset: part.offset, detail: "the part is not where the manifest says")
            }
            var offset = part.offset
            let end = part.offset + part.storedBytes
            for (number, digest) in part.chunks.enumerated() {
                let chunkEnd = min(offset + stride, end)
                guard offset < chunkEnd || (number == part.chunks.count - 1 && offset == chunkEnd) else {
                    throw .damaged(part: part.name, offset: offset, detail: "the manifest lists more chunks than the part holds")
                }
                let chunk = bytes[Int(offset)..<Int(chunkEnd)]
                if BackupWriter.hex(Array(SHA256.hash(data: chunk))) != digest {
                    throw .damaged(part: part.name, offset: offset,
                                   detail: "chunk \(number + 1) of \(part.chunks.count) (bytes \(offset)–\(chunkEnd - 1)) does not match its checksum")
                }
                offset = chunkEnd
            }
            guard offset == end else {
                throw .damaged(part: part.name, offset: offset, detail: "the part holds bytes that no chunk covers")
            }
            guard BackupWriter.partDigest(part.chunks) == part.sha256 else {
                throw .damaged(part: "manifest", offset: UInt64(manifestStart), detail: "the manifest's checksums of part \"\(part.name)\" disagree")
            }
            expected = end
        }
        guard expected == UInt64(manifestStart) else {
            throw .damaged(part: "manifest", offset: expected, detail: "bytes between the last part and the manifest")
        }
        guard BackupWriter.fileDigest(manifest.parts) == manifest.sha256 else {
            throw .damaged(part: "manifest", offset: UInt64(manifestStart), detail: "the manifest's checksum of the file disagrees with its parts'")
        }
    }

    /// Decrypts the parts with `passphrase`.
    public func open(passphrase: String) throws(BackupError) -> BackupContents {
        let key = try BackupKey.open(manifest.encryption, passphrase: passphrase)
        let snapshot = try decrypt(part: 0, key: key)
        let log = try decrypt(part: 1, key: key)
        let records = try LogRecord.decode(log, after: manifest.base.index)
        guard (records.last?.index ?? manifest.base.index) == manifest.last.index else {
            throw .malformed("the log part ends at index \(records.last?.index ?? manifest.base.index), the manifest says \(manifest.last.index)")
        }
        return BackupContents(manifest: manifest, baseData: snapshot, entries: records)
    }

    private func decrypt(part number: Int, key: BackupKey) throws(BackupError) -> [UInt8] {
        let part = manifest.parts[number]
        let stride = UInt64(manifest.encryption.chunkBytes + 16)
        var plain: [UInt8] = []
        plain.reserveCapacity(Int(min(part.storedBytes, 1 << 30)))
        var offset = part.offset
        let end = part.offset + part.storedBytes
        for chunk in 0..<part.chunks.count {
            let chunkEnd = min(offset + stride, end)
            do {
                plain += try key.open(bytes[Int(offset)..<Int(chunkEnd)], part: number, name: part.name,
                                      chunk: UInt64(chunk), final: chunk == part.chunks.count - 1)
            } catch {
                throw .damaged(part: part.name, offset: offset, detail: "chunk \(chunk + 1) does not decrypt (altered, moved or cut off)")
            }
            offset = chunkEnd
        }
        return try Inflate.whole(plain, expected: part.plainBytes, part: part.name)
    }
}

/// A backup's decrypted contents: the read models at `manifest.base` and the entries after.
public struct BackupContents: Sendable {
    public let manifest: BackupManifest
    public let baseData: [UInt8]
    public let entries: [CommittedEntry]
}
