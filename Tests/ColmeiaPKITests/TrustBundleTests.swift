import Foundation
import Testing
import X509
@testable import ColmeiaPKI

/// The roots a node trusts through a rotation, and the issuer it reports.
@Suite struct TrustBundleTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// DER of every certificate of a PEM chain, as a TLS peer would present it.
    func der(_ pem: String) throws -> [[UInt8]] {
        try PEMCertificates.parse(pem, what: "test").map { try PEMCertificates.der($0) }
    }

    @Test func bothRootsAreTrustedDuringARotationAndOnlyTheNewOneAfter() async throws {
        let oldRoot = try ClusterRootCA.create(clusterID: "c", now: now)
        let bareNewRoot = try ClusterRootCA.create(clusterID: "c", now: now)
        let newRoot = try bareNewRoot.addingIntermediates(try oldRoot.crossSign(bareNewRoot, now: now))
        let csr = { try NodeKeyPair().certificateSigningRequestPEM() }
        let oldLeaf = try oldRoot.issue(csrPEM: csr(), nodeID: "a", role: .worker, clusterID: "c", now: now)
        let rotatingLeaf = try newRoot.issue(csrPEM: csr(), nodeID: "b", role: .worker, clusterID: "c", now: now)
        let newLeaf = try bareNewRoot.issue(csrPEM: csr(), nodeID: "c", role: .worker, clusterID: "c", now: now)

        let before = try TrustBundle(pem: oldRoot.certificatePEM)
        let during = try TrustBundle(pem: oldRoot.certificatePEM + bareNewRoot.certificatePEM)
        let after = try TrustBundle(pem: bareNewRoot.certificatePEM)
        #expect(during.roots.count == 2)
        #expect(try TrustBundle(pem: during.pem).pem == during.pem)

        // Before: old leaves, and new leaves carrying the cross-signed root.
        #expect(await before.accepts(chainDER: try der(oldLeaf), now: now))
        #expect(await before.accepts(chainDER: try der(rotatingLeaf), now: now))
        #expect(await !before.accepts(chainDER: try der(newLeaf), now: now))
        // During: everything.
        for leaf in [oldLeaf, rotatingLeaf, newLeaf] {
            #expect(await during.accepts(chainDER: try der(leaf), now: now))
        }
        // After: only the new root's leaves, with or without the cross-signed root.
        #expect(await !after.accepts(chainDER: try der(oldLeaf), now: now))
        #expect(await after.accepts(chainDER: try der(rotatingLeaf), now: now))
        #expect(await after.accepts(chainDER: try der(newLeaf), now: now))
        // Nothing, garbage or an expired leaf is refused.
        #expect(await !during.accepts(chainDER: [], now: now))
        #expect(await !during.accepts(chainDER: [[0x30, 0x00]], now: now))
        #expect(await !during.accepts(chainDER: try der(newLeaf), now: now + 365 * 86400))
    }

    @Test func theIssuerIsTheRootWhoseKeySignedTheLeaf() throws {
        let oldRoot = try ClusterRootCA.create(clusterID: "c", now: now)
        let bareNewRoot = try ClusterRootCA.create(clusterID: "c", now: now)
        let newRoot = try bareNewRoot.addingIntermediates(try oldRoot.crossSign(bareNewRoot, now: now))
        let both = try TrustBundle(pem: oldRoot.certificatePEM + bareNewRoot.certificatePEM)
        let csr = try NodeKeyPair().certificateSigningRequestPEM()
        let oldLeaf = try NodeCertificate(parsing: oldRoot.issue(csrPEM: csr, nodeID: "a", role: .worker, clusterID: "c", now: now))
        let newLeaf = try NodeCertificate(parsing: newRoot.issue(csrPEM: csr, nodeID: "a", role: .worker, clusterID: "c", now: now))

        // Both roots have the same name: the key tells them apart.
        #expect(try CertificateIssuer(of: oldLeaf, trusting: both) == CertificateIssuer(of: oldRoot))
        #expect(try CertificateIssuer(of: newLeaf, trusting: both) == CertificateIssuer(of: bareNewRoot))
        #expect(try CertificateIssuer(of: oldRoot).subject == CertificateIssuer(of: bareNewRoot).subject)
        #expect(try CertificateIssuer(of: oldRoot).publicKey != CertificateIssuer(of: bareNewRoot).publicKey)
        // A leaf of a root nobody trusts has no issuer to report.
        let stranger = try ClusterRootCA.create(clusterID: "c", now: now)
        let strangerLeaf = try NodeCertificate(parsing: stranger.issue(csrPEM: csr, nodeID: "a", role: .worker, clusterID: "c", now: now))
        #expect(throws: PKIError.self) { try CertificateIssuer(of: strangerLeaf, trusting: both) }
    }

    @Test func aBundleHoldsOnlyRoots() throws {
        let root = try ClusterRootCA.create(clusterID: "c", now: now)
        let leaf = try root.issue(csrPEM: NodeKeyPair().certificateSigningRequestPEM(), nodeID: "a", role: .worker, clusterID: "c", now: now)
        #expect(throws: PKIError.self) { try TrustBundle(pem: leaf) }
        #expect(throws: PKIError.self) { try TrustBundle(pem: "") }
    }
}
