import ColmeiaCluster
import ColmeiaAgent
import ColmeiaModel
import ColmeiaStore
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension APIRoutes {
    func addLogRoutes(to router: Router<APIRequestContext>) {
        router.get("/tasks/{id}/logs") { request, context -> Response in
            let task = try await self.store().get(SwarmTask.self, context.objectReference())
            return try await self.logResponse(for: [task], request: request)
        }
    }

    /// Streams tasks' logs in Docker's multiplexed framing: per line an 8-byte header
    /// (stream, 0, 0, 0, big-endian length), then `[timestamp ]details line`, where the
    /// details name the node, service and task (what `docker service logs` prints from).
    func logResponse(for tasks: [SwarmTask], request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let stdout = request.flag("stdout")
        let stderr = request.flag("stderr")
        guard stdout || stderr else {
            throw DockerAPIError.badRequest("Bad parameters: you must choose at least one stream")
        }
        var options = LogOptions(stdout: stdout, stderr: stderr, follow: request.flag("follow"))
        if let tail = query.get("tail"), tail != "all", !tail.isEmpty {
            guard let count = Int(tail), count >= 0 else { throw DockerAPIError.badRequest("invalid value for tail: \(tail)") }
            options.tail = count
        }
        if let since = query.get("since"), !since.isEmpty, since != "0" {
            guard let stamp = Timestamp(eventsParameter: since) else {
                throw DockerAPIError.badRequest("invalid value for since: \(since)")
            }
            options.since = stamp
        }
        let timestamps = request.flag("timestamps")
        let details = request.flag("details")
        let entries = try await manager.logs(of: tasks, options: options)
        var headers = HTTPFields()
        headers[.contentType] = "application/vnd.docker.multiplexed-stream"
        let body = ResponseBody { writer in
            for try await event in entries.cancelOnGracefulShutdown() {
                guard case .line(let task, let entry) = event else {
                    // Docker's system-error frame: the CLI prints "error from daemon in
                    // stream: Error grabbing logs: …" and exits non-zero.
                    if case .incomplete(let reason) = event {
                        let message = Array("Error grabbing logs: \(reason)\n".utf8)
                        var frame = ByteBuffer()
                        frame.writeBytes([3, 0, 0, 0])
                        frame.writeInteger(UInt32(message.count), endianness: .big)
                        frame.writeBytes(message)
                        try await writer.write(frame)
                    }
                    continue
                }
                var line: [UInt8] = []
                if timestamps { line += Array((entry.timestamp.rfc3339Fixed + " ").utf8) }
                if details {
                    line += Array("com.docker.swarm.node.id=\(task.nodeID),com.docker.swarm.service.id=\(task.serviceID),com.docker.swarm.task.id=\(task.id) ".utf8)
                }
                line += entry.line
                var frame = ByteBuffer()
                frame.writeInteger(entry.stream.rawValue)
                frame.writeBytes([0, 0, 0])
                frame.writeInteger(UInt32(line.count), endianness: .big)
                frame.writeBytes(line)
                try await writer.write(frame)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
