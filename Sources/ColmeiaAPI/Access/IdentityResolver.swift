import ColmeiaCluster
import ColmeiaModel
import ColmeiaPKI
import ColmeiaStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOSSL

#if canImport(Glibc)
    import Glibc
#endif

/// `struct ucred` of `SO_PEERCRED` (pid, uid, gid: three 32-bit fields, in this order),
/// which Swift's Glibc module does not export.
struct PeerCredentials: Sendable {
    var pid: Int32
    var uid: UInt32
    var gid: UInt32
}

/// Finds who sent a request: a bearer token, the unix socket's peer credentials
/// (`SO_PEERCRED`), a TLS client certificate, or nothing (a TCP client that proved
/// nothing, an admin only with `--insecure-tcp`).
struct IdentityResolver: Sendable {
    let access: APIAccess
    /// The store holding tokens (a manager's read models), nil on a node without one.
    let store: @Sendable () async -> ClusterStore?

    /// Why a presented token was not accepted (401).
    struct InvalidToken: Error {
        var reason: String
    }

    func identity(of request: Request, channel: any Channel) async throws(InvalidToken) -> RequestIdentity {
        // The connection: an HTTP/2 stream's parent; an HTTP/1 channel itself (its parent is
        // the listening socket, whose peer credentials would be the daemon's own).
        let connection = channel.parent?.parent != nil ? (channel.parent ?? channel) : channel
        var details: [String: String] = [:]
        if let agent = request.headers[.userAgent] { details["userAgent"] = String(agent.prefix(200)) }
        let isUnix: Bool = if case .unixDomainSocket? = connection.localAddress { true } else { false }
        let isTLS = (try? await connection.pipeline.handler(type: NIOSSLServerHandler.self).get()) != nil
        details["transport"] = isUnix ? "unix" : isTLS ? "tls" : "tcp"
        if let address = connection.remoteAddress?.ipAddress { details["address"] = address }

        if let authorization = request.headers[.authorization] {
            return try await tokenIdentity(authorization, details: details)
        }
        if isUnix {
            return await unixIdentity(connection, details: details)
        }
        if isTLS, let certificate = try? await connection.nioSSL_peerCertificate().get(),
           let der = try? certificate.toDERBytes(), let subject = try? ClientCertificateSubject(der: der) {
            return certificateIdentity(subject, details: details)
        }
        return RequestIdentity(kind: .user, name: "anonymous", role: access.insecureTCP ? .admin : nil, details: details)
    }

    /// `Authorization: Bearer clm_…`: a token in the replicated state, not expired.
    private func tokenIdentity(_ header: String, details: [String: String]) async throws(InvalidToken) -> RequestIdentity {
        let parts = header.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0].lowercased() == "bearer", let presented = BearerToken.parse(parts[1]) else {
            throw InvalidToken(reason: "the Authorization header must be \"Bearer clm_…\" (a token from `colmeia token create`)")
        }
        guard let store = await store(), let token = try? store.get(AccessToken.self, presented.id), token.id == presented.id,
              ConstantTime.equal(Array(BearerToken.hash(presented.secret).utf8), Array(token.secretHash.utf8)) else {
            throw InvalidToken(reason: "invalid or revoked token")
        }
        guard !token.hasExpired(at: .now()) else { throw InvalidToken(reason: "token \"\(token.spec.name)\" has expired") }
        var details = details
        details["token"] = token.id
        return RequestIdentity(kind: .user, name: token.spec.name, role: token.spec.role,
                               scope: token.spec.role == .deployer ? token.spec : nil, details: details)
    }

    /// The unix socket's peer: root, the daemon's own user and the socket group's members
    /// are admins; anyone else has no role.
    private func unixIdentity(_ channel: any Channel, details: [String: String]) async -> RequestIdentity {
        var details = details
        guard let provider = channel as? SocketOptionProvider,
              let credentials: PeerCredentials = try? await provider.unsafeGetSocketOption(
                  level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED)).get() else {
            return RequestIdentity(kind: .user, name: "unknown local user", role: nil, details: details)
        }
        details["uid"] = String(credentials.uid)
        details["gid"] = String(credentials.gid)
        details["pid"] = String(credentials.pid)
        if let comm = SystemFile.text(atPath: "/proc/\(credentials.pid)/comm") {
            details["process"] = comm.trimmingCharacters(in: CharacterSet.whitespacesAndNewlines)
        }
        let name = Self.userName(credentials.uid) ?? "uid \(credentials.uid)"
        let admin = credentials.uid == 0 || credentials.uid == geteuid()
            || access.socketGroup.map { Self.isMember(uid: credentials.uid, gid: credentials.gid, of: $0) } ?? false
        return RequestIdentity(kind: .user, name: name, role: admin ? .admin : nil, details: details)
    }

    /// A client certificate: a swarm manager's node certificate is an admin (the node
    /// itself); otherwise the role is the OU (`viewer`, `deployer`, `operator`, `admin`).
    private func certificateIdentity(_ subject: ClientCertificateSubject, details: [String: String]) -> RequestIdentity {
        var details = details
        details["subject"] = subject.text
        let name = subject.commonName ?? subject.text
        if subject.organizationalUnits.contains("swarm-manager") || subject.organizationalUnits.contains("swarm-worker") {
            let manager = subject.organizationalUnits.contains("swarm-manager")
            details["node"] = name
            details["nodeRole"] = manager ? "manager" : "worker"
            return RequestIdentity(kind: .node, name: name, role: manager ? .admin : nil, details: details)
        }
        let role = subject.organizationalUnits.compactMap(AccessRole.init(rawValue:)).max()
        return RequestIdentity(kind: .user, name: name, role: role, details: details)
    }

    static func userName(_ uid: uid_t) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else { return nil }
        return String(cString: name)
    }

    /// Whether the user is in group `gid` (as its primary group or a supplementary one).
    static func isMember(uid: uid_t, gid primary: gid_t, of group: gid_t) -> Bool {
        if primary == group { return true }
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else { return false }
        var count: Int32 = 64
        var groups = [gid_t](repeating: 0, count: 64)
        if getgrouplist(name, entry.pw_gid, &groups, &count) < 0 {
            groups = [gid_t](repeating: 0, count: Int(count))
            guard getgrouplist(name, entry.pw_gid, &groups, &count) >= 0 else { return false }
        }
        return groups.prefix(Int(count)).contains(group)
    }
}
