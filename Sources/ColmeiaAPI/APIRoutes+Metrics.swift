import ColmeiaCluster
import Hummingbird
import NIOCore
import Prometheus

extension APIRoutes {
    /// `GET /metrics`: every instrument of this node in the Prometheus text format.
    func addMetricsRoutes(to router: Router<APIRequestContext>) {
        router.get("/metrics") { _, _ in
            guard let metrics = self.metrics else {
                throw DockerAPIError(.notFound, "this daemon keeps no metrics")
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: metrics.emitToBuffer())))
        }
    }

    /// The router of a `--metrics-addr` listener: `/metrics`, `/healthz` and `/readyz`,
    /// open, as dockerd's metrics address is (it shows no object, only counts).
    public func metricsResponder() -> some HTTPResponder<APIRequestContext> {
        let router = Router(context: APIRequestContext.self)
        router.middlewares.add(ErrorMiddleware())
        addMetricsRoutes(to: router)
        addHealthRoutes(to: router)
        return router.buildResponder()
    }
}
