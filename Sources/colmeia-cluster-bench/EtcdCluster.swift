import AsyncHTTPClient
import Foundation
import NIOCore

/// A three-member etcd cluster (Debian's etcd-server) on loopback with etcd's default
/// settings (fsync on, 100 ms heartbeat, 1 s election), written through its JSON gateway:
/// the write-throughput yardstick of `throughput`.
final class EtcdCluster: @unchecked Sendable {
    /// Each member's client URL, in the order members are written through.
    let endpoints: [String]
    private let processes: [Process]
    private let directory: String

    /// Members listen on 127.0.0.1, clients on `basePort + 10·i`, peers one port above.
    init(members: Int = 3, basePort: Int, client: HTTPClient) async throws {
        directory = NSTemporaryDirectory() + "colmeia-etcd-\(UInt32.random(in: 0...UInt32.max))"
        let names = (0..<members).map { "member-\($0)" }
        let clientPorts = (0..<members).map { basePort + 10 * $0 }
        let cluster = zip(names, clientPorts).map { "\($0)=http://127.0.0.1:\($1 + 1)" }.joined(separator: ",")
        endpoints = clientPorts.map { "http://127.0.0.1:\($0)" }
        var started: [Process] = []
        do {
            for (name, port) in zip(names, clientPorts) {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/etcd")
                process.arguments = ["--data-dir", directory + "/" + name, "--name", name,
                                     "--listen-client-urls", "http://127.0.0.1:\(port)",
                                     "--advertise-client-urls", "http://127.0.0.1:\(port)",
                                     "--listen-peer-urls", "http://127.0.0.1:\(port + 1)",
                                     "--initial-advertise-peer-urls", "http://127.0.0.1:\(port + 1)",
                                     "--initial-cluster", cluster, "--initial-cluster-state", "new",
                                     "--initial-cluster-token", "colmeia-bench"]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                started.append(process)
            }
        } catch {
            for process in started { process.terminate() }
            throw BenchError("cannot start etcd (apt-get install etcd-server): \(error)")
        }
        processes = started
        do {
            for endpoint in endpoints { try await EtcdYardstick.waitHealthy(endpoint, client: client) }
        } catch {
            stop()
            throw error
        }
    }

    /// One put of `value` (already base64) under `key` through the member at `endpoint`;
    /// false when etcd refused it.
    static func put(_ endpoint: String, key: String, value: String, client: HTTPClient,
                    timeout: TimeAmount = .seconds(10)) async throws -> Bool {
        var request = HTTPClientRequest(url: endpoint + "/v3/kv/put")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"key":"\#(Data(key.utf8).base64EncodedString())","value":"\#(value)"}"#))
        let response = try await client.execute(request, timeout: timeout)
        _ = try await response.body.collect(upTo: 1 << 16)
        return response.status == .ok
    }

    func stop() {
        for process in processes where process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
