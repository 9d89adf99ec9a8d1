import ColmeiaNode
import ColmeiaPKI
import Foundation

/// The daemon's use of ``ColmeiaPKI``: root CA at init, join tokens bound to it, CSRs and
/// certificates at join, and the identity behind a cluster-port connection. Kept in one
/// place so the rest of the API module speaks in PEM strings and role names.
package enum ClusterPKI {
    struct RootCA {
        var certificatePEM: String
        var keyPEM: String
    }

    struct KeyAndCSR {
        var keyPEM: String
        var csrPEM: String
    }

    static func createRootCA(clusterID: String) throws -> RootCA {
        let ca = try ClusterRootCA.create(clusterID: clusterID, now: Date())
        guard let key = ca.keyPEM else { throw PKIError.caKeyUnavailable }
        return RootCA(certificatePEM: ca.certificatePEM, keyPEM: key)
    }

    /// The founding manager's own certificate, signed by the CA it just created.
    static func selfIssued(by rootCA: RootCA, nodeID: String, role: String, clusterID: String) throws -> ClusterTLS {
        let keyPair = try makeKeyAndCSR()
        let chain = try issue(csrPEM: keyPair.csrPEM, caCertificatePEM: rootCA.certificatePEM, caKeyPEM: rootCA.keyPEM,
                              nodeID: nodeID, role: role, clusterID: clusterID, expiry: 0)
        return ClusterTLS(caCertificatePEM: rootCA.certificatePEM, certificateChainPEM: chain, keyPEM: keyPair.keyPEM)
    }

    /// A fresh `SWMTKN-1-…` token bound to the root CA in `caCertificatePEM`.
    package static func joinToken(for caCertificatePEM: String) -> String {
        var random = SystemRandomNumberGenerator()
        let digest = (try? ClusterRootCA(certificatePEM: caCertificatePEM, keyPEM: nil).digest) ?? []
        return JoinToken.generate(rootCA: digest, using: &random).description
    }

    static func parseJoinToken(_ text: String) throws(DockerAPIError) -> JoinToken {
        do {
            return try JoinToken(parsing: text)
        } catch {
            throw DockerAPIError(.badRequest, error.description)
        }
    }

    static func token(_ token: JoinToken, matchesRootCA caCertificatePEM: String) -> Bool {
        (try? ClusterRootCA.pinned(certificatePEM: caCertificatePEM, by: token)) != nil
    }

    static func digestPart(of token: JoinToken) -> String { token.rootCADigestHex }

    static func makeKeyAndCSR() throws -> KeyAndCSR {
        let keyPair = NodeKeyPair()
        return KeyAndCSR(keyPEM: keyPair.privateKeyPEM, csrPEM: try keyPair.certificateSigningRequestPEM())
    }

    /// Signs a node's CSR. `expiry` is Docker's `NodeCertExpiry` in nanoseconds (0: default).
    static func issue(csrPEM: String, caCertificatePEM: String, caKeyPEM: String, nodeID: String, role: String,
                      clusterID: String, expiry: Int64) throws -> String {
        try issue(csrPEM: csrPEM, by: try ClusterRootCA(certificatePEM: caCertificatePEM, keyPEM: caKeyPEM),
                  nodeID: nodeID, role: role, clusterID: clusterID, expiry: expiry)
    }

    /// Signs a node's CSR with `ca`, appending its intermediates (a cross-signed root during
    /// a rotation). `expiry` is Docker's `NodeCertExpiry` in nanoseconds (0: default).
    static func issue(csrPEM: String, by ca: ClusterRootCA, nodeID: String, role: String,
                      clusterID: String, expiry: Int64) throws -> String {
        let validity = expiry > 0 ? TimeInterval(expiry) / 1e9 : ClusterRootCA.defaultNodeCertificateValidity
        do {
            return try ca.issue(csrPEM: csrPEM, nodeID: nodeID, role: role == "manager" ? .manager : .worker,
                                clusterID: clusterID, now: Date(), validity: validity)
        } catch {
            throw DockerAPIError(.badRequest, error.description)
        }
    }

    /// The role a presented join token admits (`manager` or `worker`), compared in constant
    /// time with the swarm's current tokens; Docker's words when it admits neither.
    static func role(presenting token: String, worker: String, manager: String) throws(DockerAPIError) -> String {
        do {
            let tokens = JoinTokens(worker: try JoinToken(parsing: worker), manager: try JoinToken(parsing: manager))
            return try tokens.role(presenting: token) == .manager ? "manager" : "worker"
        } catch {
            throw DockerAPIError(.badRequest, "rpc error: code = InvalidArgument desc = \(JoinTokenError.notAccepted)")
        }
    }

    /// The node id and role in a peer certificate the TLS handshake already verified.
    static func peerIdentity(der: [UInt8]) throws -> PeerIdentity {
        let pem = "-----BEGIN CERTIFICATE-----\n"
            + Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            + "\n-----END CERTIFICATE-----\n"
        do {
            let certificate = try NodeCertificate(parsing: pem)
            return PeerIdentity(nodeID: certificate.nodeID, role: certificate.role == .manager ? "manager" : "worker")
        } catch {
            throw DockerAPIError(.forbidden, "the peer certificate is not a node certificate of this cluster: \(error)")
        }
    }
}
