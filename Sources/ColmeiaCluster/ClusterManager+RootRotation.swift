import ColmeiaModel
import ColmeiaNode
import ColmeiaPKI
import ColmeiaStore
import Foundation

/// Root CA rotation (`docker swarm ca --rotate`), without downtime, as SwarmKit does it:
///
/// 1. `POST /swarm/update` with a new `CAConfig.ForceRotate` (or a signing CA certificate
///    and key) creates the new root and has the current root cross-sign it
///    (``Swarm/rootRotation``).
/// 2. Every node then trusts both roots, and is issued a certificate by the new root whose
///    chain carries the cross-signed root, so peers that still trust only the old root
///    accept it. Each node reports who issued its certificate (`Description.TLSInfo`).
/// 3. Once every node's certificate comes from the new root, the leader makes it the
///    cluster's root (with new join tokens, which pin it); nodes drop the old root and take
///    certificates without the cross-signed one.
extension ClusterManager {
    // MARK: The cluster's roots

    /// What nodes of `swarm` must trust, and which root signs.
    static func trust(of swarm: Swarm) throws -> ClusterTrust {
        let signing = swarm.rootRotation?.caCertificate ?? swarm.tlsInfo.trustRoot
        let bundle = try TrustBundle(pem: swarm.tlsInfo.trustRoot + "\n" + (swarm.rootRotation?.caCertificate ?? ""))
        return ClusterTrust(trustBundlePEM: bundle.pem, signingRootPEM: signing, rotating: swarm.rootRotation != nil)
    }

    /// The root that issues certificates now, with its key: the new one during a rotation
    /// (its chains carrying the cross-signed root), the cluster's otherwise.
    static func signingRoot(of swarm: Swarm) throws -> ClusterRootCA {
        if let rotation = swarm.rootRotation {
            return try ClusterRootCA(certificatePEM: rotation.caCertificate, keyPEM: rotation.caKey,
                                     intermediatesPEM: rotation.crossSignedCACertificate)
        }
        guard let key = swarm.rootCAKey else { throw DockerAPIError.notManager }
        return try ClusterRootCA(certificatePEM: swarm.tlsInfo.trustRoot, keyPEM: key)
    }

    /// What a node holding the certificate chain `chainPEM` reports as its
    /// `Description.TLSInfo` while it follows `trust`: the roots it trusts and who issued
    /// its certificate. Records made with it at init and join need no report afterwards.
    static func tlsInfo(ofChain chainPEM: String, following trust: ClusterTrust) throws -> TLSInfo {
        let bundle = try TrustBundle(pem: trust.trustBundlePEM)
        return tlsInfo(issuedBy: try CertificateIssuer(of: NodeCertificate(parsing: chainPEM), trusting: bundle), trusting: bundle)
    }

    static func tlsInfo(issuedBy issuer: CertificateIssuer, trusting bundle: TrustBundle) -> TLSInfo {
        TLSInfo(trustRoot: bundle.pem, certIssuerSubject: Data(issuer.subject), certIssuerPublicKey: Data(issuer.publicKey))
    }

    /// `root` as Docker's `TLSInfo` of the cluster.
    static func tlsInfo(of root: ClusterRootCA) throws -> TLSInfo {
        let issuer = try CertificateIssuer(of: root)
        return TLSInfo(trustRoot: root.certificatePEM, certIssuerSubject: Data(issuer.subject),
                       certIssuerPublicKey: Data(issuer.publicKey))
    }

    // MARK: Starting a rotation

    /// `swarm` with the CA part of an update applied: a changed `ForceRotate`, or a signing
    /// CA certificate and key, starts a rotation to a new root (a given root equal to the
    /// current one cancels a rotation under way). The signing key never stays in the spec.
    package static func applyingCAConfig(of requested: SwarmSpec, to swarm: Swarm, now: Date = Date()) throws(DockerAPIError) -> Swarm {
        var updated = swarm
        let givenCertificate = requested.caConfig.signingCACert
        let givenKey = requested.caConfig.signingCAKey
        updated.spec = requested
        updated.spec.caConfig.signingCACert = ""
        updated.spec.caConfig.signingCAKey = ""
        let forced = requested.caConfig.forceRotate != swarm.spec.caConfig.forceRotate
        guard forced || !givenCertificate.isEmpty || !givenKey.isEmpty else { return updated }
        guard givenCertificate.isEmpty == givenKey.isEmpty else {
            throw DockerAPIError(.badRequest, "rpc error: code = InvalidArgument desc = "
                + (givenKey.isEmpty
                    ? "the signing CA key is required with a signing CA certificate: Colmeia has no external CA"
                    : "a signing CA key requires its signing CA certificate"))
        }
        do {
            let current = try ClusterRootCA(certificatePEM: swarm.tlsInfo.trustRoot, keyPEM: swarm.rootCAKey)
            let next = givenCertificate.isEmpty
                ? try ClusterRootCA.create(clusterID: swarm.id, now: now)
                : try ClusterRootCA(certificatePEM: givenCertificate, keyPEM: givenKey)
            if next.digest == current.digest {
                updated.rootRotation = nil
                updated.rootRotationInProgress = false
                return updated
            }
            guard let nextKey = next.keyPEM else { throw PKIError.caKeyUnavailable }
            updated.rootRotation = RootRotation(caCertificate: next.certificatePEM, caKey: nextKey,
                                                crossSignedCACertificate: try current.crossSign(next, now: now))
            updated.rootRotationInProgress = true
            return updated
        } catch let error as DockerAPIError {
            throw error
        } catch {
            throw DockerAPIError(.badRequest, "rpc error: code = InvalidArgument desc = \(error)")
        }
    }

    // MARK: The leader finishing it

    /// Makes the new root the cluster's once every node reports a certificate it issued.
    func finishRootRotationIfDone(_ node: ClusterNode) async {
        guard let swarm = try? node.store.list(Swarm.self).first, let rotation = swarm.rootRotation,
              let nodes = try? node.store.list(Node.self),
              let next = try? ClusterRootCA(certificatePEM: rotation.caCertificate, keyPEM: rotation.caKey),
              let info = try? Self.tlsInfo(of: next)
        else { return }
        guard nodes.allSatisfy({ $0.description.tlsInfo.certIssuerPublicKey == info.certIssuerPublicKey }) else { return }
        var finished = swarm
        finished.tlsInfo = info
        finished.rootCAKey = rotation.caKey
        finished.rootRotation = nil
        finished.rootRotationInProgress = false
        // Join tokens pin the root: the old ones name a root nobody serves any more.
        finished.joinTokens = JoinTokens(worker: ClusterPKI.joinToken(for: next.certificatePEM),
                                         manager: ClusterPKI.joinToken(for: next.certificatePEM))
        let outcome = try? await node.propose(ClusterCommand(
            envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .reconciler, id: "ca-rotation")),
            preconditions: [.objectVersion(kind: .cluster, id: swarm.id, index: swarm.version.index)],
            events: [.clusterUpdated(finished)]))
        if case .applied = outcome {
            logger.notice("root CA rotation finished: every node holds a certificate from the new root",
                          metadata: ["root": "\(next.digestString)"])
        }
    }

    // MARK: Every node following it

    /// Brings this node in line with `trust`: trusts its roots, has a certificate not
    /// issued by the signing root (or still carrying a cross-signed root after the
    /// rotation) renewed at once, and reports who issued its certificate.
    func followTrust(_ trust: ClusterTrust) async {
        guard var tls, let identity, !locked, !initializing,
              let bundle = try? TrustBundle(pem: trust.trustBundlePEM) else { return }
        if (try? TrustBundle(pem: tls.caCertificatePEM).pem) != bundle.pem {
            var updated = tls
            updated.caCertificatePEM = bundle.pem
            do {
                try ClusterCertificates.save(updated, to: dataDirectory, sealedWith: unlockKey)
                try (node?.transport ?? workerTransport)?.renew(updated)
            } catch {
                logger.warning("could not take the cluster's root CAs", metadata: ["error": "\(error)"])
                return
            }
            self.tls = updated
            tls = updated
            logger.notice("now trusting the cluster's root CAs", metadata: [
                "roots": "\(bundle.roots.map(\.digestString).joined(separator: ", "))"])
        }
        guard let certificate = try? NodeCertificate(parsing: tls.certificateChainPEM) else { return }
        let issuer = try? CertificateIssuer(of: certificate, trusting: bundle)
        let signer = (try? ClusterRootCA(certificatePEM: trust.signingRootPEM, keyPEM: nil)).flatMap { try? CertificateIssuer(of: $0) }
        if issuer == nil || issuer != signer || (!trust.rotating && !certificate.intermediates.isEmpty) {
            certificateRenewal = (tls.certificateChainPEM, Date())
        }
        guard let issuer else { return }
        let info = Self.tlsInfo(issuedBy: issuer, trusting: bundle)
        guard reportedTLSInfo != info else { return }
        do {
            if node != nil {
                try await recordTLSInfo(of: identity.nodeID, info)
            } else if let transport = workerTransport {
                let _: DispatcherAck = try await callKnownManagers(transport, "POST", "/node/tls", body: info)
            }
            reportedTLSInfo = info
        } catch {
            logger.info("could not report this node's certificate issuer yet", metadata: ["error": "\(error)"])
        }
    }

    /// What this node should follow: its own store on a manager, the managers' last
    /// answer on a worker.
    func desiredTrust() -> ClusterTrust? {
        guard let node else { return workerTrust }
        guard let swarm = try? node.store.list(Swarm.self).first else { return nil }
        return try? Self.trust(of: swarm)
    }

    /// Records `info` as the TLS state of node `nodeID` (managers answering `POST /node/tls`).
    func recordTLSInfo(of nodeID: String, _ info: TLSInfo) async throws {
        let (node, _) = try active()
        // A heartbeat or a status report may update the node between read and write.
        for _ in 0..<3 {
            var record = try node.store.get(Node.self, nodeID)
            guard record.description.tlsInfo != info else { return }
            record.description.tlsInfo = info
            let outcome = try await node.propose(ClusterCommand(
                envelope: CommandEnvelope(id: UUID().uuidString, time: .now(), actor: .init(kind: .node, id: nodeID)),
                preconditions: [.objectVersion(kind: .node, id: nodeID, index: record.version.index)],
                events: [.nodeUpdated(record)]))
            if case .rejected = outcome { continue }
            return
        }
        throw DockerAPIError(.conflict, "rpc error: code = Unknown desc = update out of sequence")
    }
}
