import ColmeiaRaft
import Foundation

/// The seeded fault injector: one fault at a time, held a few seconds, healed, then the time
/// until the cluster serves a write again is measured.
public final class Nemesis: @unchecked Sendable {
    public enum Fault: String, Sendable, CaseIterable {
        /// Two sides that cannot talk, a majority and a minority.
        case partition
        /// One manager hears nobody, though the others hear it.
        case oneWay = "one-way"
        /// The leader alone on its side.
        case isolateLeader = "isolate-leader"
        /// Two sides that cannot talk, and one manager that talks to both.
        case bridge
        /// One manager's link down.
        case linkDown = "link-down"
        /// SIGKILL, then a restart on the same data dir.
        case kill
        /// SIGSTOP, then SIGCONT.
        case pause
        /// The manager's disk full, then space again.
        case diskFull = "disk-full"
    }

    public struct Event: Sendable, CustomStringConvertible {
        public var fault: Fault
        public var started: Double
        public var healed: Double
        public var what: String
        /// Seconds from the heal to the first write served; nil if none within the probe's limit.
        public var recovery: Double?
        /// Seconds from the heal until every manager had served a write through its own API.
        public var everyManager: Double?

        public var description: String {
            var recovered = recovery.map { String(format: "write served %.3f s after the heal", $0) } ?? "NO WRITE SERVED after the heal"
            recovered += everyManager.map { String(format: ", by every manager after %.3f s", $0) } ?? ", NOT by every manager within 60 s"
            return String(format: "[%8.3f–%8.3f] %@: %@; %@", started, healed, fault.rawValue, what, recovered)
        }
    }

    let cluster: ChaosCluster
    let lab: NetworkLab
    let recorder: HistoryRecorder
    var generator: DeterministicRandom
    private let lock = NSLock()
    private var events: [Event] = []
    private var probes = 0
    let log: (String) -> Void

    public init(cluster: ChaosCluster, lab: NetworkLab, recorder: HistoryRecorder, seed: UInt64, log: @escaping (String) -> Void) {
        self.cluster = cluster
        self.lab = lab
        self.recorder = recorder
        generator = DeterministicRandom(seed: seed ^ 0x5EED_FA17)
        self.log = log
    }

    public var history: [Event] { lock.withLock { events } }

    /// Injects faults until `end` (recorder time), each held 3–10 s with 2–5 s of calm between.
    public func run(until end: Double) throws {
        while recorder.now() < end - 4 {
            guard let fault = Fault.allCases.randomElement(using: &generator) else { return }
            let hold = Double.random(in: 3...10, using: &generator)
            let started = recorder.now()
            let (what, healed) = try inject(fault, hold: min(hold, max(1, end - started - 2)))
            let recovery = probeWrite(limit: 60)
            let event = Event(fault: fault, started: started, healed: healed, what: what, recovery: recovery.cluster,
                              everyManager: recovery.everyManager)
            lock.withLock { events.append(event) }
            log(event.description)
            Thread.sleep(forTimeInterval: Double.random(in: 2...5, using: &generator))
        }
    }

    /// Applies `fault` for `hold` seconds and heals it; says what it did, and when the heal
    /// began (for a kill: when the restart began, so that the restart counts in the recovery).
    func inject(_ fault: Fault, hold: Double) throws -> (String, Double) {
        let count = cluster.count
        let everyone = Array(0..<count)
        func someone(preferringLeader: Bool) -> Int {
            if preferringLeader, Bool.random(using: &generator), let leader = cluster.leader() { return leader }
            return Int.random(in: 0..<count, using: &generator)
        }
        func cut(_ left: [Int], _ right: [Int]) throws {
            for a in left { for b in right { try lab.drop(from: a, to: b); try lab.drop(from: b, to: a) } }
        }
        func names(_ members: [Int]) -> String { members.map { "m\($0 + 1)" }.joined(separator: ",") }
        var what: String
        var victim = 0
        switch fault {
        case .partition:
            let shuffled = everyone.shuffled(using: &generator)
            let minority = Array(shuffled.prefix(Int.random(in: 1...((count - 1) / 2), using: &generator)))
            let majority = everyone.filter { !minority.contains($0) }
            try cut(minority, majority)
            what = "{\(names(minority))} | {\(names(majority))}"
        case .oneWay:
            let deaf = someone(preferringLeader: true)
            for other in everyone where other != deaf { try lab.drop(from: other, to: deaf) }
            what = "m\(deaf + 1) hears nobody, all hear it"
        case .isolateLeader:
            let leader = cluster.leader() ?? 0
            try cut([leader], everyone.filter { $0 != leader })
            what = "leader m\(leader + 1) alone"
        case .bridge:
            let shuffled = everyone.shuffled(using: &generator)
            let bridge = shuffled[0]
            let rest = Array(shuffled.dropFirst())
            let left = Array(rest.prefix(rest.count / 2))
            let right = Array(rest.dropFirst(rest.count / 2))
            try cut(left, right)
            what = "{\(names(left))} | {\(names(right))}, m\(bridge + 1) sees both"
        case .linkDown:
            victim = someone(preferringLeader: true)
            try lab.link(victim, up: false)
            what = "m\(victim + 1) link down"
        case .kill:
            victim = someone(preferringLeader: true)
            cluster.kill(victim)
            what = "m\(victim + 1) SIGKILL, restarted"
        case .pause:
            victim = someone(preferringLeader: true)
            cluster.pause(victim)
            what = "m\(victim + 1) SIGSTOP, SIGCONT"
        case .diskFull:
            victim = someone(preferringLeader: true)
            cluster.fillDisk(victim)
            what = "m\(victim + 1) disk full, then freed"
            Thread.sleep(forTimeInterval: hold)
            let healed = recorder.now()
            cluster.freeDisk(victim)
            return (what, healed)
        }
        Thread.sleep(forTimeInterval: hold)
        let healed = recorder.now()
        switch fault {
        case .kill:
            try cluster.start(victim)
        case .pause:
            for index in everyone { cluster.resume(index) }
        default:
            try lab.heal()
        }
        return (what, healed)
    }

    /// Heals whatever may still be in force (after an error, or at the end).
    public func healEverything() {
        try? lab.heal()
        for index in 0..<cluster.count {
            cluster.resume(index)
            cluster.freeDisk(index)
            if !cluster.isRunning(index) { try? cluster.start(index) }
        }
    }

    /// Sends small writes (new configs) through every manager at once, round after round, until
    /// each has served one; returns the seconds until the first write served (the cluster's
    /// recovery) and until every manager had served one, each nil if it did not happen within
    /// `limit` seconds.
    public func probeWrite(limit: Double) -> (cluster: Double?, everyManager: Double?) {
        let start = recorder.now()
        let round = ProbeRound()
        while recorder.now() - start < limit {
            let waiting = (0..<cluster.count).filter { !round.served($0) }
            if waiting.isEmpty { break }
            let group = DispatchGroup()
            for manager in waiting {
                let number = lock.withLock { probes += 1; return probes }
                group.enter()
                DispatchQueue.global().async { [cluster, recorder] in
                    let answer = try? cluster.request(manager, "POST", "/configs/create",
                                                      json: ["Name": "chaos-probe-\(number)", "Data": RegisterAPI.configData],
                                                      timeout: 2)
                    if answer?.status == 201 { round.served(manager, at: recorder.now()) }
                    group.leave()
                }
            }
            group.wait()
            Thread.sleep(forTimeInterval: 0.05)
        }
        let times = round.times
        let first = times.values.min().map { max(0, $0 - start) }
        let all = times.count == cluster.count ? times.values.max().map { max(0, $0 - start) } : nil
        return (first, all)
    }

    /// When each manager first served a probe.
    final class ProbeRound: @unchecked Sendable {
        private let lock = NSLock()
        private var served: [Int: Double] = [:]
        func served(_ manager: Int, at time: Double) { lock.withLock { served[manager] = min(served[manager] ?? time, time) } }
        func served(_ manager: Int) -> Bool { lock.withLock { served[manager] != nil } }
        var times: [Int: Double] { lock.withLock { served } }
    }
}
