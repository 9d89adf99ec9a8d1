import ColmeiaNode
import ColmeiaPKI
import Foundation

/// The node's TLS material in `<data-dir>/certificates/` under Docker's file names; the
/// key is written owner-only, and sealed with the unlock key while autolock is on
/// (``ManagerKeyFiles``).
package enum ClusterCertificates {
    static func directory(_ dataDirectory: String) -> String { dataDirectory + "/certificates" }

    /// Throws ``DockerAPIError/locked`` when the key is sealed and no `unlockKey` is given.
    static func load(from dataDirectory: String, unlockKey: UnlockKey? = nil) throws -> ClusterTLS {
        let folder = directory(dataDirectory)
        func read(_ name: String) throws -> String {
            try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
        }
        guard let key = try ManagerKeyFiles.read(dataDirectory, "swarm-node.key", unlockKey: unlockKey) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: folder + "/swarm-node.key"])
        }
        return ClusterTLS(caCertificatePEM: try read("swarm-root-ca.crt"),
                          certificateChainPEM: try read("swarm-node.crt"),
                          keyPEM: String(decoding: key, as: UTF8.self))
    }

    static func save(_ tls: ClusterTLS, to dataDirectory: String, sealedWith unlockKey: UnlockKey? = nil) throws {
        let folder = directory(dataDirectory)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try Data(tls.caCertificatePEM.utf8).write(to: URL(fileURLWithPath: folder + "/swarm-root-ca.crt"), options: .atomic)
        try Data(tls.certificateChainPEM.utf8).write(to: URL(fileURLWithPath: folder + "/swarm-node.crt"), options: .atomic)
        try ManagerKeyFiles.write(Array(tls.keyPEM.utf8), dataDirectory, "swarm-node.key", sealedWith: unlockKey)
    }
}
