import ColmeiaRaft
import Foundation

/// Concurrent clients, each on a thread of its own, sending creates, versioned updates and
/// reads of the shared keys to managers picked at random, and recording every operation.
public final class Workload: @unchecked Sendable {
    let cluster: ChaosCluster
    let recorder: HistoryRecorder
    public let pool: KeyPool
    let clients: Int
    let seed: UInt64
    let timeout: Double
    private let lock = NSLock()
    private var stopped = false
    private var nextProcess: Int
    private let group = DispatchGroup()

    public init(cluster: ChaosCluster, recorder: HistoryRecorder, pool: KeyPool, clients: Int, seed: UInt64, timeout: Double = 12) {
        self.cluster = cluster
        self.recorder = recorder
        self.pool = pool
        self.clients = clients
        self.seed = seed
        self.timeout = timeout
        nextProcess = clients
    }

    var isStopped: Bool { lock.withLock { stopped } }

    /// A fresh process number, for a client whose last operation's outcome is unknown.
    func newProcess() -> Int {
        lock.withLock {
            nextProcess += 1
            return nextProcess
        }
    }

    public func start() {
        for client in 0..<clients {
            group.enter()
            let thread = Thread { [self] in
                run(client: client)
                group.leave()
            }
            thread.name = "chaos-client-\(client)"
            thread.start()
        }
    }

    /// Stops the clients and waits for their operations in flight.
    public func stop() {
        lock.withLock { stopped = true }
        group.wait()
    }

    func run(client: Int) {
        var generator = DeterministicRandom(seed: seed &+ UInt64(client) &* 0x1000_0001)
        var process = client
        var versions: [String: UInt64] = [:]
        var written = 0
        while !isStopped {
            guard let choice = pool.choose(using: &generator) else {
                Thread.sleep(forTimeInterval: 0.05)
                continue
            }
            let manager = Int.random(in: 0..<cluster.count, using: &generator)
            written += 1
            let value = "c\(client)-\(written)"
            var failed = false
            switch choice {
            case .create(let key):
                let id = recorder.invoke(process: process, manager: manager, kind: .create, key: key.name, value: value)
                let (outcome, detail) = RegisterAPI.create(cluster, manager, key, value: value, timeout: timeout)
                recorder.complete(id, outcome, detail: detail)
                failed = outcome == .fail
                if outcome == .unknown { process = newProcess() }
            case .use(let key):
                if let version = versions.removeValue(forKey: key.name), Double.random(in: 0..<1, using: &generator) < 0.6 {
                    let id = recorder.invoke(process: process, manager: manager, kind: .update, key: key.name, value: value,
                                             expectedVersion: version)
                    let (outcome, detail) = RegisterAPI.update(cluster, manager, key, version: version, value: value, timeout: timeout)
                    recorder.complete(id, outcome, detail: detail)
                    failed = outcome == .fail
                    if outcome == .unknown { process = newProcess() }
                } else {
                    let id = recorder.invoke(process: process, manager: manager, kind: .read, key: key.name)
                    let (outcome, observation, detail) = RegisterAPI.read(cluster, manager, key, timeout: timeout)
                    recorder.complete(id, outcome, observation: observation, detail: detail)
                    failed = outcome == .fail
                    if case .present(let version, _)? = observation { versions[key.name] = version }
                }
            }
            // Failed requests (a manager down, a disk full) come back at once: pace them.
            if failed { Thread.sleep(forTimeInterval: 0.05) }
        }
    }
}
