import ColmeiaRaft
import Foundation
import Testing
@testable import ColmeiaRaftStorage

/// Deterministic, seedable generator (SplitMix64) so failures reproduce exactly.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}

/// Runs `body` with a fresh directory that is removed afterwards.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let base = FileManager.default.temporaryDirectory.path
    var template = Array((base + "/colmeia-storage-XXXXXX").utf8CString)
    let path: String = try template.withUnsafeMutableBufferPointer { buffer in
        guard let base = buffer.baseAddress, mkdtemp(base) != nil else {
            throw TestFailure("mkdtemp failed")
        }
        return String(cString: base)
    }
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func readFile(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func fileSize(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.size] as? NSNumber)?.intValue ?? -1
}

func listDirectory(_ path: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: path).sorted()
}

func makeDirectory(_ path: String) throws {
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
}

/// Entries `range` with `term`, each carrying a few bytes derived from its index so a
/// mixed-up entry cannot compare equal.
func makeEntries(_ range: ClosedRange<UInt64>, term: UInt64, size: Int = 16) -> [Entry] {
    range.map { index in
        Entry(term: term, index: index, data: (0..<size).map { UInt8(truncatingIfNeeded: Int(index) &* 31 &+ $0 &+ Int(term)) })
    }
}

/// Byte offsets of the records of a segment file, plus the end of the last one.
func recordOffsets(_ path: String) throws -> [Int] {
    let bytes = try readFile(path)
    guard let name = WALSegmentName(fileName: URL(fileURLWithPath: path).lastPathComponent) else {
        throw TestFailure("not a segment name: \(path)")
    }
    let scan = try WALSegmentScanner.scan(bytes, path: path, name: name, isLast: false, limit: WAL.maxRecordLength)
    return scan.records.map(\.offset) + [bytes.count]
}

/// Opens the WAL and returns its contents, closing it again.
func reopen(_ directory: String, segmentSize: Int = WAL.defaultSegmentSize) throws -> WALContents {
    let (wal, contents) = try WAL.open(directory: directory, segmentSize: segmentSize)
    wal.close()
    return contents
}

/// The error `body` throws, or a failed expectation if it throws none.
func expectError<E: Error>(
    _ type: E.Type,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) -> E? {
    do {
        try body()
        Issue.record("expected \(E.self) but nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as E {
        return error
    } catch {
        Issue.record("expected \(E.self) but got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
