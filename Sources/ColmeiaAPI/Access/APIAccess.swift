import ColmeiaCluster
import ColmeiaModel
import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How this daemon's API decides who a request comes from and what it may ask for.
public struct APIAccess: Sendable {
    /// `--insecure-tcp`: a TCP client that proves nothing (plain TCP, or TLS without a
    /// client certificate or token) is an admin, as dockerd's `-H tcp://` makes it root.
    public var insecureTCP: Bool
    /// The unix socket's group (`--group`): its members are admins, as root is.
    public var socketGroup: gid_t?
    /// The largest replica count (and job completion count) a service may ask for.
    public var maxReplicas: Int
    /// What `docker info` warns about (listeners anyone may use as admin).
    public var warnings: [String]

    public init(insecureTCP: Bool = false, socketGroup: gid_t? = nil, maxReplicas: Int = 10_000, warnings: [String] = []) {
        self.insecureTCP = insecureTCP
        self.socketGroup = socketGroup
        self.maxReplicas = maxReplicas
        self.warnings = warnings
    }

    /// dockerd's words for a listener anyone who reaches it may use as admin.
    public static func insecureWarning(_ address: String) -> String {
        "API is accessible on \(address) without encryption and authentication: anyone who can reach it has full control of the swarm (root on every node). Use --tls-cert, --tls-key and --tls-ca, or bearer tokens."
    }
}

/// The secret half of a bearer token: `clm_<token id>_<secret>`.
enum BearerToken {
    static let prefix = "clm_"

    /// A new secret for token `id` (32 random bytes, base64url).
    static func make(id: String) -> (text: String, hash: String) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let secret = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return (prefix + id + "_" + secret, hash(secret))
    }

    /// (token id, secret) of a presented token, or nil when it is not one.
    static func parse(_ text: String) -> (id: String, secret: String)? {
        guard text.hasPrefix(prefix) else { return nil }
        let rest = text.dropFirst(prefix.count)
        guard let split = rest.firstIndex(of: "_") else { return nil }
        let id = String(rest[..<split])
        let secret = String(rest[rest.index(after: split)...])
        guard !id.isEmpty, !secret.isEmpty, id.count <= 64, secret.count <= 128 else { return nil }
        return (id, secret)
    }

    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Array(secret.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
