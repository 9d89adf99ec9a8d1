import AsyncHTTPClient
import Foundation
import NIOCore

/// A one-member etcd (Debian's etcd-server) on loopback, filled through its JSON gateway,
/// for the backup benchmark's yardstick.
final class EtcdYardstick: @unchecked Sendable {
    static let version = "3.4"
    let endpoint: String
    private let process: Process
    private let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .benchmark)
    private var restored: Process?

    init(directory: String, port: Int) async throws {
        endpoint = "http://127.0.0.1:\(port)"
        process = try Self.start(directory: directory, port: port)
        try await Self.waitHealthy(endpoint, client: client)
    }

    static func start(directory: String, port: Int) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/etcd")
        process.arguments = ["--data-dir", directory, "--name", "yardstick",
                             "--listen-client-urls", "http://127.0.0.1:\(port)", "--advertise-client-urls", "http://127.0.0.1:\(port)",
                             "--listen-peer-urls", "http://127.0.0.1:\(port + 1)", "--initial-advertise-peer-urls", "http://127.0.0.1:\(port + 1)",
                             "--initial-cluster", "yardstick=http://127.0.0.1:\(port + 1)", "--quota-backend-bytes", "\(8 << 30)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func waitHealthy(_ endpoint: String, client: HTTPClient) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        while ContinuousClock.now < deadline {
            if let response = try? await client.execute(HTTPClientRequest(url: endpoint + "/health"), timeout: .seconds(2)),
               response.status == .ok, let body = try? await response.body.collect(upTo: 4096), String(buffer: body).contains("true") {
                return
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw BenchError("etcd at \(endpoint) did not become healthy")
    }

    /// `keys` puts of `valueBytes`-byte values, `clients` at a time.
    func fill(keys: Int, valueBytes: Int, clients: Int) async throws {
        let endpoint = self.endpoint
        let client = self.client
        let value = Data(String(repeating: "v", count: valueBytes).utf8).base64EncodedString()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for first in 0..<clients {
                group.addTask {
                    for number in stride(from: first, to: keys, by: clients) {
                        guard try await EtcdCluster.put(endpoint, key: "fill-\(number)", value: value, client: client,
                                                             timeout: .seconds(30)) else {
                            throw BenchError("etcd put of fill-\(number) failed")
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// `etcdctl snapshot restore` into `directory`, then a new etcd from it until healthy.
    func restoreToServing(_ file: String, directory: String, port: Int) async throws {
        try BackupBench.run("/usr/bin/etcdctl", ["snapshot", "restore", file, "--data-dir", directory, "--name", "yardstick",
                                                 "--initial-cluster", "yardstick=http://127.0.0.1:\(port + 1)",
                                                 "--initial-advertise-peer-urls", "http://127.0.0.1:\(port + 1)"])
        let process = try Self.start(directory: directory, port: port)
        restored = process
        try await Self.waitHealthy("http://127.0.0.1:\(port)", client: client)
    }

    func stop() {
        for process in [process, restored].compactMap({ $0 }) where process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? client.syncShutdown()
    }
}
