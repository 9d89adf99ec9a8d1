import ArgumentParser
import Foundation

/// Where the milliseconds of one write go: single writes on an idle three-manager swarm,
/// through the leader and through a follower, each joined from the managers' stage logs
/// (`GET /colmeia/v1/trace`) with the client's own send and receive times.
struct TraceBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "The per-stage trace of single writes (API, forward, propose, WAL, replicate, commit, apply, answer).",
        discussion: """
            Each write is a `POST /configs/create` of about 300 bytes sent alone, alternately
            through the leader and through a follower, with a pause after it so that every
            manager has applied it. Times are the managers' wall clocks (one machine). The
            table gives each stage's median over the writes of each kind, then one write's
            whole timeline.
            """)
    @OptionGroup var cluster: ClusterOptions
    @Option(help: "Writes of each kind (through the leader, through a follower).") var writes = 20
    @Option(help: "Bytes of data in each written object.") var objectBytes = 225

    struct Stages: Decodable, Sendable {
        var index: UInt64
        var queued, proposed, received, appended, persisted, sent, committed, applied, answered: UInt64?
    }

    /// One write's stages on each manager, with the client's times.
    struct Traced: Sendable {
        var sentAt: UInt64
        var receivedAt: UInt64
        var proposer: Stages
        var leader: Stages
        /// The followers that did not propose it.
        var others: [Stages]
        /// The proposer is a follower.
        var forwarded: Bool
    }

    func run() async throws {
        let swarm = try BenchCluster(cluster)
        do {
            try await swarm.formSwarm()
            try await measure(swarm)
        } catch {
            await swarm.shutdown()
            throw error
        }
        await swarm.shutdown()
    }

    private func measure(_ swarm: BenchCluster) async throws {
        let leader = try await swarm.currentLeader()
        let managers = Array(swarm.daemons.indices)
        guard let follower = managers.first(where: { $0 != leader }) else { throw BenchError("trace needs at least two managers") }
        let data = benchObject(bytes: objectBytes)
        // Let the swarm's own start-up writes settle.
        try await Task.sleep(for: .seconds(2))
        var newest = try await newestIndex(swarm, managers)
        var traces: [Traced] = []
        for number in 0..<(2 * writes) {
            let target = number.isMultiple(of: 2) ? leader : follower
            let sentAt = wallClock()
            guard try await swarm.write(through: target, name: "trace-\(number)", data: data) else {
                throw BenchError("write \(number) through manager \(target + 1) failed")
            }
            let receivedAt = wallClock()
            // Every manager applies it (the commit reaches followers on the next append or heartbeat).
            try await Task.sleep(for: .milliseconds(300))
            var logs: [Int: [Stages]] = [:]
            for manager in managers { logs[manager] = try await stages(swarm, manager, after: newest) }
            guard let own = logs[target]?.first(where: { $0.answered != nil }),
                  let leading = logs[leader]?.first(where: { $0.index == own.index }) else {
                throw BenchError("write \(number): its entry is missing from the stage logs")
            }
            let others = managers.filter { $0 != target && $0 != leader }
                .compactMap { manager in logs[manager]?.first { $0.index == own.index } }
            traces.append(Traced(sentAt: sentAt, receivedAt: receivedAt, proposer: own, leader: leading, others: others,
                                 forwarded: target != leader))
            newest = max(newest, logs.values.flatMap { $0.map(\.index) }.max() ?? newest)
        }
        report("colmeia-cluster-bench trace: \(swarm.daemons.count) managers, \(writes) single writes of \(objectBytes) bytes each way; median ms per stage")
        report("")
        report("| stage | through the leader | through a follower |")
        report("| --- | ---: | ---: |")
        let direct = traces.filter { !$0.forwarded }
        let forwarded = traces.filter(\.forwarded)
        for (name, segment) in Self.segments {
            func median(_ list: [Traced]) -> String {
                let values = list.compactMap(segment).sorted()
                guard !values.isEmpty else { return "–" }
                return String(format: "%.3f", values[values.count / 2] / 1e6)
            }
            report("| \(name) | \(median(direct)) | \(median(forwarded)) |")
        }
        if let example = forwarded.first {
            report("")
            report("One write through a follower (index \(example.proposer.index)), ms after the client sent it:")
            for (time, what) in Self.timeline(example) {
                report(String(format: "  %8.3f  ", Double(Int64(bitPattern: time &- example.sentAt)) / 1e6) + what)
            }
        }
    }

    /// Named stages of a write, each the nanoseconds between two recorded points (nil when
    /// one is missing, e.g. forwarding for a write through the leader).
    static let segments: [(String, @Sendable (Traced) -> Double?)] = [
        ("client → API handed it to Raft (HTTP, decode, validate, encode)", { span($0.sentAt, $0.proposer.queued) }),
        ("waiting for the driver thread", { span($0.proposer.queued, $0.proposer.proposed) }),
        ("forward to the leader (follower only)", { $0.forwarded ? span($0.proposer.proposed, $0.leader.appended) : nil }),
        ("leader: into its log (leader only)", { $0.forwarded ? nil : span($0.proposer.proposed, $0.leader.appended) }),
        ("leader: WAL write + fsync", { span($0.leader.appended, $0.leader.persisted) }),
        ("leader: appended → appends sent (before its fsync ends)", { span($0.leader.appended, $0.leader.sent) }),
        ("appends reach a follower (first)", { t in span(t.leader.sent, firstFollower(t, \.received)) }),
        ("follower: WAL write + fsync (first)", { t in
            let follower = followers(t).min { ($0.persisted ?? .max) < ($1.persisted ?? .max) }
            return span(follower?.received, follower?.persisted)
        }),
        ("first follower persisted → leader commits", { t in span(firstFollower(t, \.persisted), t.leader.committed) }),
        ("leader: commit → applied", { span($0.leader.committed, $0.leader.applied) }),
        ("commit reaches the proposing follower", { $0.forwarded ? span($0.leader.committed, $0.proposer.committed) : nil }),
        ("proposer: committed → applied", { span($0.proposer.committed, $0.proposer.applied) }),
        ("proposer: applied → writer answered", { span($0.proposer.applied, $0.proposer.answered) }),
        ("answered → client has the response (HTTP)", { span($0.proposer.answered, $0.receivedAt) }),
        ("total, as the client saw it", { span($0.sentAt, $0.receivedAt) }),
    ]

    static func followers(_ trace: Traced) -> [Stages] {
        trace.forwarded ? [trace.proposer] + trace.others : trace.others
    }

    static func firstFollower(_ trace: Traced, _ stage: KeyPath<Stages, UInt64?>) -> UInt64? {
        followers(trace).compactMap { $0[keyPath: stage] }.min()
    }

    static func span(_ from: UInt64?, _ to: UInt64?) -> Double? {
        guard let from, let to else { return nil }
        return Double(Int64(bitPattern: to &- from))
    }

    static func timeline(_ trace: Traced) -> [(UInt64, String)] {
        var points: [(UInt64, String)] = [(trace.sentAt, "client sends"), (trace.receivedAt, "client has the answer")]
        func add(_ stages: Stages, _ who: String) {
            let named: [(String, UInt64?)] = [("queued", stages.queued), ("proposed", stages.proposed), ("received", stages.received),
                                              ("appended", stages.appended), ("persisted", stages.persisted), ("sent", stages.sent),
                                              ("committed", stages.committed), ("applied", stages.applied), ("answered", stages.answered)]
            for case let (name, time?) in named { points.append((time, "\(who): \(name)")) }
        }
        add(trace.proposer, "proposer (follower)")
        add(trace.leader, "leader")
        for other in trace.others { add(other, "other follower") }
        return points.sorted { $0.0 < $1.0 }
    }

    private func stages(_ swarm: BenchCluster, _ manager: Int, after index: UInt64) async throws -> [Stages] {
        let answer = try await swarm.request(manager, "GET", "/colmeia/v1/trace?after=\(index)")
        guard answer.status == 200 else { throw BenchError("GET /colmeia/v1/trace on manager \(manager + 1): \(answer.status) \(answer.body)") }
        return try JSONDecoder().decode([Stages].self, from: Data(answer.body.utf8))
    }

    private func newestIndex(_ swarm: BenchCluster, _ managers: [Int]) async throws -> UInt64 {
        var newest: UInt64 = 0
        for manager in managers {
            newest = max(newest, try await stages(swarm, manager, after: 0).map(\.index).max() ?? 0)
        }
        return newest
    }

    private func wallClock() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
