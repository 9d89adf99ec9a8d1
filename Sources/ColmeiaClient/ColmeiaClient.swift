import AsyncHTTPClient
import ColmeiaModel
import Foundation
import NIOCore
import NIOHTTP1

/// A typed client of Colmeia's Docker-compatible HTTP API over a unix socket, TCP, or TCP with
/// TLS (HTTP/2 when the server offers `h2` by ALPN). Call ``shutdown()`` when done.
public final class ColmeiaClient: Sendable {
    public let host: ColmeiaHost
    let http: HTTPClient
    let baseURL: String
    /// How long one non-streaming exchange may take.
    let requestTimeout: TimeAmount
    /// A bearer token (`colmeia token create`) sent with every request.
    let token: String?

    public init(host: ColmeiaHost, tls: TLSOptions? = nil, token: String? = nil,
                requestTimeout: TimeAmount = .seconds(30)) throws(ColmeiaClientError) {
        var configuration = HTTPClient.Configuration()
        if let tls { configuration.tlsConfiguration = try tls.configuration() }
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(10))
        configuration.httpVersion = .automatic
        configuration.decompression = .disabled
        self.host = host
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.baseURL = host.baseURL(tls: tls != nil)
        self.requestTimeout = requestTimeout
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Closes the connections; the client cannot be used afterwards.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// Sends one request and returns the response with its body not yet read. Errors of the
    /// transport become ``ColmeiaClientError/cannotConnect(host:reason:)``; error statuses
    /// become ``ColmeiaClientError/api(status:message:)``.
    func send(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: Data? = nil,
              streaming: Bool = false, headers: [(String, String)] = []) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: baseURL + path + Self.queryString(query))
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.add(name: "Host", value: "colmeia")
        request.headers.add(name: "User-Agent", value: "colmeia-cli")
        if let token { request.headers.add(name: "Authorization", value: "Bearer " + token) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, deadline: streaming ? .distantFuture : .now() + requestTimeout)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw ColmeiaClientError.cannotConnect(host: host.description, reason: "\(error)")
        }
        guard response.status.code < 400 else {
            let data = try await Self.collect(response)
            throw ColmeiaClientError.api(status: Int(response.status.code), message: Self.message(in: data, status: response.status))
        }
        return response
    }

    /// Sends a request and returns the whole body.
    @discardableResult
    func data(_ method: HTTPMethod, _ path: String, query: [(String, String)] = [], body: Data? = nil) async throws -> Data {
        try await Self.collect(try await send(method, path, query: query, body: body))
    }

    /// Sends a request and decodes the JSON answer.
    func decode<T: Decodable>(_ type: T.Type, _ path: String, method: HTTPMethod = .GET, query: [(String, String)] = [],
                              body: Data? = nil) async throws -> T {
        let data = try await data(method, path, query: query, body: body)
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw ColmeiaClientError.badResponse("\(path): \(error)")
        }
    }

    /// JSON for a request body.
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }

    static func collect(_ response: HTTPClientResponse) async throws -> Data {
        do {
            let buffer = try await response.body.collect(upTo: 256 * 1024 * 1024)
            return Data(buffer.readableBytesView)
        } catch {
            throw ColmeiaClientError.badResponse("reading the body: \(error)")
        }
    }

    /// Docker's `{"message": …}`, or the body itself when it is not that shape.
    static func message(in data: Data, status: HTTPResponseStatus) -> String {
        if let object = try? JSONDecoder().decode([String: JSONValue].self, from: data),
           let message = object["message"]?.stringValue {
            return message
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "\(status.code) \(status.reasonPhrase)" : text
    }

    static func queryString(_ pairs: [(String, String)]) -> String {
        guard !pairs.isEmpty else { return "" }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return "?" + pairs.map { key, value in
            key + "=" + (value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)
        }.joined(separator: "&")
    }

    /// Docker's `filters` query parameter: `{"name":["web"]}`.
    static func filtersQuery(_ filters: [String: [String]]) -> [(String, String)] {
        guard !filters.isEmpty, let data = try? encode(filters) else { return [] }
        return [("filters", String(decoding: data, as: UTF8.self))]
    }

    /// Percent-encodes one path segment (an id or name given by the user).
    static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
