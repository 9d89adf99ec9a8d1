import Testing
@testable import ColmeiaNode

/// Snapshots arrive in parts: in order they make the whole; out of order the sender is
/// told where to resume; a new transfer replaces an unfinished one.
@Suite struct SnapshotReassemblyTests {
    let bytes: [UInt8] = Array(0..<10)

    @Test func partsInOrderMakeTheWhole() throws {
        let reassembly = SnapshotReassembly()
        #expect(try reassembly.accept(from: "a", transfer: "t", offset: 0, total: 10, chunk: Array(bytes[0..<4])) == .needMore(received: 4))
        #expect(try reassembly.accept(from: "a", transfer: "t", offset: 4, total: 10, chunk: Array(bytes[4..<8])) == .needMore(received: 8))
        #expect(try reassembly.accept(from: "a", transfer: "t", offset: 8, total: 10, chunk: Array(bytes[8..<10]))
                == .complete(bytes, parts: 3))
        // Finished transfers are forgotten: a part in the middle now asks for the start.
        #expect(try reassembly.accept(from: "a", transfer: "t", offset: 4, total: 10, chunk: [4]) == .outOfOrder(received: 0))
    }

    @Test func aRetriedTransferResumesWhereTheReceiverStands() throws {
        let reassembly = SnapshotReassembly()
        _ = try reassembly.accept(from: "a", transfer: "t", offset: 0, total: 10, chunk: Array(bytes[0..<4]))
        // The sender's next attempt starts over; the receiver already has 4 bytes.
        #expect(try reassembly.accept(from: "a", transfer: "t", offset: 0, total: 10, chunk: Array(bytes[0..<4]))
                == .outOfOrder(received: 4))
        #expect(try reassembly.accept(from: "a", transfer: "t", offset: 8, total: 10, chunk: Array(bytes[8..<10]))
                == .outOfOrder(received: 4))
        #expect(try reassembly.accept(from: "a", transfer: "t", offset: 4, total: 10, chunk: Array(bytes[4..<10]))
                == .complete(bytes, parts: 2))
    }

    @Test func aNewTransferReplacesAnUnfinishedOneAndPeersDoNotMix() throws {
        let reassembly = SnapshotReassembly()
        _ = try reassembly.accept(from: "a", transfer: "old", offset: 0, total: 10, chunk: Array(bytes[0..<4]))
        _ = try reassembly.accept(from: "b", transfer: "old", offset: 0, total: 10, chunk: Array(bytes[0..<4]))
        #expect(try reassembly.accept(from: "a", transfer: "new", offset: 0, total: 3, chunk: [7, 8, 9]) == .complete([7, 8, 9], parts: 1))
        #expect(try reassembly.accept(from: "a", transfer: "old", offset: 4, total: 10, chunk: [4]) == .outOfOrder(received: 0))
        #expect(try reassembly.accept(from: "b", transfer: "old", offset: 4, total: 10, chunk: Array(bytes[4..<10]))
                == .complete(bytes, parts: 2))
        reassembly.discard(from: "b")
    }

    @Test func sizesThatCannotBeRightAreRefused() {
        let reassembly = SnapshotReassembly(maximumBytes: 16)
        #expect(throws: TransportError.self) { try reassembly.accept(from: "a", transfer: "t", offset: 0, total: 0, chunk: [1]) }
        #expect(throws: TransportError.self) { try reassembly.accept(from: "a", transfer: "t", offset: 0, total: 17, chunk: [1]) }
        #expect(throws: TransportError.self) { try reassembly.accept(from: "a", transfer: "t", offset: -1, total: 4, chunk: [1]) }
        #expect(throws: TransportError.self) { try reassembly.accept(from: "a", transfer: "t", offset: 3, total: 4, chunk: [1, 2]) }
        #expect(throws: TransportError.self) { try reassembly.accept(from: "a", transfer: "t", offset: 0, total: 4, chunk: []) }
    }
}
