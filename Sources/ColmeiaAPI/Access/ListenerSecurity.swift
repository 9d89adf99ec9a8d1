import ColmeiaCluster
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The start-up rules for the API's listeners, as dockerd words them: a TCP listener
/// outside loopback without TLS and a client CA is refused unless `--insecure-tcp`, and
/// every listener anyone may use as admin is warned about (at start and in `docker info`).
public enum ListenerSecurity {
    public struct Refused: Error, CustomStringConvertible {
        public var description: String
    }

    /// The warnings to show for these TCP listeners (host, port), or the refusal.
    public static func check(tcp listeners: [(host: String, port: Int)], tls: Bool, clientCA: Bool,
                             insecure: Bool) throws(Refused) -> [String] {
        var warnings: [String] = []
        for (host, port) in listeners {
            let address = "tcp://\(host):\(port)"
            let secured = tls && clientCA
            if !secured && !isLoopback(host) && !insecure {
                throw Refused(description: "refusing to serve the API on \(address) "
                    + (tls ? "with TLS but without a client CA (--tls-ca)" : "without TLS")
                    + ": anyone who can reach it could take over the swarm. Give --tls-cert, --tls-key and --tls-ca "
                    + "(clients then present a certificate or a bearer token), or --insecure-tcp to accept the risk")
            }
            if insecure && !secured { warnings.append(APIAccess.insecureWarning(address)) }
        }
        return warnings
    }

    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Makes a unix socket the owner's and `group`'s (0660), as dockerd's `-G` does.
    public static func restrict(socket path: String, group: gid_t?) throws(Refused) {
        if let group, chown(path, geteuid(), group) != 0 {
            throw Refused(description: "cannot give \(path) to group \(group): \(String(cString: strerror(errno)))")
        }
        guard chmod(path, group == nil ? 0o600 : 0o660) == 0 else {
            throw Refused(description: "cannot restrict \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// A group by name or number; nil (with no error) when the default group does not exist.
    public static func group(named name: String) -> gid_t? {
        var entry = Glibc.group()
        var result: UnsafeMutablePointer<Glibc.group>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        if getgrnam_r(name, &entry, &buffer, buffer.count, &result) == 0, result != nil { return entry.gr_gid }
        return gid_t(name)
    }
}
