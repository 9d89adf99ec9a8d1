import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// Backup, verify and restore of a log of `--events` writes, beside etcd's `etcdctl
/// snapshot save/status/restore` on an etcd holding as many keys of the same size, in one
/// run; and the swarm's write throughput with and without backups being taken.
struct BackupBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Backup size and time, verify time, restore-to-serving time (beside etcd's snapshots), and write throughput while backing up.")
    @OptionGroup var cluster: ClusterOptions
    @Option(help: "Writes (log entries) the swarm holds when it is backed up.") var events = 100_000
    @Option(help: "Concurrent writers.") var clients = 64
    @Option(help: "Seconds of each throughput window (without, then with backups).") var seconds = 15
    @Option(help: "Pairs of throughput windows (without, with backups), interleaved.") var rounds = 3
    @Option(help: "etcd's client port on 127.0.0.1 (its peer port is the next one).") var etcdPort = 23_790

    static let passphrase = "colmeia-cluster-bench"

    func run() async throws {
        let swarm = try BenchCluster(cluster)
        let work = swarm.directory + "/backup-bench"
        do {
            try await swarm.formSwarm()
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let filled = try await fill(swarm)
            report("filled: \(filled.count) writes in \(format(filled.seconds)) s (\(Int(Double(filled.count) / filled.seconds)) writes/s), value size \(filled.valueBytes) bytes")

            let file = work + "/swarm.cbk"
            let backup = try await timed { try await self.backup(swarm, from: 1, to: file) }
            let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            let colmeia = URL(fileURLWithPath: swarm.executable).deletingLastPathComponent().path + "/colmeia"
            let verify = try timed { try Self.run(colmeia, ["backup", "verify", file]) }
            let restoreDirectory = work + "/restored"
            let restore = try await timed { try await self.restoreToServing(colmeia: colmeia, daemon: swarm.executable, file: file, directory: restoreDirectory) }

            // Windows without and with backups, interleaved: snapshots (every 10,000 entries
            // on every manager) fall into both kinds alike.
            var plainRates: [Double] = []
            var busyRates: [Double] = []
            var backups = 0
            for round in 1...rounds {
                let plainRound = try await load(swarm, clients: clients, seconds: seconds, prefix: "plain\(round)")
                let (busyRound, taken) = try await loadWhileBackingUp(swarm, round: round)
                plainRates.append(plainRound.rate)
                busyRates.append(busyRound.rate)
                backups += taken
                report("round \(round): \(Int(plainRound.rate)) writes/s without backups, \(Int(busyRound.rate)) with \(taken) backups streamed back to back from a follower")
            }
            let plain = plainRates.reduce(0, +) / Double(rounds)
            let busy = busyRates.reduce(0, +) / Double(rounds)
            let drop = (1 - busy / plain) * 100
            report("throughput: \(Int(plain)) writes/s without backups, \(Int(busy)) writes/s with \(backups) backups (\(String(format: "%.1f", drop))% lower)")

            let etcd = try await EtcdYardstick(directory: work + "/etcd", port: etcdPort)
            defer { etcd.stop() }
            try await etcd.fill(keys: filled.count, valueBytes: filled.valueBytes, clients: clients)
            let etcdFile = work + "/etcd.db"
            let etcdSave = try timed { try Self.run("/usr/bin/etcdctl", ["--endpoints", etcd.endpoint, "snapshot", "save", etcdFile]) }
            let etcdSize = (try FileManager.default.attributesOfItem(atPath: etcdFile)[.size] as? Int) ?? 0
            let etcdStatus = try timed { try Self.run("/usr/bin/etcdctl", ["snapshot", "status", etcdFile]) }
            let etcdRestore = try await timed { try await etcd.restoreToServing(etcdFile, directory: work + "/etcd-restored", port: etcdPort + 2) }

            report("")
            report("| \(filled.count) writes | Colmeia | etcd \(EtcdYardstick.version) |")
            report("| --- | --- | --- |")
            report("| backup size | \(DaemonFigures.megabytes(size)) | \(DaemonFigures.megabytes(etcdSize)) (snapshot save) |")
            report("| backup time | \(format(backup)) s (online, streamed from a follower) | \(format(etcdSave)) s (snapshot save) |")
            report("| verify time | \(format(verify)) s (checksums, decrypt, replay) | \(format(etcdStatus)) s (snapshot status: hash check) |")
            report("| restore to serving | \(format(restore)) s (swarm restore + colmeiad --force-new-cluster) | \(format(etcdRestore)) s (snapshot restore + etcd up) |")
            report("| writes/s while backing up | \(Int(busy)) vs \(Int(plain)) (\(String(format: "%.1f", drop))% lower; \(rounds) × \(seconds) s each, interleaved) | |")
        } catch {
            await swarm.shutdown()
            throw error
        }
        await swarm.shutdown()
    }

    /// Writes until the swarm's log holds `events` entries past its start.
    func fill(_ swarm: BenchCluster) async throws -> (count: Int, seconds: Double, valueBytes: Int) {
        let written = Counter()
        let started = ContinuousClock.now
        let managers = swarm.daemons.count
        let target = events
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<clients {
                group.addTask {
                    var sequence = 0
                    while written.value.load(ordering: .relaxed) < target {
                        sequence += 1
                        if (try? await swarm.write(through: client % managers, name: "fill-\(client)-\(sequence)")) == true {
                            written.value.add(1, ordering: .relaxed)
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        return (written.value.load(ordering: .relaxed), elapsedSeconds(since: started), "fill-00-000000".utf8.count)
    }

    /// The load, with backups from another manager taken one after the other meanwhile.
    func loadWhileBackingUp(_ swarm: BenchCluster, round: Int) async throws -> (LoadResult, Int) {
        let done = StopFlag()
        let backups = Task {
            var count = 0
            while !done.value.load(ordering: .relaxed) {
                // Read and dropped: the client of a backup is elsewhere, and writing it to
                // this machine's disk would measure the disk, not the swarm.
                try await self.backup(swarm, from: 2 % swarm.daemons.count, to: nil)
                count += 1
            }
            return count
        }
        let result = try await load(swarm, clients: clients, seconds: seconds, prefix: "busy\(round)")
        done.value.store(true, ordering: .relaxed)
        return (result, try await backups.value)
    }

    /// Streams `GET /colmeia/v1/backup` from manager `index` into `file` (nil: read and dropped).
    func backup(_ swarm: BenchCluster, from index: Int, to file: String?) async throws {
        let socket = swarm.daemons[index].socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        var request = HTTPClientRequest(url: "http+unix://\(socket)/colmeia/v1/backup")
        request.headers.add(name: "X-Colmeia-Backup-Passphrase", value: Self.passphrase)
        let response = try await swarm.client.execute(request, timeout: .seconds(300))
        guard response.status == .ok else { throw BenchError("backup: \(response.status)") }
        guard let file else {
            for try await _ in response.body {}
            return
        }
        FileManager.default.createFile(atPath: file, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        defer { try? handle.close() }
        for try await buffer in response.body { try handle.write(contentsOf: Data(buffer.readableBytesView)) }
        try handle.synchronize()
    }

    /// `colmeia swarm restore`, then colmeiad `--force-new-cluster` until it lists services.
    func restoreToServing(colmeia: String, daemon: String, file: String, directory: String) async throws {
        try Self.run(colmeia, ["swarm", "restore", file, "--data-dir", directory])
        let socket = directory + ".sock"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: daemon)
        process.arguments = ["--data-dir", directory, "--host", "unix://" + socket, "--listen-addr", "127.0.0.250:\(cluster.port)",
                             "--executor", "process", "--log-level", "warning", "--force-new-cluster"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let encoded = socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        while ContinuousClock.now < deadline {
            let request = HTTPClientRequest(url: "http+unix://\(encoded)/v1.41/configs?filters=%7B%22name%22%3A%5B%22fill-0-1%22%5D%7D")
            if let response = try? await client.execute(request, timeout: .seconds(5)), response.status == .ok,
               let body = try? await response.body.collect(upTo: 1 << 20), String(buffer: body).contains("fill-0-1") {
                try? await client.shutdown()
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try? await client.shutdown()
        throw BenchError("the restored swarm did not serve within 120 s")
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["COLMEIA_BACKUP_PASSPHRASE"] = passphrase
        environment["ETCDCTL_API"] = "3"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("\(executable) \(arguments.joined(separator: " ")): \(String(decoding: data, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self)
    }

}

func elapsedSeconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

func timed(_ body: () throws -> Void) throws -> Double {
    let start = ContinuousClock.now
    try body()
    return elapsedSeconds(since: start)
}

func timed(_ body: () async throws -> Void) async throws -> Double {
    let start = ContinuousClock.now
    try await body()
    return elapsedSeconds(since: start)
}

/// Shared by the writer tasks.
final class Counter: Sendable {
    let value = Atomic<Int>(0)
}

final class StopFlag: Sendable {
    let value = Atomic<Bool>(false)
}
