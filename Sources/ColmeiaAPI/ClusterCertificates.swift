import ColmeiaNode
import Foundation

/// The node's TLS material in `<data-dir>/certificates/` under Docker's file names; the
/// key is written owner-only.
enum ClusterCertificates {
    static func directory(_ dataDirectory: String) -> String { dataDirectory + "/certificates" }

    static func load(from dataDirectory: String) throws -> ClusterTLS {
        let folder = directory(dataDirectory)
        func read(_ name: String) throws -> String {
            try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
        }
        return ClusterTLS(caCertificatePEM: try read("swarm-root-ca.crt"),
                          certificateChainPEM: try read("swarm-node.crt"),
                          keyPEM: try read("swarm-node.key"))
    }

    static func save(_ tls: ClusterTLS, to dataDirectory: String) throws {
        let folder = directory(dataDirectory)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try Data(tls.caCertificatePEM.utf8).write(to: URL(fileURLWithPath: folder + "/swarm-root-ca.crt"), options: .atomic)
        try Data(tls.certificateChainPEM.utf8).write(to: URL(fileURLWithPath: folder + "/swarm-node.crt"), options: .atomic)
        let keyPath = folder + "/swarm-node.key"
        FileManager.default.createFile(atPath: keyPath + ".tmp", contents: Data(tls.keyPEM.utf8),
                                       attributes: [.posixPermissions: 0o600])
        guard rename(keyPath + ".tmp", keyPath) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: keyPath])
        }
    }
}
