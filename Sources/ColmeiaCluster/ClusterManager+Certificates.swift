import ColmeiaNode
import ColmeiaPKI
import Foundation

/// Certificate renewal: every node takes a fresh certificate (and a fresh key) at a random
/// point between 50% and 80% of its certificate's lifetime, as SwarmKit does, without a
/// restart: the transport's new client and the cluster port's next handshakes carry it.
extension ClusterManager {
    func renewCertificateIfDue() async {
        guard let tls, let identity, !initializing, !locked else { return }
        let now = Date()
        if certificateRenewal?.certificatePEM != tls.certificateChainPEM {
            guard let certificate = try? NodeCertificate(parsing: tls.certificateChainPEM) else { return }
            var random = SystemRandomNumberGenerator()
            let at = renewCertificatesAfter.map { now.addingTimeInterval(Double($0.components.seconds)
                + Double($0.components.attoseconds) / 1e18) } ?? certificate.renewalTime(using: &random)
            certificateRenewal = (tls.certificateChainPEM, at)
        }
        guard let due = certificateRenewal?.at, now >= due else { return }
        let role = identity.isManager ? "manager" : "worker"
        do {
            let keyPair = try ClusterPKI.makeKeyAndCSR()
            let answer: CertificateAnswer
            if identity.isManager, node != nil {
                answer = try await reissueCertificate(for: identity.nodeID, csrPEM: keyPair.csrPEM)
            } else if let transport = workerTransport {
                answer = try await callKnownManagers(transport, "POST", "/node/certificate",
                                                     body: CertificateRenewal(csrPEM: keyPair.csrPEM))
            } else {
                return
            }
            // A role change under way brings its own certificate (`followRole`); and a
            // switch that happened while we waited replaced the one we meant to renew.
            guard answer.role == role, self.tls?.certificateChainPEM == tls.certificateChainPEM else { return }
            let fresh = ClusterTLS(caCertificatePEM: tls.caCertificatePEM, certificateChainPEM: answer.certificateChainPEM,
                                   keyPEM: keyPair.keyPEM)
            try ClusterCertificates.save(fresh, to: dataDirectory, sealedWith: unlockKey)
            try (node?.transport ?? workerTransport)?.renew(fresh)
            self.tls = fresh
            let expiry = (try? NodeCertificate(parsing: fresh.certificateChainPEM)).map { "\($0.notAfter)" } ?? "?"
            logger.notice("renewed this node's certificate", metadata: ["expires": "\(expiry)"])
        } catch {
            logger.info("could not renew this node's certificate yet", metadata: ["error": "\(error)"])
            certificateRenewal = (tls.certificateChainPEM, now.addingTimeInterval(10))
        }
    }

    /// A worker's call to the managers it knows, in turn, until one answers.
    func callKnownManagers<Body: Encodable & Sendable, Answer: Decodable>(_ transport: ClusterTransport, _ method: String,
                                                               _ path: String, body: Body) async throws -> Answer {
        var lastError: any Error = DockerAPIError(.serviceUnavailable, "no manager is known")
        for address in workerManagers {
            do {
                return try await Self.call(transport, address, method, path, body: body)
            } catch {
                lastError = error
            }
        }
        throw lastError
    }
}
