import ColmeiaCluster
import ColmeiaNode
import Hummingbird

extension APIRoutes {
    /// `GET /colmeia/v1/trace?after=N`: when this manager's log entries after index N went
    /// through each stage of a write (queued, proposed, received, appended, persisted, sent,
    /// committed, applied, answered), in wall-clock nanoseconds; the newest 4,096 entries are
    /// kept. `colmeia-cluster-bench trace` joins the managers' answers into the trace of one
    /// write. Admin only, as every Colmeia route without a decision of its own.
    func addTraceRoutes(to router: Router<APIRequestContext>) {
        router.get("/colmeia/v1/trace") { request, _ in
            let (node, _) = try await self.manager.active()
            let after: UInt64
            if let text = request.uri.queryParameters["after"] {
                guard let value = UInt64(text) else {
                    throw DockerAPIError(.badRequest, "invalid after \"\(text)\": a log index is expected")
                }
                after = value
            } else {
                after = 0
            }
            return try JSONResponse.encode(node.writeStages.entries(after: after))
        }
    }
}
