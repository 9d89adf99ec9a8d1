import ColmeiaModel
import Crypto
import CZlib
import Foundation
import Synchronization

/// Where old audit records go when the retention policy moves them out of `state.db`:
/// compressed, checksummed segment files in `audit-archive/` beside it, one per batch, in
/// log order. Each keeps its records as their canonical bytes and chain hashes (so
/// verifying needs no decoding), plus the objects as they stood when the segment begins
/// (so a read as of an index inside it needs this segment alone).
///
/// Segment file `segment-<first index>-<last index>.cas`:
/// `CLMAUDIT1\n`, then blocks — tag (`B` base, `R` records), first index (8 bytes), first
/// ordinal, entry count, raw length, compressed length (4 bytes each), SHA-256 of the raw
/// bytes, the zlib-compressed bytes — then the summary JSON, its length (4 bytes), the
/// SHA-256 of every byte before the summary, and `CLMAEND\n`.
public final class AuditArchive: Sendable {
    public let directory: String
    private let cache = Mutex<[String: Segment]>([:])

    static let magic = Array("CLMAUDIT1\n".utf8)
    static let end = Array("CLMAEND\n".utf8)
    static let recordsPerBlock = 256

    public init(directory: String) {
        self.directory = directory
    }

    /// A segment's summary, kept in its trailer.
    public struct Segment: Sendable, Hashable, Codable {
        public var file: String
        public var firstIndex: UInt64
        public var firstOrdinal: Int
        public var lastIndex: UInt64
        public var lastOrdinal: Int
        public var firstTimeNanoseconds: Int64
        public var lastTimeNanoseconds: Int64
        public var records: Int
        public var baseObjects: Int
        /// The chain hash before the first record, and the last record's (hex).
        public var previousHash: String
        public var lastHash: String
        /// The services the records belong to, and the actors that wrote them: a query
        /// for one skips the segments without it.
        public var services: [String]
        public var actors: [String]
        /// The event types and outcomes in the segment, and the names its services had.
        public var types: [String]
        public var outcomes: [String]
        public var serviceNames: [String]
        /// The earliest and latest record times (proposers' clocks need not agree with log order).
        public var minTimeNanoseconds: Int64
        public var maxTimeNanoseconds: Int64

        public var firstTime: Timestamp? { Timestamp(nanosecondsSinceEpoch: firstTimeNanoseconds) }
    }

    /// An object as it stood when a segment begins.
    public struct BaseObject: Sendable, Hashable {
        public var kind: ObjectKind
        public var id: String
        public var index: UInt64
        public var ordinal: Int
        public var name: String
        /// The payload as shown (no registry credentials).
        public var payload: String
    }

    /// Damage found reading a segment: where, and the first record it hides.
    public struct Damage: Error, Sendable, Hashable, CustomStringConvertible {
        public var file: String
        public var offset: Int
        public var firstIndex: UInt64
        public var firstOrdinal: Int
        public var reason: String

        public var description: String {
            "archive segment \(file) is damaged at byte \(offset) (the block from record \(firstIndex).\(firstOrdinal)): \(reason)"
        }
    }

    // MARK: Listing

    /// The segments in log order.
    public func segments() throws(QueryError) -> [Segment] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasPrefix("segment-") && $0.hasSuffix(".cas") }.sorted()
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            return []
        } catch {
            if !FileManager.default.fileExists(atPath: directory) { return [] }
            throw .database("cannot list \(directory): \(error)")
        }
        var found: [Segment] = []
        for name in names {
            if let known = cache.withLock({ $0[name] }) {
                found.append(known)
                continue
            }
            do {
                let segment = try summary(of: Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name))), file: name)
                cache.withLock { $0[name] = segment }
                found.append(segment)
            } catch {
                throw .database("archive segment \(name) has no readable summary: \(error)")
            }
        }
        return found
    }

    public func firstSegment() throws(QueryError) -> Segment? { try segments().first }

    private func summary(of bytes: [UInt8], file: String) throws -> Segment {
        let tail = Self.end.count + 32 + 4
        guard bytes.count > Self.magic.count + tail, bytes.starts(with: Self.magic), bytes.suffix(Self.end.count).elementsEqual(Self.end) else {
            throw Damage(file: file, offset: 0, firstIndex: 0, firstOrdinal: 0, reason: "not a Colmeia audit segment")
        }
        let lengthAt = bytes.count - tail
        let length = Int(Self.readUInt32(bytes, at: lengthAt))
        guard length <= lengthAt - Self.magic.count else {
            throw Damage(file: file, offset: lengthAt, firstIndex: 0, firstOrdinal: 0, reason: "summary length out of range")
        }
        return try JSONDecoder().decode(Segment.self, from: Data(bytes[(lengthAt - length)..<lengthAt]))
    }

    // MARK: Writing

    /// Writes one segment (synced, then renamed into place) and returns its summary.
    /// `canonical`: the records' canonical bytes when the caller has them (else computed).
    public func write(base: [BaseObject], records: [AuditRecord], canonical: [[UInt8]]? = nil,
                      previousHash: [UInt8]) throws(QueryError) -> Segment {
        guard let first = records.first, let last = records.last else { throw .database("an archive segment needs records") }
        var bytes = Self.magic
        var baseRaw: [UInt8] = []
        for object in base {
            Self.appendText(object.kind.rawValue, to: &baseRaw)
            Self.appendText(object.id, to: &baseRaw)
            Self.appendUInt64(object.index, to: &baseRaw)
            Self.appendUInt64(UInt64(bitPattern: Int64(object.ordinal)), to: &baseRaw)
            Self.appendText(object.name, to: &baseRaw)
            Self.appendText(object.payload, to: &baseRaw)
        }
        do {
            try Self.appendBlock(tag: UInt8(ascii: "B"), first: first, count: base.count, raw: baseRaw, to: &bytes)
            var start = 0
            while start < records.count {
                let chunk = records[start..<min(start + Self.recordsPerBlock, records.count)]
                var raw: [UInt8] = []
                for (offset, record) in zip(chunk.indices, chunk) {
                    let bytes = canonical?[offset] ?? AuditChain.canonicalBytes(record)
                    Self.appendUInt32(UInt32(bytes.count), to: &raw)
                    raw += bytes
                    raw += record.hash
                }
                try Self.appendBlock(tag: UInt8(ascii: "R"), first: chunk[chunk.startIndex], count: chunk.count, raw: raw, to: &bytes)
                start += Self.recordsPerBlock
            }
        } catch {
            throw .database("cannot compress an archive segment: \(error)")
        }
        let name = String(format: "segment-%020llu-%020llu.cas", first.index, last.index)
        let segment = Segment(file: name, firstIndex: first.index, firstOrdinal: first.ordinal, lastIndex: last.index,
                              lastOrdinal: last.ordinal, firstTimeNanoseconds: first.time.nanosecondsSinceEpoch,
                              lastTimeNanoseconds: last.time.nanosecondsSinceEpoch, records: records.count,
                              baseObjects: base.count, previousHash: AuditChain.hex(previousHash), lastHash: AuditChain.hex(last.hash),
                              services: Set(records.compactMap(\.serviceID)).sorted(), actors: Set(records.map(\.actor.id)).sorted(),
                              types: Set(records.map(\.type)).sorted(), outcomes: Set(records.map(\.outcome)).sorted(),
                              serviceNames: Set(records.filter { $0.objectKind == .service }.map(\.objectName)).sorted(),
                              minTimeNanoseconds: records.map(\.time.nanosecondsSinceEpoch).min() ?? 0,
                              maxTimeNanoseconds: records.map(\.time.nanosecondsSinceEpoch).max() ?? 0)
        let summaryBytes: [UInt8]
        do {
            summaryBytes = Array(try ResourceRow.encoder().encode(segment))
        } catch {
            throw .database("cannot encode an archive summary: \(error)")
        }
        let digest = Array(SHA256.hash(data: bytes))
        bytes += summaryBytes
        Self.appendUInt32(UInt32(summaryBytes.count), to: &bytes)
        bytes += digest
        bytes += Self.end
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            // Segments at or after this one's start come from a future this store never
            // reached (its state was restored from an older snapshot): this one replaces them.
            for stale in try segments() where stale.firstIndex >= first.index {
                try FileManager.default.removeItem(atPath: directory + "/" + stale.file)
                cache.withLock { _ = $0.removeValue(forKey: stale.file) }
            }
            try DurableFile.write(bytes, to: directory + "/" + name)
        } catch {
            throw .database("cannot write archive segment \(name): \(error)")
        }
        cache.withLock { $0[name] = segment }
        return segment
    }

    private static func appendBlock(tag: UInt8, first: AuditRecord, count: Int, raw: [UInt8], to bytes: inout [UInt8]) throws {
        let compressed = try Zlib.compress(raw)
        bytes.append(tag)
        appendUInt64(first.index, to: &bytes)
        appendUInt32(UInt32(truncatingIfNeeded: first.ordinal), to: &bytes)
        appendUInt32(UInt32(count), to: &bytes)
        appendUInt32(UInt32(raw.count), to: &bytes)
        appendUInt32(UInt32(compressed.count), to: &bytes)
        bytes += Array(SHA256.hash(data: raw))
        bytes += compressed
    }

    /// After the state was replaced by a snapshot: this manager's segments must end exactly
    /// at the snapshot's checkpoint. Those past it, and all of them when they do not reach
    /// it (the leader archived records this manager never did), are moved to
    /// `superseded/<time>/`, kept but no longer read; the chain then resumes at the checkpoint.
    func align(toCheckpoint checkpoint: AuditCursor?) {
        guard let all = try? segments(), !all.isEmpty else { return }
        var aside = all.filter { segment in
            checkpoint.map { $0 < AuditCursor(index: segment.lastIndex, ordinal: segment.lastOrdinal) } ?? true
        }
        let kept = all.filter { segment in !aside.contains(segment) }
        if let last = kept.last, AuditCursor(index: last.lastIndex, ordinal: last.lastOrdinal) != checkpoint {
            aside = all
        }
        guard !aside.isEmpty else { return }
        let folder = directory + "/superseded/" + String(Int(Date().timeIntervalSince1970))
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for segment in aside {
            try? FileManager.default.moveItem(atPath: directory + "/" + segment.file, toPath: folder + "/" + segment.file)
            cache.withLock { _ = $0.removeValue(forKey: segment.file) }
        }
    }

    // MARK: Reading

    /// A segment's base objects and records, every block checked against its checksum.
    public func read(_ segment: Segment) throws(Damage) -> (base: [BaseObject], records: [AuditRecord]) {
        let file = segment.file
        let bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file)))
        } catch {
            throw Damage(file: file, offset: 0, firstIndex: segment.firstIndex, firstOrdinal: segment.firstOrdinal,
                         reason: "unreadable: \(error)")
        }
        var base: [BaseObject] = []
        var records: [AuditRecord] = []
        let tail = Self.end.count + 32 + 4
        guard bytes.count > Self.magic.count + tail, bytes.starts(with: Self.magic) else {
            throw Damage(file: file, offset: 0, firstIndex: segment.firstIndex, firstOrdinal: segment.firstOrdinal,
                         reason: "not a Colmeia audit segment")
        }
        let summaryLength = Int(Self.readUInt32(bytes, at: bytes.count - tail))
        let blocksEnd = bytes.count - tail - summaryLength
        var offset = Self.magic.count
        let header = 1 + 8 + 4 * 4 + 32
        while offset < blocksEnd {
            let blockStart = offset
            guard blocksEnd - offset >= header else {
                throw Damage(file: file, offset: offset, firstIndex: records.last?.index ?? segment.firstIndex,
                             firstOrdinal: records.last?.ordinal ?? segment.firstOrdinal, reason: "truncated block header")
            }
            let tag = bytes[offset]
            let firstIndex = Self.readUInt64(bytes, at: offset + 1)
            let firstOrdinal = Int(Self.readUInt32(bytes, at: offset + 9))
            let count = Int(Self.readUInt32(bytes, at: offset + 13))
            let rawLength = Int(Self.readUInt32(bytes, at: offset + 17))
            let compressedLength = Int(Self.readUInt32(bytes, at: offset + 21))
            let digest = Array(bytes[(offset + 25)..<(offset + 57)])
            offset += header
            func damage(_ reason: String) -> Damage {
                // The block's own header may be what broke: name the record after the last good one.
                let plausible = firstIndex >= segment.firstIndex && firstIndex <= segment.lastIndex
                return Damage(file: file, offset: blockStart,
                              firstIndex: plausible ? firstIndex : (records.last?.index ?? segment.firstIndex),
                              firstOrdinal: plausible ? firstOrdinal : (records.last.map { $0.ordinal + 1 } ?? segment.firstOrdinal),
                              reason: reason)
            }
            guard tag == UInt8(ascii: "B") || tag == UInt8(ascii: "R"), compressedLength <= blocksEnd - offset,
                  rawLength <= 1 << 30 else { throw damage("malformed block header") }
            let compressed = Array(bytes[offset..<(offset + compressedLength)])
            offset += compressedLength
            guard let raw = try? Zlib.uncompress(compressed, rawLength: rawLength), Array(SHA256.hash(data: raw)) == digest else {
                throw damage("checksum mismatch")
            }
            var position = 0
            for _ in 0..<count {
                if tag == UInt8(ascii: "B") {
                    guard let object = Self.baseObject(raw, at: &position) else { throw damage("malformed base object") }
                    base.append(object)
                } else {
                    guard position + 4 <= raw.count else { throw damage("malformed record") }
                    let length = Int(Self.readUInt32(raw, at: position))
                    position += 4
                    guard position + length + 32 <= raw.count,
                          let record = AuditChain.record(canonical: raw[position..<(position + length)],
                                                         hash: Array(raw[(position + length)..<(position + length + 32)])) else {
                        throw damage("malformed record")
                    }
                    records.append(record)
                    position += length + 32
                }
            }
        }
        return (base, records)
    }

    private static func baseObject(_ raw: [UInt8], at position: inout Int) -> BaseObject? {
        guard let kindName = readText(raw, at: &position), let kind = ObjectKind(rawValue: kindName),
              let id = readText(raw, at: &position), position + 16 <= raw.count else { return nil }
        let index = readUInt64(raw, at: position)
        let ordinal = Int(Int64(bitPattern: readUInt64(raw, at: position + 8)))
        position += 16
        guard let name = readText(raw, at: &position), let payload = readText(raw, at: &position) else { return nil }
        return BaseObject(kind: kind, id: id, index: index, ordinal: ordinal, name: name, payload: payload)
    }

    // MARK: Queries

    /// The segments up to the checkpoint `through` (later ones are left from a state this
    /// store no longer holds, such as one restored from an older snapshot).
    func segments(through checkpoint: AuditCursor) throws(QueryError) -> [Segment] {
        try segments().filter { AuditCursor(index: $0.lastIndex, ordinal: $0.lastOrdinal) <= checkpoint }
    }

    /// Archived records matching `query` (cursor and order included), at most `limit`.
    public func records(matching query: AuditQuery, limit: Int, through checkpoint: AuditCursor) throws(QueryError) -> [AuditRecord] {
        var found: [AuditRecord] = []
        var segments = try segments(through: checkpoint)
        if query.descending { segments.reverse() }
        for segment in segments {
            if let from = query.fromIndex, segment.lastIndex < from { continue }
            if let to = query.toIndex, segment.firstIndex > to { continue }
            if let since = query.since, segment.maxTimeNanoseconds < since.nanosecondsSinceEpoch { continue }
            if let until = query.until, segment.minTimeNanoseconds > until.nanosecondsSinceEpoch { continue }
            if let service = query.serviceID, !segment.services.contains(service) { continue }
            if query.objectKind == .service, let id = query.objectID, !segment.services.contains(id) { continue }
            if let actor = query.actorID, !segment.actors.contains(actor) { continue }
            if let outcome = query.outcome, !segment.outcomes.contains(outcome) { continue }
            if let type = query.type, !segment.types.contains(where: { type.contains(".") ? $0 == type : $0.hasPrefix(type + ".") }) { continue }
            if let kind = query.objectKind, !segment.types.contains(where: { $0.hasPrefix(kind.rawValue + ".") }) { continue }
            if query.objectKind == .service, let name = query.objectName, !segment.serviceNames.contains(name) { continue }
            if let after = query.after {
                let past = query.descending ? AuditCursor(index: segment.firstIndex, ordinal: segment.firstOrdinal) < after
                    : after < AuditCursor(index: segment.lastIndex, ordinal: segment.lastOrdinal)
                if !past { continue }
            }
            let content: [AuditRecord]
            do {
                content = try read(segment).records
            } catch {
                throw .database(error.description)
            }
            for record in query.descending ? Array(content.reversed()) : content where query.matches(record) {
                if let after = query.after, !query.isPast(after, record) { continue }
                found.append(record)
                if found.count >= limit { return found }
            }
        }
        return found
    }

    /// Every object's newest version at or below `index`, from the segment holding it.
    func objectVersions(at index: UInt64, through checkpoint: UInt64, kinds: Set<ObjectKind>) throws(QueryError) -> [(ObjectKind, String)] {
        guard let segment = try segments(through: AuditCursor(index: checkpoint)).last(where: { $0.firstIndex <= index }) else {
            throw .invalidArgument("index \(index) is before the first record of the audit trail")
        }
        let content: (base: [BaseObject], records: [AuditRecord])
        do {
            content = try read(segment)
        } catch {
            throw .database(error.description)
        }
        var found: [String: (ObjectKind, String)?] = [:]
        for object in content.base where kinds.contains(object.kind) {
            found[object.kind.rawValue + "/" + object.id] = .some((object.kind, object.payload))
        }
        for record in content.records where record.index <= index && kinds.contains(record.objectKind) {
            let version: (ObjectKind, String)? = record.type.hasSuffix(".removed") ? nil : (record.objectKind, record.payload)
            found[record.objectKind.rawValue + "/" + record.objectID] = .some(version)
        }
        return found.values.compactMap { $0 }
    }

    /// The last archived index whose records are no later than `time`.
    func lastIndex(atOrBefore time: Timestamp, through checkpoint: UInt64) throws(QueryError) -> UInt64? {
        let stamp = time.nanosecondsSinceEpoch
        guard let segment = try segments(through: AuditCursor(index: checkpoint)).last(where: { $0.firstTimeNanoseconds <= stamp }) else { return nil }
        do {
            return try read(segment).records.last(where: { $0.time.nanosecondsSinceEpoch <= stamp })?.index
        } catch {
            throw .database(error.description)
        }
    }

    // MARK: Bytes

    static func appendUInt64(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    static func appendUInt32(_ value: UInt32, to bytes: inout [UInt8]) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    static func appendText(_ text: String, to bytes: inout [UInt8]) {
        let utf8 = Array(text.utf8)
        appendUInt32(UInt32(utf8.count), to: &bytes)
        bytes += utf8
    }

    static func readUInt64(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        bytes[offset..<(offset + 8)].reduce(0) { $0 << 8 | UInt64($1) }
    }

    static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func readText(_ bytes: [UInt8], at position: inout Int) -> String? {
        guard position + 4 <= bytes.count else { return nil }
        let length = Int(readUInt32(bytes, at: position))
        guard position + 4 + length <= bytes.count else { return nil }
        let text = String(decoding: bytes[(position + 4)..<(position + 4 + length)], as: UTF8.self)
        position += 4 + length
        return text
    }
}
