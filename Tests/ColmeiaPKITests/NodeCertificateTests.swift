import Foundation
import Testing
import X509
@testable import ColmeiaPKI

@Suite struct NodeCertificateTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let day: TimeInterval = 24 * 3600

    @Test func issuedWorkerCertificateCarriesNodeRoleAndCluster() async throws {
        let ca = try ClusterRootCA.create(clusterID: "cluster1", now: now)
        let key = NodeKeyPair()
        let pem = try ca.issue(
            csrPEM: key.certificateSigningRequestPEM(), nodeID: "node1", role: .worker, clusterID: "cluster1", now: now)
        let certificate = try NodeCertificate(parsing: pem)
        #expect(certificate.nodeID == "node1")
        #expect(certificate.role == .worker)
        #expect(certificate.clusterID == "cluster1")
        #expect(certificate.intermediates.isEmpty)
        #expect(certificate.certificate.subject.description == "CN=node1,OU=swarm-worker,O=cluster1")
        #expect(certificate.notBefore == now - 3600)
        #expect(certificate.notAfter == now + 90 * day)
        #expect(key.isKey(of: certificate))
        #expect(!NodeKeyPair().isKey(of: certificate))
        let extensions = certificate.certificate.extensions
        #expect(try extensions.subjectAlternativeNames == SubjectAlternativeNames([.dnsName("swarm-worker"), .dnsName("node1")]))
        #expect(try extensions.extendedKeyUsage == ExtendedKeyUsage([.serverAuth, .clientAuth]))
        #expect(try extensions.basicConstraints == .notCertificateAuthority)
        #expect(try extensions.authorityKeyIdentifier?.keyIdentifier == ca.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
        try await certificate.verify(against: [ca], now: now)
    }

    @Test func managerCertificatesAlsoNameTheCA() throws {
        let ca = try ClusterRootCA.create(clusterID: "c", now: now)
        let pem = try ca.issue(
            csrPEM: NodeKeyPair().certificateSigningRequestPEM(), nodeID: "m1", role: .manager, clusterID: "c", now: now,
            validity: 10 * day)
        let certificate = try NodeCertificate(parsing: pem)
        #expect(certificate.role == .manager)
        #expect(certificate.notAfter == now + 10 * day)
        #expect(
            try certificate.certificate.extensions.subjectAlternativeNames
                == SubjectAlternativeNames([.dnsName("swarm-manager"), .dnsName("m1"), .dnsName("swarm-ca")]))
    }

    @Test func aValidityBelowAnHourFallsBackToTheDefault() throws {
        let ca = try ClusterRootCA.create(clusterID: "c", now: now)
        let pem = try ca.issue(
            csrPEM: NodeKeyPair().certificateSigningRequestPEM(), nodeID: "n", role: .worker, clusterID: "c", now: now,
            validity: 60)
        #expect(try NodeCertificate(parsing: pem).notAfter == now + 90 * day)
    }

    @Test func aKeyRoundTripsThroughPEM() throws {
        let key = NodeKeyPair()
        let reread = try NodeKeyPair(privateKeyPEM: key.privateKeyPEM)
        #expect(reread.privateKeyPEM == key.privateKeyPEM)
        #expect(throws: PKIError.self) { try NodeKeyPair(privateKeyPEM: "garbage") }
    }

    @Test func aCertificateFromAnotherCAIsUntrusted() async throws {
        let ca = try ClusterRootCA.create(clusterID: "c", now: now)
        let other = try ClusterRootCA.create(clusterID: "c", now: now)
        let pem = try other.issue(
            csrPEM: NodeKeyPair().certificateSigningRequestPEM(), nodeID: "n", role: .manager, clusterID: "c", now: now)
        let certificate = try NodeCertificate(parsing: pem)
        let error = await #expect(throws: PKIError.self) { try await certificate.verify(against: [ca], now: now) }
        guard case .untrusted = error else {
            Issue.record("expected untrusted, got \(String(describing: error))")
            return
        }
        #expect(error?.description.hasPrefix("certificate is not signed by the cluster's root CA") == true)
        // Trusting both roots accepts it.
        try await certificate.verify(against: [ca, other], now: now)
    }

    @Test func anExpiredCertificateIsRefused() async throws {
        let ca = try ClusterRootCA.create(clusterID: "c", now: now)
        let certificate = try NodeCertificate(parsing: ca.issue(
            csrPEM: NodeKeyPair().certificateSigningRequestPEM(), nodeID: "n", role: .worker, clusterID: "c", now: now))
        try await certificate.verify(against: [ca], now: now + 89 * day)
        let error = await #expect(throws: PKIError.expired) {
            try await certificate.verify(against: [ca], now: now + 91 * day)
        }
        #expect(error?.description == "the certificate has expired")
        await #expect(throws: PKIError.notYetValid) {
            try await certificate.verify(against: [ca], now: now - 2 * 3600)
        }
    }

    @Test func aTamperedOrForeignCSRIsRefused() throws {
        let ca = try ClusterRootCA.create(clusterID: "c", now: now)
        let error = #expect(throws: PKIError.self) {
            try ca.issue(csrPEM: "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n",
                         nodeID: "n", role: .worker, clusterID: "c", now: now)
        }
        #expect(error?.description.hasPrefix("certificate signing request is not valid: ") == true)
        // A CSR whose signature was made by another key.
        let csr = try CertificateSigningRequest(pemEncoded: NodeKeyPair().certificateSigningRequestPEM())
        let forged = try CertificateSigningRequest(pemEncoded: NodeKeyPair().certificateSigningRequestPEM())
        let mixed = try CertificateSigningRequest(
            version: .v1, subject: csr.subject, publicKey: forged.publicKey, attributes: csr.attributes,
            signatureAlgorithm: csr.signatureAlgorithm, signature: csr.signature)
        let mixedError = #expect(throws: PKIError.self) {
            try ca.issue(csrPEM: mixed.serializeAsPEM().pemString, nodeID: "n", role: .worker, clusterID: "c", now: now)
        }
        #expect(mixedError == .invalidCSR(reason: "its signature does not match its public key"))
    }

    @Test func aCertificateWithoutTheNodeLayoutIsRefused() throws {
        let ca = try ClusterRootCA.create(clusterID: "c", now: now)
        // The root itself has no OU.
        #expect(throws: PKIError.self) { try NodeCertificate(parsing: ca.certificatePEM) }
        #expect(throws: PKIError.self) { try NodeCertificate(parsing: "") }
    }

    @Test func renewalFallsBetweenHalfAndEightyPercentOfTheLifetime() throws {
        let ca = try ClusterRootCA.create(clusterID: "c", now: now)
        let certificate = try NodeCertificate(parsing: ca.issue(
            csrPEM: NodeKeyPair().certificateSigningRequestPEM(), nodeID: "n", role: .worker, clusterID: "c", now: now))
        let lifetime = certificate.notAfter.timeIntervalSince(certificate.notBefore)
        let window = certificate.renewalWindow
        #expect(window.lowerBound == certificate.notBefore + lifetime / 2)
        #expect(window.upperBound == certificate.notBefore + lifetime * 0.8)
        var rng = SeededGenerator(seed: 11)
        var times: Set<Date> = []
        for _ in 0..<200 {
            let time = certificate.renewalTime(using: &rng)
            #expect(window.contains(time))
            times.insert(time)
        }
        #expect(times.count > 150) // spread out, not one point
        var a = SeededGenerator(seed: 5)
        var b = SeededGenerator(seed: 5)
        #expect(certificate.renewalTime(using: &a) == certificate.renewalTime(using: &b))
        #expect(!certificate.needsRenewal(now: window.lowerBound - 1, using: &rng))
        #expect(certificate.needsRenewal(now: window.upperBound, using: &rng))
        #expect(certificate.needsRenewal(now: now + 91 * day, using: &rng))
    }
}
