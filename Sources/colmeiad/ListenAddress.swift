import ArgumentParser
import Hummingbird

/// A `--host` value: `unix:///path.sock` or `tcp://IP:PORT`.
enum ListenAddress: CustomStringConvertible {
    case unix(String)
    case tcp(host: String, port: Int)

    init(_ text: String) throws {
        if text.hasPrefix("unix://") {
            let path = String(text.dropFirst("unix://".count))
            guard path.hasPrefix("/") else { throw ValidationError("--host \(text): a unix socket needs an absolute path") }
            self = .unix(path)
        } else if text.hasPrefix("tcp://") {
            let rest = text.dropFirst("tcp://".count)
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
                  (1...65535).contains(port) else {
                throw ValidationError("--host \(text): expected tcp://IP:PORT")
            }
            let host = String(rest[..<colon]).trimmingCharacters(in: ["[", "]"])
            self = .tcp(host: host.isEmpty ? "127.0.0.1" : host, port: port)
        } else {
            throw ValidationError("--host \(text): expected unix:///path or tcp://IP:PORT")
        }
    }

    var bindAddress: BindAddress {
        switch self {
        case .unix(let path): return .unixDomainSocket(path: path)
        case .tcp(let host, let port): return .hostname(host, port: port)
        }
    }

    var description: String {
        switch self {
        case .unix(let path): return "unix://\(path)"
        case .tcp(let host, let port): return "tcp://\(host):\(port)"
        }
    }
}
