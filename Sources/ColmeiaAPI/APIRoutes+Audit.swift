import ColmeiaCluster
import ColmeiaModel
import ColmeiaStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix
import ServiceLifecycle

extension APIRoutes {
    /// The chain as `GET /colmeia/v1/audit/verify` found it.
    struct AuditVerifyResponse: Codable {
        struct Position: Codable {
            var Index: UInt64
            var Ordinal: Int
        }

        var Valid: Bool
        var Records: Int64
        var ArchivedRecords: Int64
        var Segments: Int
        var DroppedRecords: Int64
        var Head: Position
        var HeadHash: String
        var Broken: Position?
        var Reason: String?
    }

    /// The last line of an export: what the records chain up to.
    struct AuditExportHead: Codable {
        var ClusterID: String
        var Index: UInt64
        var Ordinal: Int
        var HeadHash: String
        var Records: Int64
        /// The hash before the first exported record (zeros when the export starts at the
        /// beginning of the trail).
        var PreviousHash: String
    }

    func addAuditRoutes(to router: Router<APIRequestContext>) {
        router.get("/colmeia/v1/audit") { request, _ -> Response in
            let store = try await self.store()
            let parameters = try AuditQueryParameters(request, store: store)
            if parameters.follow { return try Self.followAudit(parameters.query, store: store) }
            let page = try store.auditRecords(parameters.query)
            // {"Next": cursor (absent on the last page), "Records": [...]}
            var body = "{"
            if let next = page.next { body += "\"Next\":\"" + AuditQueryParameters.text(next) + "\"," }
            body += "\"Records\":["
            for (offset, record) in page.records.enumerated() {
                if offset > 0 { body += "," }
                AuditRecordResponse.json(record, into: &body)
            }
            body += "]}"
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            var response = Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
            // How long the whole trail is, and where it ends (for a client that pages or polls).
            let chain = try store.auditChainState()
            response.headers[HTTPField.Name("X-Colmeia-Audit-Records")!] = String(chain.headCount)
            response.headers[HTTPField.Name("X-Colmeia-Audit-Head")!] = String(chain.headIndex)
            return response
        }
        router.get("/colmeia/v1/audit/verify") { _, _ -> Response in
            let store = try await self.store()
            // Seconds on a long trail: off the cooperative pool, which serves every request.
            let result = try await NIOThreadPool.singleton.runIfActive { try store.verifyAuditTrail() }
            return try JSONResponse.encode(AuditVerifyResponse(
                Valid: result.isValid, Records: result.records, ArchivedRecords: result.archivedRecords, Segments: result.segments,
                DroppedRecords: result.droppedRecords, Head: .init(Index: result.headIndex, Ordinal: result.headOrdinal),
                HeadHash: AuditChain.hex(result.headHash),
                Broken: result.broken.map { .init(Index: $0.index, Ordinal: $0.ordinal) }, Reason: result.reason))
        }
        router.get("/colmeia/v1/audit/export") { _, _ -> Response in
            try await self.exportAudit()
        }
    }

    /// `follow=true`: the matching records from the query's start (none when it names no
    /// start), then each new one within moments of its apply, as NDJSON, oldest first.
    private static func followAudit(_ query: AuditQuery, store: ClusterStore) throws -> Response {
        let start = store.applied.index
        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson"
        let body = ResponseBody { writer in
            var replay = query
            replay.limit = 500
            if query.after != nil || query.since != nil || query.fromIndex != nil {
                replay.toIndex = min(query.toIndex ?? start, start)
                while true {
                    let page = try store.auditRecords(replay)
                    for record in page.records { try await writer.write(ByteBuffer(data: AuditRecordResponse.line(record))) }
                    guard let next = page.next else { break }
                    replay.after = next
                }
            }
            if let end = query.toIndex, end <= start {
                try await writer.finish(nil)
                return
            }
            // Pulled from the change feed at the client's pace: a slow client holds back only
            // its own reads. A stream nobody ends ends when the daemon's shutdown begins.
            follow: for try await batch in store.changes(after: start).cancelOnGracefulShutdown() {
                if let end = query.toIndex, batch.index > end { break follow }
                for record in batch.records where query.matches(record) {
                    try await writer.write(ByteBuffer(data: AuditRecordResponse.line(record)))
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The whole trail (archive included) as NDJSON, oldest first, each record with its
    /// canonical bytes, then the head it chains to: `colmeia audit verify --file` checks it
    /// without a cluster.
    private func exportAudit() async throws -> Response {
        let store = try await self.store()
        let clusterID = (try? store.list(Swarm.self).first?.id) ?? ""
        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson"
        headers[.contentDisposition] = "attachment; filename=\"colmeia-audit-\(clusterID.prefix(12)).ndjson\""
        let body = ResponseBody { writer in
            var query = AuditQuery(limit: 1_000)
            let chain = try store.auditChainState()
            var first = true
            var previousHash = AuditChain.hex(AuditChain.genesis)
            var count: Int64 = 0
            var last: AuditRecord?
            query.toIndex = chain.headIndex
            while true {
                let page = try store.auditRecords(query)
                var chunk = Data()
                for record in page.records {
                    if first {
                        first = false
                        // The records before it were dropped: the export starts from their hash.
                        if chain.archivedCount > 0, let segment = try store.archive.firstSegment(), segment.firstIndex == record.index {
                            previousHash = segment.previousHash
                        } else if chain.archivedCount > 0, record.index > chain.archivedIndex {
                            previousHash = AuditChain.hex(chain.archivedHash)
                        }
                    }
                    chunk += AuditExportLine.line(record)
                    count += 1
                    last = record
                }
                if !chunk.isEmpty { try await writer.write(ByteBuffer(data: chunk)) }
                guard let next = page.next else { break }
                query.after = next
            }
            let head = AuditExportHead(ClusterID: clusterID, Index: last?.index ?? 0, Ordinal: last?.ordinal ?? -1,
                                       HeadHash: AuditChain.hex(last?.hash ?? AuditChain.genesis), Records: count,
                                       PreviousHash: previousHash)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            var line = try encoder.encode(["Head": head])
            line.append(0x0A)
            try await writer.write(ByteBuffer(data: line))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}

/// An exported record: `{"Canonical": base64 of the canonical bytes its hash covers,
/// "Record": the API's record}`.
enum AuditExportLine {
    static func line(_ record: AuditRecord) -> Data {
        var out = "{\"Canonical\":\"" + Data(AuditChain.canonicalBytes(record)).base64EncodedString() + "\",\"Record\":"
        AuditRecordResponse.json(record, into: &out)
        out += "}\n"
        return Data(out.utf8)
    }
}
