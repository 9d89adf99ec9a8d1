import ColmeiaCluster
import Foundation
import Hummingbird
import NIOCore

extension APIRoutes {
    /// Probes, open to anyone: `/healthz` (the process answers) and `/readyz` (this node can
    /// do its part: see ``ClusterManager/readiness()``), each a line of text, 503 with the
    /// reason when not ready.
    func addHealthRoutes(to router: Router<APIRequestContext>) {
        router.get("/healthz") { _, _ in
            Self.text("ok\n", status: .ok)
        }
        router.get("/readyz") { _, _ in
            let readiness = await self.manager.readiness()
            return Self.text((readiness.ready ? "ok: " : "not ready: ") + readiness.reason + "\n",
                             status: readiness.ready ? .ok : .serviceUnavailable)
        }
    }

    static func text(_ body: String, status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
