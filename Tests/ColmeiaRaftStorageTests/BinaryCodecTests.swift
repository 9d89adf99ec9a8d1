import ColmeiaRaft
import Testing
@testable import ColmeiaRaftStorage

@Suite struct BinaryCodecTests {
    @Test func entryRoundTrips() throws {
        let entries = [
            Entry(term: 0, index: 0),
            Entry(term: 3, index: 17, kind: .normal, data: [1, 2, 3]),
            Entry(term: .max, index: .max, kind: .confChange, data: ConfChange(.addNode, nodeID: 9).encoded()),
            Entry(term: 5, index: 6, data: [UInt8](repeating: 0xAB, count: 70_000)),
        ]
        for entry in entries {
            #expect(try Entry(binaryEncoded: entry.binaryEncoded()) == entry)
        }
    }

    @Test func otherTypesRoundTrip() throws {
        let hardState = HardState(term: 7, vote: 3, commit: 42)
        #expect(try HardState(binaryEncoded: hardState.binaryEncoded()) == hardState)
        let confState = ConfState(voters: [3, 1, 2], learners: [UInt64.max])
        #expect(try ConfState(binaryEncoded: confState.binaryEncoded()) == confState)
        #expect(try ConfState(binaryEncoded: ConfState().binaryEncoded()) == ConfState())
        let metadata = SnapshotMetadata(index: 100, term: 4, confState: confState)
        #expect(try SnapshotMetadata(binaryEncoded: metadata.binaryEncoded()) == metadata)
    }

    @Test func layoutIsLittleEndian() {
        let bytes = HardState(term: 0x0102, vote: 3, commit: 0x0A0B_0C0D).binaryEncoded()
        #expect(bytes.count == 24)
        #expect(Array(bytes[0..<8]) == [0x02, 0x01, 0, 0, 0, 0, 0, 0])
        #expect(Array(bytes[16..<20]) == [0x0D, 0x0C, 0x0B, 0x0A])
    }

    @Test func everyTruncationThrows() {
        let samples: [[UInt8]] = [
            Entry(term: 2, index: 9, data: [1, 2, 3, 4]).binaryEncoded(),
            SnapshotMetadata(index: 1, term: 1, confState: ConfState(voters: [1, 2], learners: [3])).binaryEncoded(),
        ]
        for sample in samples {
            for length in 0..<sample.count {
                let prefix = Array(sample[..<length])
                let entryError = expectError(BinaryDecodingError.self) { _ = try Entry(binaryEncoded: prefix) }
                let metadataError = expectError(BinaryDecodingError.self) {
                    _ = try SnapshotMetadata(binaryEncoded: prefix)
                }
                #expect(entryError != nil && metadataError != nil)
            }
        }
    }

    @Test func invalidValuesAndTrailingBytesThrow() {
        var bytes = Entry(term: 1, index: 1, data: [9]).binaryEncoded()
        bytes[16] = 7
        #expect(
            expectError(BinaryDecodingError.self) { _ = try Entry(binaryEncoded: bytes) }
                == .invalidValue(field: "entry kind", value: 7, offset: 16)
        )
        let padded = HardState(term: 1).binaryEncoded() + [0]
        #expect(
            expectError(BinaryDecodingError.self) { _ = try HardState(binaryEncoded: padded) }
                == .trailingBytes(offset: 24, count: 1)
        )
        // A voter count of 2^32-1 must fail on length, not try to allocate.
        let hugeCount: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3]
        #expect(
            expectError(BinaryDecodingError.self) { _ = try ConfState(binaryEncoded: hugeCount) }
                == .truncated(offset: 4, needed: 0xFFFF_FFFF * 8, available: 3)
        )
    }

    /// Random bytes must decode or throw; a trap would kill the test process.
    @Test func garbageNeverCrashes() {
        var random = SplitMix64(seed: 42)
        var failures = 0
        for _ in 0..<3_000 {
            let garbage = random.bytes(Int.random(in: 0...80, using: &random))
            if (try? Entry(binaryEncoded: garbage)) == nil { failures += 1 }
            if (try? HardState(binaryEncoded: garbage)) == nil { failures += 1 }
            if (try? ConfState(binaryEncoded: garbage)) == nil { failures += 1 }
            if (try? SnapshotMetadata(binaryEncoded: garbage)) == nil { failures += 1 }
        }
        #expect(failures > 0)
    }
}

/// The wire form of Raft messages between managers: round trips, and bytes from a broken or
/// hostile peer are refused without allocating what they claim.
@Suite("raft message wire form")
struct MessageWireTests {
    @Test("every kind of remote message round-trips, batched, with entries and snapshots")
    func roundTrip() throws {
        let messages = [
            Message(type: .append, to: 2, from: 1, term: 7, logTerm: 6, index: 41,
                    entries: [Entry(term: 7, index: 42, kind: .normal, data: Array("x".utf8)),
                              Entry(term: 7, index: 43, kind: .confChange, data: ConfChange(.addLearner, nodeID: 9).encoded())],
                    commit: 40),
            Message(type: .appendResponse, to: 1, from: 2, term: 7, index: 43, reject: true, rejectHint: 12),
            Message(type: .preVote, to: 3, from: 1, term: 8, logTerm: 7, index: 43, context: Array("colmeia-transfer".utf8)),
            Message(type: .snapshot, to: 3, from: 1, term: 7,
                    snapshot: Snapshot(metadata: SnapshotMetadata(index: 40, term: 6, confState: ConfState(voters: [1, 2, 3], learners: [9])),
                                       data: Array(repeating: 0xAB, count: 10_000))),
            Message(type: .readIndex, to: 1, from: 2, context: [1, 0, 0, 0, 0, 0, 0, 0]),
        ]
        #expect(try MessageBatch.decode(MessageBatch.encode(messages)) == messages)
    }

    @Test("local message kinds, bad flags, lying counts and trailing bytes are refused")
    func hostileInput() throws {
        var local = Message(type: .heartbeat, to: 2, from: 1, term: 3).binaryEncoded()
        local[1] = MessageType.localHup.rawValue
        #expect(throws: BinaryDecodingError.self) { try Message(binaryEncoded: local) }

        var version = Message(type: .heartbeat, to: 2, from: 1, term: 3).binaryEncoded()
        version[0] = 99
        #expect(throws: BinaryDecodingError.self) { try Message(binaryEncoded: version) }

        // A count of four billion messages in a ten-byte body.
        #expect(throws: BinaryDecodingError.self) { try MessageBatch.decode([0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4, 5, 6]) }

        var trailing = MessageBatch.encode([Message(type: .heartbeat, to: 2, from: 1, term: 3)])
        trailing.append(0)
        #expect(throws: BinaryDecodingError.self) { try MessageBatch.decode(trailing) }

        let truncated = Array(MessageBatch.encode([Message(type: .heartbeat, to: 2, from: 1, term: 3)]).dropLast(3))
        #expect(throws: BinaryDecodingError.self) { try MessageBatch.decode(truncated) }
    }
}
