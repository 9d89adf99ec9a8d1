import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A small client of the Docker Engine API over its unix socket: the calls the Docker
/// executor makes, with the engine's own error messages carried through.
struct DockerEngine: Sendable {
    /// The socket path, from `unix:///var/run/docker.sock`.
    let socketPath: String
    /// The API version every path is prefixed with (1.41 is what Docker 20.10 speaks and
    /// every later engine still accepts).
    let apiVersion = "v1.41"

    struct Failure: Error, Sendable, CustomStringConvertible {
        var status: Int
        var message: String
        var description: String { message }
    }

    init(host: String) throws(Failure) {
        guard host.hasPrefix("unix://") else {
            throw Failure(status: 0, message: "unsupported Docker host \(host): only unix:// sockets are supported")
        }
        socketPath = String(host.dropFirst("unix://".count))
    }

    /// One client for the process. Every running container holds a connection open on
    /// `/containers/{id}/wait`, so the pool must not cap connections per host (the shared
    /// client's 8 would queue every later call behind them).
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 100_000)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Fails at once, in Docker's words, when nothing listens on the socket: the HTTP
    /// client would otherwise retry the connection until the request's deadline, and a
    /// missing engine would hold `docker info` and every task start for a minute.
    private func checkListening() throws(Failure) {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard socketPath.utf8.count < capacity else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in socketPath.utf8.enumerated() { raw[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if result != 0 && (errno == ENOENT || errno == ECONNREFUSED || errno == ENOTDIR) {
            throw Failure(status: 0, message: "Cannot connect to the Docker daemon at unix://\(socketPath). Is the docker daemon running?")
        }
    }

    /// Sends a request and returns status and body; a 4xx/5xx becomes a ``Failure`` with the
    /// engine's `message`. `path` holds unencoded segments (`["images", image, "json"]`).
    @discardableResult
    func call(_ method: HTTPMethod, _ path: [String], query: [(String, String)] = [], json body: Any? = nil,
              headers: [(String, String)] = [], timeout: TimeAmount = .seconds(60)) async throws(Failure) -> (status: Int, body: Data) {
        var request = request(method, path, query, headers)
        if let body {
            do {
                let data = try JSONSerialization.data(withJSONObject: body)
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(ByteBuffer(bytes: data))
            } catch {
                throw Failure(status: 0, message: "cannot encode the request to the Docker engine: \(error)")
            }
        }
        try checkListening()
        let started = ContinuousClock.now
        defer { AgentMetrics.engineCall(method.rawValue, path).record(duration: ContinuousClock.now - started) }
        do {
            let response = try await Self.client.execute(request, timeout: timeout)
            var buffer = try await response.body.collect(upTo: 64 << 20)
            let data = Data(buffer.readBytes(length: buffer.readableBytes) ?? [])
            let status = Int(response.status.code)
            guard status < 400 else { throw Self.failure(status: status, body: data) }
            return (status, data)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure(status: 0, message: "Cannot connect to the Docker daemon at unix://\(socketPath): \(error)")
        }
    }

    /// Sends a request and streams the response body (logs that follow, pull progress).
    func stream(_ method: HTTPMethod, _ path: [String], query: [(String, String)] = [], headers: [(String, String)] = [],
                timeout: TimeAmount = .hours(24 * 365)) async throws(Failure) -> AsyncThrowingStream<[UInt8], any Error> {
        let response: HTTPClientResponse
        try checkListening()
        do {
            response = try await Self.client.execute(request(method, path, query, headers), timeout: timeout)
        } catch {
            throw Failure(status: 0, message: "Cannot connect to the Docker daemon at unix://\(socketPath): \(error)")
        }
        guard response.status.code < 400 else {
            var buffer = (try? await response.body.collect(upTo: 1 << 20)) ?? ByteBuffer()
            throw Self.failure(status: Int(response.status.code), body: Data(buffer.readBytes(length: buffer.readableBytes) ?? []))
        }
        let body = response.body
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await var chunk in body { continuation.yield(chunk.readBytes(length: chunk.readableBytes) ?? []) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// A request to the engine. Go's HTTP server insists on a Host header, which a
    /// unix-socket URL has none of.
    private func request(_ method: HTTPMethod, _ path: [String], _ query: [(String, String)],
                         _ headers: [(String, String)]) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url(EngineRequestPath(version: apiVersion, segments: path, query: query)))
        request.method = method
        request.headers.replaceOrAdd(name: "Host", value: "docker")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        return request
    }

    /// An error answer, in the engine's words when it gave some.
    private static func failure(status: Int, body: Data) -> Failure {
        let text = String(decoding: body.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Failure(status: status, message: message(in: body) ?? "Docker engine answered \(status): \(text)")
    }

    /// The URL the HTTP client is given: the socket as its host, then the encoded target,
    /// which the client sends as it is (checked for every image form by the agent tests).
    func url(_ target: EngineRequestPath) -> String {
        "http+unix://" + Self.encodedSocket(socketPath) + target.target
    }

    /// The socket path as a URL host: every byte but letters and digits encoded.
    static func encodedSocket(_ path: String) -> String {
        path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? path
    }

    /// Decodes a JSON object body.
    func object(_ method: HTTPMethod, _ path: [String], query: [(String, String)] = [], json body: Any? = nil,
                headers: [(String, String)] = [], timeout: TimeAmount = .seconds(60)) async throws(Failure) -> [String: Any] {
        let (_, data) = try await call(method, path, query: query, json: body, headers: headers, timeout: timeout)
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    static func message(in data: Data) -> String? {
        ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any])?["message"] as? String
    }
}
