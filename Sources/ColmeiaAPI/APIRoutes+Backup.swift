import ColmeiaCluster
import ColmeiaBackup
import ColmeiaModel
import ColmeiaStore
import HTTPTypes
import Hummingbird
import NIOCore

extension APIRoutes {
    static let backupPassphraseHeader = HTTPField.Name("X-Colmeia-Backup-Passphrase")!

    /// `GET /colmeia/v1/backup`: an online backup of this manager's log, streamed as it is
    /// written (the manifest comes last). Writes go on meanwhile; the backup holds
    /// everything committed when the request arrived (with `?follow=N`, once index N is).
    /// Admins only: it carries every secret, encrypted under the passphrase.
    func addBackupRoutes(to router: Router<APIRequestContext>) {
        router.get("/colmeia/v1/backup") { request, context -> Response in
            var through: UInt64?
            if let follow = request.uri.queryParameters.get("follow"), !follow.isEmpty {
                guard let index = UInt64(follow) else {
                    throw DockerAPIError.badRequest("invalid value for follow: \(follow) (a log index)")
                }
                through = index
            }
            let source = try await self.manager.backupSource(passphrase: request.headers[Self.backupPassphraseHeader], through: through)
            var headers = HTTPFields()
            headers[.contentType] = "application/vnd.colmeia.backup"
            headers[HTTPField.Name("X-Colmeia-Backup-First-Index")!] = String(source.export.baseIndex)
            headers[HTTPField.Name("X-Colmeia-Backup-Last-Index")!] = String(source.export.lastIndex)
            headers[.contentDisposition] = "attachment; filename=\"colmeia-\(source.clusterID.prefix(12))-\(source.export.lastIndex).cbk\""
            // Made on an idle-priority thread: the swarm's writes keep the CPU.
            let producer = IdleProducer { emit in
                var buffered: [UInt8] = []
                buffered.reserveCapacity(1 << 20)
                _ = try BackupWriter.write(
                    source.export, clusterID: source.clusterID, colmeiaVersion: ColmeiaVersion.engine,
                    schemaVersion: ClusterStore.schemaVersion, passphrase: source.passphrase, sealedWith: source.sealedWith
                ) { bytes in
                    buffered += bytes
                    if buffered.count >= 1 << 20 {
                        try emit(buffered)
                        buffered.removeAll(keepingCapacity: true)
                    }
                }
                if !buffered.isEmpty { try emit(buffered) }
            }
            let envelope = CommandFactory.envelope(for: request, context: context)
            let manager = self.manager
            let body = ResponseBody { writer in
                var record = BackupRecord(file: "download", scheduled: false, firstIndex: source.export.baseIndex,
                                          lastIndex: source.export.lastIndex, bytes: 0)
                do {
                    for try await bytes in producer.chunks {
                        try await writer.write(ByteBuffer(bytes: bytes))
                        record.bytes += UInt64(bytes.count)
                        producer.consumed()
                    }
                    try await writer.finish(nil)
                } catch {
                    record.error = "\(error)"
                    await manager.recordBackup(record, envelope: envelope)
                    throw error
                }
                await manager.recordBackup(record, envelope: envelope)
            }
            return Response(status: .ok, headers: headers, body: body)
        }
    }
}
