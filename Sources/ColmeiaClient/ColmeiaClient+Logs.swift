import ColmeiaModel
import Foundation

extension ColmeiaClient {
    /// `GET /services/{id}/logs`: calls `handle` with each line.
    public func serviceLogs(_ reference: String, options: LogOptions, handle: (LogLine) async throws -> Void) async throws {
        try await logs("/services/" + Self.segment(reference) + "/logs", options: options, handle: handle)
    }

    /// `GET /tasks/{id}/logs`: calls `handle` with each line.
    public func taskLogs(_ reference: String, options: LogOptions, handle: (LogLine) async throws -> Void) async throws {
        try await logs("/tasks/" + Self.segment(reference) + "/logs", options: options, handle: handle)
    }

    private func logs(_ path: String, options: LogOptions, handle: (LogLine) async throws -> Void) async throws {
        let response = try await send(.GET, path, query: options.query, streaming: true)
        var pending: [UInt8] = []
        for try await buffer in response.body {
            pending.append(contentsOf: buffer.readableBytesView)
            while pending.count >= 8 {
                let length = Int(pending[4]) << 24 | Int(pending[5]) << 16 | Int(pending[6]) << 8 | Int(pending[7])
                guard pending.count >= 8 + length else { break }
                let payload = Array(pending[8..<(8 + length)])
                let stream = pending[0]
                pending.removeFirst(8 + length)
                try await handle(LogLine(stream: stream, payload: payload, details: options.details))
            }
        }
    }
}
