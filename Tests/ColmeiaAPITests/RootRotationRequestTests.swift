import ColmeiaModel
import ColmeiaPKI
import Foundation
import Testing
@testable import ColmeiaAPI
@testable import ColmeiaCluster

/// What `POST /swarm/update` does with `CAConfig`: `docker swarm ca --rotate` and its
/// `--ca-cert`/`--ca-key` form.
@Suite struct RootRotationRequestTests {
    func swarm() throws -> Swarm {
        let root = try ClusterPKI.createRootCA(clusterID: "cluster")
        return Swarm(id: "cluster", tlsInfo: TLSInfo(trustRoot: root.certificatePEM), rootCAKey: root.keyPEM)
    }

    @Test func aNewForceRotateStartsARotationWhoseRootTheCurrentOneCrossSigned() async throws {
        let current = try swarm()
        var spec = current.spec
        spec.caConfig.forceRotate += 1
        let rotating = try ClusterManager.applyingCAConfig(of: spec, to: current)
        let rotation = try #require(rotating.rootRotation)
        #expect(rotating.rootRotationInProgress)
        #expect(rotating.tlsInfo == current.tlsInfo, "the current root stays the cluster's until every node moved")
        #expect(rotating.spec.caConfig.forceRotate == 1)

        // New certificates come from the new root, and nodes trusting only the old root accept them.
        let signer = try ClusterManager.signingRoot(of: rotating)
        #expect(signer.certificatePEM == rotation.caCertificate)
        let leaf = try NodeCertificate(parsing: ClusterPKI.issue(
            csrPEM: ClusterPKI.makeKeyAndCSR().csrPEM, by: signer, nodeID: "n", role: "worker", clusterID: "cluster", expiry: 0))
        try await leaf.verify(against: [ClusterRootCA(certificatePEM: current.tlsInfo.trustRoot, keyPEM: nil)], now: Date())
        let trust = try ClusterManager.trust(of: rotating)
        #expect(try TrustBundle(pem: trust.trustBundlePEM).roots.count == 2)
        #expect(trust.rotating && trust.signingRootPEM == rotation.caCertificate)

        // The same spec again changes nothing; the API never shows the new key.
        #expect(try ClusterManager.applyingCAConfig(of: spec, to: rotating).rootRotation == rotation)
        #expect(rotating.redactedForAPI().rootRotation == nil)
    }

    @Test func aGivenRootIsUsedAndItsKeyIsNeverKeptInTheSpec() throws {
        let current = try swarm()
        let given = try ClusterPKI.createRootCA(clusterID: "cluster")
        var spec = current.spec
        spec.caConfig.signingCACert = given.certificatePEM
        spec.caConfig.signingCAKey = given.keyPEM
        let rotating = try ClusterManager.applyingCAConfig(of: spec, to: current)
        #expect(rotating.rootRotation?.caCertificate == given.certificatePEM)
        #expect(rotating.spec.caConfig.signingCAKey.isEmpty && rotating.spec.caConfig.signingCACert.isEmpty)

        // Asking for the current root back cancels the rotation.
        var back = rotating.spec
        back.caConfig.signingCACert = current.tlsInfo.trustRoot
        back.caConfig.signingCAKey = try #require(current.rootCAKey)
        let cancelled = try ClusterManager.applyingCAConfig(of: back, to: rotating)
        #expect(cancelled.rootRotation == nil && !cancelled.rootRotationInProgress)
    }

    @Test func aCertificateWithoutItsKeyOrAKeyThatDoesNotFitIsRefused() throws {
        let current = try swarm()
        let given = try ClusterPKI.createRootCA(clusterID: "cluster")
        let other = try ClusterPKI.createRootCA(clusterID: "cluster")
        var spec = current.spec
        spec.caConfig.signingCACert = given.certificatePEM
        #expect(throws: DockerAPIError.self) { try ClusterManager.applyingCAConfig(of: spec, to: current) }
        spec.caConfig.signingCAKey = other.keyPEM
        let error = #expect(throws: DockerAPIError.self) { try ClusterManager.applyingCAConfig(of: spec, to: current) }
        #expect(error?.message.contains("key") == true, "\(String(describing: error))")
    }
}
