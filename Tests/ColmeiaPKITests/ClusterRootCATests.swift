import Foundation
import Testing
import X509
@testable import ColmeiaPKI

@Suite struct ClusterRootCATests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func createdRootIsASelfSignedP256SwarmCA() throws {
        let ca = try ClusterRootCA.create(clusterID: "cluster1", now: now)
        #expect(ca.canSign)
        #expect(ca.certificate.subject.description == "CN=swarm-ca,O=cluster1")
        #expect(ca.certificate.issuer == ca.certificate.subject)
        #expect(ca.certificate.signatureAlgorithm == .ecdsaWithSHA256)
        #expect(ca.certificate.notValidBefore == now - ClusterRootCA.backdate)
        #expect(ca.certificate.notValidAfter == now + 630_720_000)
        #expect(try ca.certificate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: nil))
        #expect(ca.digest.count == 32)
        #expect(ca.digestString.hasPrefix("sha256:") && ca.digestString.count == 7 + 64)
    }

    @Test func digestIsStableAcrossAPEMRoundTrip() throws {
        let ca = try ClusterRootCA.create(clusterID: "cluster1", now: now)
        let keyPEM = try #require(ca.keyPEM)
        let reread = try ClusterRootCA(certificatePEM: ca.certificatePEM, keyPEM: keyPEM)
        #expect(reread.digest == ca.digest)
        #expect(reread.certificate == ca.certificate)
        #expect(reread.canSign)
        // Line endings and surrounding text do not change the digest: it is over the DER.
        let crlf = ca.certificatePEM.replacingOccurrences(of: "\n", with: "\r\n")
        let trustOnly = try ClusterRootCA(certificatePEM: "\n\n" + crlf, keyPEM: nil)
        #expect(trustOnly.digest == ca.digest)
        #expect(!trustOnly.canSign)
        #expect(!ca.withoutKey.canSign && ca.withoutKey.keyPEM == nil)
        #expect(try ClusterRootCA.create(clusterID: "cluster1", now: now).digest != ca.digest)
    }

    @Test func refusesAKeyOfAnotherRootAndANonCACertificate() throws {
        let ca = try ClusterRootCA.create(clusterID: "c", now: now)
        let other = try ClusterRootCA.create(clusterID: "c", now: now)
        #expect(throws: PKIError.keyMismatch(reason: "the key is not the root CA certificate's key")) {
            try ClusterRootCA(certificatePEM: ca.certificatePEM, keyPEM: other.keyPEM)
        }
        let leafPEM = try ca.issue(
            csrPEM: NodeKeyPair().certificateSigningRequestPEM(), nodeID: "n1", role: .worker, clusterID: "c", now: now)
        #expect(throws: PKIError.invalidRootCertificate(reason: "it is not a CA certificate")) {
            try ClusterRootCA(certificatePEM: leafPEM, keyPEM: nil)
        }
        #expect(throws: PKIError.self) { try ClusterRootCA(certificatePEM: "not pem", keyPEM: nil) }
    }

    @Test func aNodeWithoutTheKeyCannotSign() throws {
        let ca = try ClusterRootCA.create(clusterID: "c", now: now).withoutKey
        #expect(throws: PKIError.caKeyUnavailable) {
            try ca.issue(csrPEM: NodeKeyPair().certificateSigningRequestPEM(), nodeID: "n", role: .worker, clusterID: "c", now: now)
        }
    }

    @Test func pinningByTokenAcceptsOnlyTheTokensRoot() throws {
        let ca = try ClusterRootCA.create(clusterID: "c", now: now)
        let other = try ClusterRootCA.create(clusterID: "c", now: now)
        var rng = SeededGenerator(seed: 7)
        let token = JoinToken.generate(rootCA: ca.digest, using: &rng)
        #expect(try ClusterRootCA.pinned(certificatePEM: ca.certificatePEM, by: token).digest == ca.digest)
        let error = #expect(throws: PKIError.self) {
            try ClusterRootCA.pinned(certificatePEM: other.certificatePEM, by: token)
        }
        #expect(error?.description == "remote CA does not match fingerprint. Expected: \(ClusterRootCA.hex(ca.digest))")
        // A bundle cannot smuggle an unpinned root in beside the pinned one.
        #expect(throws: PKIError.self) {
            try ClusterRootCA.pinned(certificatePEM: ca.certificatePEM + other.certificatePEM, by: token)
        }
    }
}
