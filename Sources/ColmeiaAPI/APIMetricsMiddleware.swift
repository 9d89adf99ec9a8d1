import Hummingbird
import Logging
import Metrics
import Synchronization

/// Counts every API request by route (the pattern, e.g. `/services/{id}`, so labels stay
/// few), method and status, and times it: `colmeia_api_requests_total` and
/// `colmeia_api_request_duration_seconds`; and logs it once (info) with its method, route,
/// status, duration, request id and actor.
struct APIMetricsMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    let logger: Logger

    private struct Key: Hashable {
        var route: String
        var method: String
        var code: Int
    }

    private final class Instruments: Sendable {
        let instruments = Mutex<[Key: (Counter, Timer)]>([:])

        func record(_ key: Key, _ duration: Duration) {
            let (counter, timer) = instruments.withLock { cache in
                if let found = cache[key] { return found }
                let dimensions = [("route", key.route), ("method", key.method), ("code", String(key.code))]
                let made = (Counter(label: "colmeia_api_requests_total", dimensions: dimensions),
                            Timer(label: "colmeia_api_request_duration_seconds", dimensions: dimensions))
                cache[key] = made
                return made
            }
            counter.increment()
            timer.record(duration: duration)
        }
    }

    private let instruments = Instruments()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        func route() -> String { context.endpointPath ?? "unmatched" }
        do {
            let response = try await next(request, context)
            finish(request, context, route: route(), code: response.status.code, started: started)
            return response
        } catch {
            finish(request, context, route: route(), code: (error as? any HTTPResponseError)?.status.code ?? 500, started: started)
            throw error
        }
    }

    private func finish(_ request: Request, _ context: Context, route: String, code: Int, started: ContinuousClock.Instant) {
        let duration = ContinuousClock.now - started
        // Methods outside HTTP's usual set share one label: a client inventing methods must
        // not grow the series (and the daemon's memory) without bound.
        let known: Set<String> = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
        let method = known.contains(request.method.rawValue) ? request.method.rawValue : "other"
        instruments.record(Key(route: route, method: method, code: code), duration)
        guard logger.logLevel <= .info else { return }
        let (seconds, attoseconds) = duration.components
        logger.info("api request", metadata: [
            "method": "\(method)", "route": "\(route)", "status": "\(code)",
            "duration_ms": "\(String(format: "%.3f", Double(seconds) * 1000 + Double(attoseconds) / 1e15))",
            "request_id": "\(context.requestID ?? "")", "actor": "\(context.actorSeen.actor ?? "anonymous")",
        ])
    }
}
