import Foundation
import Testing
import X509
@testable import ColmeiaPKI

@Suite struct RootRotationTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aLeafOfTheNewRootVerifiesAgainstTheOldRootThroughTheCrossSignedIntermediate() async throws {
        let oldRoot = try ClusterRootCA.create(clusterID: "c", now: now)
        let bareNewRoot = try ClusterRootCA.create(clusterID: "c", now: now + 60)
        let later = now + 120

        let crossSignedPEM = try oldRoot.crossSign(bareNewRoot, now: later)
        let crossSigned = try #require(try PEMCertificates.parse(crossSignedPEM, what: "test").first)
        #expect(crossSigned.subject == bareNewRoot.certificate.subject)
        #expect(crossSigned.publicKey == bareNewRoot.certificate.publicKey)
        #expect(crossSigned.notValidAfter == bareNewRoot.certificate.notValidAfter)
        #expect(oldRoot.certificate.publicKey.isValidSignature(crossSigned.signature, for: crossSigned))

        let newRoot = try bareNewRoot.addingIntermediates(crossSignedPEM)
        #expect(newRoot.digest == bareNewRoot.digest)
        #expect(newRoot.intermediatesPEM == crossSignedPEM)
        let pem = try newRoot.issue(
            csrPEM: NodeKeyPair().certificateSigningRequestPEM(), nodeID: "n1", role: .manager, clusterID: "c", now: later)
        let leaf = try NodeCertificate(parsing: pem)
        #expect(leaf.intermediates.count == 1)

        // A node that trusts only the old root, one that trusts only the new, and one that
        // trusts both all accept the leaf.
        try await leaf.verify(against: [oldRoot.withoutKey], now: later)
        try await leaf.verify(against: [newRoot.withoutKey], now: later)
        try await leaf.verify(against: [oldRoot, newRoot], now: later)

        // Without the cross-signed certificate, the old root does not accept it.
        let bare = try NodeCertificate(parsing: bareNewRoot.issue(
            csrPEM: NodeKeyPair().certificateSigningRequestPEM(), nodeID: "n2", role: .worker, clusterID: "c", now: later))
        await #expect(throws: PKIError.self) { try await bare.verify(against: [oldRoot], now: later) }

        // Leaves of the old root still verify against the old root, not against the new one.
        let oldLeaf = try NodeCertificate(parsing: oldRoot.issue(
            csrPEM: NodeKeyPair().certificateSigningRequestPEM(), nodeID: "n3", role: .worker, clusterID: "c", now: later))
        try await oldLeaf.verify(against: [oldRoot], now: later)
        await #expect(throws: PKIError.self) { try await oldLeaf.verify(against: [newRoot], now: later) }
    }

    @Test func theCrossSignedIntermediateSurvivesAPEMRoundTripOfTheNewRoot() throws {
        let oldRoot = try ClusterRootCA.create(clusterID: "c", now: now)
        let newRoot = try oldRoot.crossSign(ClusterRootCA.create(clusterID: "c", now: now), now: now)
        let bareNewRoot = try ClusterRootCA.create(clusterID: "c", now: now)
        let rotating = try bareNewRoot.addingIntermediates(try oldRoot.crossSign(bareNewRoot, now: now))
        let reread = try ClusterRootCA(
            certificatePEM: rotating.certificatePEM, keyPEM: rotating.keyPEM, intermediatesPEM: rotating.intermediatesPEM)
        #expect(reread.intermediatesPEM == rotating.intermediatesPEM)
        // An intermediate that does not carry the root's key is refused.
        #expect(throws: PKIError.self) {
            try ClusterRootCA(certificatePEM: bareNewRoot.certificatePEM, keyPEM: nil, intermediatesPEM: newRoot)
        }
    }

    @Test func crossSigningNeedsTheOldKey() throws {
        let oldRoot = try ClusterRootCA.create(clusterID: "c", now: now).withoutKey
        let newRoot = try ClusterRootCA.create(clusterID: "c", now: now)
        #expect(throws: PKIError.caKeyUnavailable) { try oldRoot.crossSign(newRoot, now: now) }
    }
}
