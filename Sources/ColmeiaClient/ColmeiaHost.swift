import Foundation

/// Where the daemon listens: `unix:///path.sock` or `tcp://HOST:PORT` (docker's `-H` forms).
public struct ColmeiaHost: Sendable, Hashable, CustomStringConvertible {
    /// The transport and its address.
    public enum Address: Sendable, Hashable {
        case unix(path: String)
        case tcp(host: String, port: Int)
    }

    public var address: Address

    /// Sockets tried, in order, when neither `--host` nor `COLMEIA_HOST` names one.
    public static let defaultSockets = ["/var/run/colmeia.sock", "/run/colmeia.sock", "/tmp/colmeia.sock"]

    /// Port used by `tcp://HOST` without a port (docker's plaintext default).
    public static let defaultTCPPort = 2375

    public init(address: Address) {
        self.address = address
    }

    /// Parses `unix:///path`, `tcp://host:port`, `host:port` or a bare socket path.
    public init(parsing text: String) throws(ColmeiaClientError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("unix://") {
            let path = String(trimmed.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw .invalidHost(text, "a unix socket path must be absolute") }
            address = .unix(path: path)
        } else if trimmed.hasPrefix("/") {
            address = .unix(path: trimmed)
        } else {
            var rest = trimmed
            for scheme in ["tcp://", "http://", "https://"] where rest.hasPrefix(scheme) {
                rest = String(rest.dropFirst(scheme.count))
            }
            if rest.hasSuffix("/") { rest.removeLast() }
            guard !rest.isEmpty, !rest.contains("://"), !rest.contains("/") else {
                throw .invalidHost(text, "use unix:///path.sock or tcp://HOST:PORT")
            }
            var host = rest
            var port = Self.defaultTCPPort
            if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
                host = String(rest[..<colon])
                guard let number = Int(rest[rest.index(after: colon)...]), (1...65_535).contains(number) else {
                    throw .invalidHost(text, "invalid port")
                }
                port = number
            }
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { throw .invalidHost(text, "missing host") }
            address = .tcp(host: host, port: port)
        }
    }

    /// `COLMEIA_HOST` when set, otherwise the first default socket that exists.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(ColmeiaClientError) -> ColmeiaHost {
        if let value = environment["COLMEIA_HOST"], !value.isEmpty { return try ColmeiaHost(parsing: value) }
        var candidates = defaultSockets
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { candidates.insert(runtime + "/colmeia.sock", at: 2) }
        let path = candidates.first { FileManager.default.fileExists(atPath: $0) } ?? defaultSockets[0]
        return ColmeiaHost(address: .unix(path: path))
    }

    public var description: String {
        switch address {
        case .unix(let path): "unix://" + path
        case .tcp(let host, let port): "tcp://" + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        }
    }

    /// The URL prefix AsyncHTTPClient dials for this host.
    func baseURL(tls: Bool) -> String {
        switch address {
        case .unix(let path):
            let encoded = path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? path
            return (tls ? "https+unix://" : "http+unix://") + encoded
        case .tcp(let host, let port):
            return (tls ? "https://" : "http://") + (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
        }
    }
}
