import ColmeiaChaos
import Testing

/// Hand-made histories: what the checkers must accept, and each anomaly they must catch.
struct CheckerTests {
    /// A small history builder: operations get ids in order.
    struct History {
        var operations: [Operation] = []

        mutating func add(_ process: Int, _ kind: OperationKind, _ key: String = "k", value: String? = nil, ifVersion: UInt64? = nil,
                          saw: Observation? = nil, _ invoked: Double, _ completed: Double?, _ outcome: Outcome = .ok) {
            operations.append(Operation(id: operations.count, process: process, kind: kind, key: key, value: value,
                                        expectedVersion: ifVersion, observation: saw, outcome: outcome,
                                        invoked: invoked, completed: outcome == .unknown ? nil : completed))
        }
    }

    static func linearizable(_ history: History) -> Bool {
        let result = LinearizabilityChecker.check(history.operations)
        return result.anomalies.isEmpty && result.undecided.isEmpty
    }

    @Test("a sequential create, read, update, read is linearizable")
    func sequential() {
        var history = History()
        history.add(1, .create, value: "a", 0, 1)
        history.add(1, .read, saw: .present(version: 10, value: "a"), 2, 3)
        history.add(1, .update, value: "b", ifVersion: 10, 4, 5)
        history.add(2, .read, saw: .present(version: 12, value: "b"), 6, 7)
        #expect(Self.linearizable(history))
    }

    @Test("a read concurrent with an update may see either value")
    func concurrentRead() {
        var history = History()
        history.add(1, .create, value: "a", 0, 1)
        history.add(1, .read, saw: .present(version: 10, value: "a"), 2, 3)
        history.add(1, .update, value: "b", ifVersion: 10, 4, 8)
        history.add(2, .read, saw: .present(version: 12, value: "b"), 5, 6)
        history.add(3, .read, saw: .present(version: 10, value: "a"), 5, 7)
        #expect(Self.linearizable(history))
    }

    @Test("a read before the create completes may see the key absent")
    func absentWhileCreating() {
        var history = History()
        history.add(1, .create, value: "a", 0, 4)
        history.add(2, .read, saw: .absent, 1, 2)
        history.add(2, .read, saw: .present(version: 3, value: "a"), 3, 3.5)
        #expect(Self.linearizable(history))
    }

    @Test("an unknown update may apply long after its invocation, or never")
    func unknownUpdates() {
        var applied = History()
        applied.add(1, .create, value: "a", 0, 1)
        applied.add(1, .read, saw: .present(version: 10, value: "a"), 2, 3)
        applied.add(1, .update, value: "b", ifVersion: 10, 4, nil, .unknown)
        applied.add(2, .read, saw: .present(version: 10, value: "a"), 20, 21)
        applied.add(2, .read, saw: .present(version: 30, value: "b"), 40, 41)
        #expect(Self.linearizable(applied))

        var never = History()
        never.add(1, .create, value: "a", 0, 1)
        never.add(1, .read, saw: .present(version: 10, value: "a"), 2, 3)
        never.add(1, .update, value: "b", ifVersion: 10, 4, nil, .unknown)
        never.add(2, .read, saw: .present(version: 10, value: "a"), 40, 41)
        #expect(Self.linearizable(never))
    }

    @Test("failed writes are left out")
    func failedWrites() {
        var history = History()
        history.add(1, .create, value: "a", 0, 1)
        history.add(1, .read, saw: .present(version: 10, value: "a"), 2, 3)
        history.add(1, .update, value: "b", ifVersion: 10, 4, 5, .fail)
        history.add(2, .read, saw: .present(version: 10, value: "a"), 6, 7)
        #expect(Self.linearizable(history))
    }

    @Test("a stale read after an acknowledged update is caught")
    func staleRead() {
        var history = History()
        history.add(1, .create, value: "a", 0, 1)
        history.add(1, .read, saw: .present(version: 10, value: "a"), 2, 3)
        history.add(1, .update, value: "b", ifVersion: 10, 4, 5)
        history.add(2, .read, saw: .present(version: 10, value: "a"), 6, 7)
        let result = LinearizabilityChecker.check(history.operations)
        #expect(result.anomalies.count == 1)
        #expect(result.anomalies.first?.message.contains("not linearizable") == true)
    }

    @Test("a lost update (acknowledged, then read back as the older value for good) is caught")
    func lostUpdate() {
        var history = History()
        history.add(1, .create, value: "a", 0, 1)
        history.add(1, .read, saw: .present(version: 10, value: "a"), 2, 3)
        history.add(1, .update, value: "b", ifVersion: 10, 4, 5)
        history.add(1, .read, saw: .present(version: 12, value: "b"), 6, 7)
        history.add(2, .update, value: "c", ifVersion: 12, 8, 9)
        history.add(3, .read, saw: .present(version: 12, value: "b"), 10, 11)
        #expect(!Self.linearizable(history))
    }

    @Test("two compare-and-sets that both succeed on the same version are caught")
    func doubleCompareAndSet() {
        var history = History()
        history.add(1, .create, value: "a", 0, 1)
        history.add(1, .read, saw: .present(version: 10, value: "a"), 2, 3)
        history.add(1, .update, value: "b", ifVersion: 10, 4, 6)
        history.add(2, .update, value: "c", ifVersion: 10, 4.5, 6.5)
        #expect(!Self.linearizable(history))
    }

    @Test("a version read with two different values is caught")
    func versionWithTwoValues() {
        var history = History()
        history.add(1, .create, value: "a", 0, 1)
        history.add(1, .read, saw: .present(version: 10, value: "a"), 2, 3)
        history.add(2, .read, saw: .present(version: 10, value: "b"), 2, 3)
        let result = LinearizabilityChecker.check(history.operations)
        #expect(result.anomalies.contains { $0.message.contains("two values") })
    }

    @Test("keys are independent registers")
    func independentKeys() {
        var history = History()
        history.add(1, .create, "x", value: "a", 0, 1)
        history.add(2, .create, "y", value: "b", 0, 1)
        history.add(1, .read, "y", saw: .present(version: 5, value: "b"), 2, 3)
        history.add(2, .read, "x", saw: .present(version: 4, value: "a"), 2, 3)
        let result = LinearizabilityChecker.check(history.operations)
        #expect(result.anomalies.isEmpty)
        #expect(result.keys == 2)
    }

    @Test("many concurrent unknown writes stay within the search budget")
    func manyUnknowns() {
        var history = History()
        history.add(0, .create, value: "v0", 0, 1)
        history.add(0, .read, saw: .present(version: 1, value: "v0"), 1, 2)
        for index in 1...40 {
            history.add(index, .update, value: "w\(index)", ifVersion: 1, 2 + Double(index) / 100, nil, .unknown)
        }
        history.add(99, .read, saw: .present(version: 50, value: "w17"), 10, 11)
        history.add(99, .read, saw: .present(version: 50, value: "w17"), 12, 13)
        #expect(Self.linearizable(history))
    }

    @Test("every acknowledged write present on every manager passes the durability check")
    func durable() {
        var history = History()
        history.add(1, .create, value: "a", 0, 1)
        history.add(1, .read, saw: .present(version: 10, value: "a"), 2, 3)
        history.add(1, .update, value: "b", ifVersion: 10, 4, 5)
        history.add(2, .update, value: "c", ifVersion: 12, 6, nil, .unknown)
        let final: [String: [Int: Observation?]] = ["k": [0: .present(version: 20, value: "c"), 1: .present(version: 20, value: "c"),
                                                          2: .present(version: 20, value: "c")]]
        let result = DurabilityChecker.check(history: history.operations, final: final, managers: 3)
        #expect(result.lost.isEmpty)
        #expect(result.diverged.isEmpty)
        #expect(result.acknowledgedWrites == 2)
    }

    @Test("an acknowledged write missing on a manager is caught")
    func lostWrite() {
        var history = History()
        history.add(1, .create, value: "a", 0, 1)
        history.add(1, .read, saw: .present(version: 10, value: "a"), 2, 3)
        history.add(1, .update, value: "b", ifVersion: 10, 4, 5)
        let final: [String: [Int: Observation?]] = ["k": [0: .present(version: 12, value: "b"), 1: .present(version: 10, value: "a"),
                                                          2: .present(version: 12, value: "b")]]
        let result = DurabilityChecker.check(history: history.operations, final: final, managers: 3)
        #expect(result.lost.count == 1)
        #expect(result.lost.first?.manager == 1)
        #expect(result.lost.first?.write.value == "b")
        #expect(result.diverged.count == 1)
    }

    @Test("an acknowledged create missing everywhere is caught, also when it was never read")
    func lostCreate() {
        var history = History()
        history.add(1, .create, value: "a", 0, 1)
        let final: [String: [Int: Observation?]] = ["k": [0: .absent, 1: .absent, 2: .absent]]
        let result = DurabilityChecker.check(history: history.operations, final: final, managers: 3)
        #expect(result.lost.count == 3)
    }

    @Test("an update never read is superseded only by a write that did not finish before it began")
    func supersededUnread() {
        var history = History()
        history.add(1, .create, value: "a", 0, 1)
        history.add(1, .read, saw: .present(version: 10, value: "a"), 2, 3)
        history.add(1, .update, value: "b", ifVersion: 10, 4, 5)
        let stale: [String: [Int: Observation?]] = ["k": [0: .present(version: 10, value: "a")]]
        #expect(DurabilityChecker.check(history: history.operations, final: stale, managers: 1).lost.count == 1)
    }

    @Test("durations read as the flags write them")
    func durations() {
        #expect(DurationParser.seconds("2m") == 120)
        #expect(DurationParser.seconds("30m") == 1_800)
        #expect(DurationParser.seconds("90s") == 90)
        #expect(DurationParser.seconds("1h") == 3_600)
        #expect(DurationParser.seconds("45") == 45)
        #expect(DurationParser.seconds("soon") == nil)
        #expect(DurationParser.seconds("-3m") == nil)
    }
}
