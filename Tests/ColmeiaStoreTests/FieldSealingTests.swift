import ColmeiaModel
import Foundation
import GRDB
import Testing
@testable import ColmeiaStore

/// state.db on disk: secret fields sealed under the manager's data key, everything a
/// reader gets unchanged, snapshots portable between managers with different keys.
@Suite struct FieldSealingTests {
    static let secretData = "hunter2-the-database-password"
    static let registryAuth = "eyJ1c2VybmFtZSI6InJvYm90IiwicGFzc3dvcmQiOiJzM2NyM3QifQ"
    static let caKey = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIroot-ca-key\n-----END EC PRIVATE KEY-----"
    static let unlockKey = "SWMKEY-1-unlock-key-material"
    static let workerToken = "SWMTKN-1-worker-join-token"
    static let hookSecret = "webhook-hmac-shared-secret"

    static func sealer() throws -> FieldSealer {
        try FieldSealer(dataKey: (0..<32).map { _ in UInt8.random(in: 0...255) })
    }

    /// A log whose objects carry every kind of secret material the store seals.
    static func secretLog() -> [ClusterCommand] {
        var factory = CommandFactory()
        var log = factory.sampleLog()
        log.append(ClusterCommand(envelope: factory.envelope(), events: [.secretCreated(Secret(
            id: "sec9", spec: SecretSpec(name: "api-token", data: Data(secretData.utf8))))]))
        var private1 = CommandFactory.service("svc9", name: "private", image: "registry.example:5000/ns/app:1")
        private1.spec.taskTemplate.containerSpec?.pullOptions = .init(registryAuth: registryAuth)
        log.append(factory.createService(private1))
        var task = CommandFactory.task("task9", service: "svc9", slot: 1)
        task.spec.containerSpec?.pullOptions = .init(registryAuth: registryAuth)
        log.append(ClusterCommand(envelope: factory.envelope(), events: [.taskCreated(task)]))
        log.append(ClusterCommand(envelope: factory.envelope(), events: [
            .taskStatusChanged(taskID: "task9", status: TaskStatus(state: .running)),
        ]))
        log.append(ClusterCommand(envelope: factory.envelope(), events: [.clusterCreated(Swarm(
            id: "swarm1", joinTokens: JoinTokens(worker: workerToken, manager: "SWMTKN-1-manager-join-token"),
            rootCAKey: caKey, unlockKey: unlockKey))]))
        log.append(ClusterCommand(envelope: factory.envelope(), events: [.webhookCreated(Webhook(
            id: "hook1", spec: WebhookSpec(name: "deploy-web", service: "svc9"), secret: hookSecret))]))
        return log
    }

    static func apply(_ log: [ClusterCommand], to store: ClusterStore) throws {
        for (offset, command) in log.enumerated() {
            _ = try store.apply(command, index: UInt64(offset + 1), term: 1)
        }
    }

    /// Every byte of the database's files, after a checkpoint.
    static func fileBytes(_ store: ClusterStore) throws -> Data {
        try store.pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        var bytes = Data()
        for suffix in ["", "-wal"] {
            if let data = FileManager.default.contents(atPath: store.path + suffix) { bytes.append(data) }
        }
        return bytes
    }

    static var secrets: [String] {
        [secretData, Data(secretData.utf8).base64EncodedString(), registryAuth, caKey, unlockKey, workerToken, hookSecret]
    }

    @Test("no secret, registry credential, CA or unlock key, join token or webhook secret is in state.db's bytes, and every read returns them")
    func secretsAreSealedAtRest() throws {
        let path = temporaryPath()
        defer { removeStore(path) }
        let store = try ClusterStore(path: path, sealer: try Self.sealer())
        try Self.apply(Self.secretLog(), to: store)
        let bytes = try Self.fileBytes(store)
        #expect(bytes.count > 4096)
        for secret in Self.secrets {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "state.db holds \(secret) in the clear")
        }
        #expect(bytes.range(of: Data(FieldSealer.marker.utf8)) != nil, "the fields are there, sealed")

        #expect(try store.get(Secret.self, "api-token").spec.data == Data(Self.secretData.utf8))
        #expect(try store.get(Service.self, "private").spec.taskTemplate.containerSpec?.pullOptions?.registryAuth == Self.registryAuth)
        let task = try store.get(SwarmTask.self, "task9")
        #expect(task.spec.containerSpec?.pullOptions?.registryAuth == Self.registryAuth)
        #expect(task.status.state == .running)
        let swarm = try store.get(Swarm.self, "swarm1")
        #expect(swarm.rootCAKey == Self.caKey && swarm.unlockKey == Self.unlockKey && swarm.joinTokens.worker == Self.workerToken)
        #expect(try store.get(Webhook.self, "hook1").secret == Self.hookSecret)
        #expect(try store.listJSON(.secret).joined().contains(Data(Self.secretData.utf8).base64EncodedString()))
        #expect(!(try store.listAPIJSON(.service).joined().contains(FieldSealer.marker)), "the API's lists show no sealed text")
        // The audit chain, which covers the redacted copies, still verifies; a read as of an
        // index before the webhook sees the credentials the service had.
        #expect(try store.verifyAuditTrail().isValid)
        let before = try store.asOf(index: store.applied.index - 1, kinds: [.service])
        #expect(try before.get(Service.self, "private").spec.taskTemplate.containerSpec?.pullOptions?.registryAuth == Self.registryAuth)
    }

    @Test("a store sealed with another key is refused as corrupt, set aside, and reopened empty for a rebuild")
    func anotherKeyIsRefused() throws {
        let path = temporaryPath()
        defer { removeStore(path) }
        let sealer = try Self.sealer()
        do {
            let store = try ClusterStore(path: path, sealer: sealer)
            try Self.apply(Self.secretLog(), to: store)
        }
        // The same key: the store reopens where it was, with nothing to replay.
        let again = try ClusterStore(path: path, sealer: sealer)
        #expect(again.applied.index == UInt64(Self.secretLog().count))
        #expect(try again.get(Secret.self, "api-token").spec.data == Data(Self.secretData.utf8))

        #expect(throws: StoreError.self) { _ = try ClusterStore(path: path, sealer: try Self.sealer()) }
        #expect(throws: StoreError.self) { _ = try ClusterStore(path: path) }
        let (fresh, aside) = try ClusterStore.openSettingAsideCorruption(path: path, archiveDirectory: nil, sealer: try Self.sealer())
        #expect(aside != nil)
        #expect(fresh.applied.index == 0)
    }

    @Test("a snapshot of a sealed store restores under another manager's key, and its secrets are sealed there too")
    func snapshotsMoveBetweenKeys() throws {
        let sourcePath = temporaryPath()
        let targetPath = temporaryPath()
        let clearPath = temporaryPath()
        defer {
            removeStore(sourcePath)
            removeStore(targetPath)
            removeStore(clearPath)
        }
        let source = try ClusterStore(path: sourcePath, sealer: try Self.sealer())
        try Self.apply(Self.secretLog(), to: source)
        let image = try source.snapshotData()

        let target = try ClusterStore(path: targetPath, sealer: try Self.sealer())
        try target.restore(snapshotData: image)
        #expect(try dump(target) == dump(source))
        #expect(try target.get(Secret.self, "api-token").spec.data == Data(Self.secretData.utf8))
        let bytes = try Self.fileBytes(target)
        for secret in Self.secrets {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "the restored state.db holds \(secret) in the clear")
        }
        // A manager without a data key (an unencrypted log) restores it in the clear.
        let clear = try ClusterStore(path: clearPath)
        try clear.restore(snapshotData: image)
        #expect(try dump(clear) == dump(source))
        // Both keep applying the log where the snapshot ends.
        var factory = CommandFactory(clock: 1_800_000_000)
        let next = source.applied.index + 1
        let command = ClusterCommand(envelope: factory.envelope(), events: [.secretCreated(Secret(
            id: "sec10", spec: SecretSpec(name: "late", data: Data("late-secret".utf8))))])
        for store in [source, target, clear] { #expect(try store.apply(command, index: next, term: 1) == .applied(index: next)) }
        #expect(try dump(target) == dump(source))
    }

    @Test("a store written in the clear is sealed when a manager with a key opens it")
    func clearStoreIsSealedAtOpen() throws {
        let path = temporaryPath()
        defer { removeStore(path) }
        do {
            let store = try ClusterStore(path: path)
            try Self.apply(Self.secretLog(), to: store)
            #expect(try Self.fileBytes(store).range(of: Data(Self.registryAuth.utf8)) != nil)
        }
        let sealed = try ClusterStore(path: path, sealer: try Self.sealer())
        let bytes = try Self.fileBytes(sealed)
        for secret in Self.secrets {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "state.db still holds \(secret) in the clear")
        }
        #expect(try sealed.get(Service.self, "private").spec.taskTemplate.containerSpec?.pullOptions?.registryAuth == Self.registryAuth)
        #expect(try sealed.verifyAuditTrail().isValid)
    }
}
