import ColmeiaModel
import ColmeiaStore
import Foundation
import Testing
@testable import ColmeiaAPI

/// The `/events` followers share one reader of the change feed; each has a bounded queue.
@Suite struct EventFanOutTests {
    let directory = FileManager.default.temporaryDirectory.path + "/colmeia-fanout-\(UUID().uuidString)"

    func createConfig(_ store: ClusterStore, _ number: Int) throws {
        let config = Config(id: "cfg\(number)", spec: ConfigSpec(name: "config-\(number)", data: Data("v\(number)".utf8)))
        _ = try store.apply(ClusterCommand(envelope: CommandEnvelope(id: "c\(number)", time: .now(), actor: .init(kind: .user, id: "test")),
                                           events: [.configCreated(config)]),
                            index: store.applied.index + 1, term: 1)
    }

    @Test("followers that keep up get every event after their start in order; one that falls behind its bound is ended with fellBehind, the others are not")
    func slowFollowerIsCutOff() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try ClusterStore(path: directory + "/state.db")
        try createConfig(store, 0)
        let fanOut = EventFanOut(limit: 2 * EventFanOut.groupSize)
        let prompt = fanOut.subscribe(store)
        let slow = fanOut.subscribe(store)
        #expect(prompt.startIndex == 1 && slow.startIndex == 1, "both start at the present")

        let reader = Task { () -> [String] in
            var names: [String] = []
            for try await group in prompt.items {
                names += group.map { $0.event.actor.attributes["name"] ?? "" }
                if names.count >= 30 { break }
            }
            return names
        }
        for number in 1...30 {
            try createConfig(store, number)
            // The prompt reader drains as it goes; the slow one never reads.
            try await Task.sleep(for: .milliseconds(5))
        }
        let names = try await reader.value
        #expect(names == (1...30).map { "config-\($0)" })

        var received = 0
        var ending: (any Error)?
        do {
            for try await _ in slow.items { received += 1 }
        } catch {
            ending = error
        }
        #expect(received <= 2, "no more than its bound (two groups) was kept for it: \(received)")
        guard case EventFanOut.Ending.fellBehind(let limit)? = ending as? EventFanOut.Ending else {
            Issue.record("expected fellBehind, got \(String(describing: ending))")
            return
        }
        #expect(limit == 2 * EventFanOut.groupSize)
    }

    @Test("a follower that joins later starts after what was already delivered, with nothing missed or repeated")
    func lateFollowerStartsWhereTheFeedIs() async throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try ClusterStore(path: directory + "/state.db")
        let fanOut = EventFanOut(limit: 100 * EventFanOut.groupSize)
        let first = fanOut.subscribe(store)
        for number in 1...5 { try createConfig(store, number) }
        var seen: [UInt64] = []
        for try await group in first.items {
            seen += group.map(\.index)
            if seen.count >= 5 { break }
        }
        let late = fanOut.subscribe(store)
        #expect(late.startIndex == 5)
        for number in 6...8 { try createConfig(store, number) }
        var lateSeen: [UInt64] = []
        for try await group in late.items {
            lateSeen += group.map(\.index)
            if lateSeen.count >= 3 { break }
        }
        #expect(lateSeen == [6, 7, 8])
    }
}
