import ColmeiaModel
import Foundation
import NIOHTTP1

extension ColmeiaClient {
    /// `GET /events`: calls `handle` with each event (one JSON object a line) until the
    /// stream ends (`until` reached) or the task is cancelled.
    public func events(since: String? = nil, until: String? = nil, filters: [String: [String]] = [:],
                       handle: (JSONValue) async throws -> Void) async throws {
        var query = Self.filtersQuery(filters)
        if let since { query.append(("since", since)) }
        if let until { query.append(("until", until)) }
        try await jsonLines(.GET, "/events", query: query, what: "an event", handle: handle)
    }

    /// A streamed answer of one JSON object a line (NDJSON), handed over a line at a time.
    func jsonLines(_ method: HTTPMethod, _ path: String, query: [(String, String)], what: String,
                   handle: (JSONValue) async throws -> Void) async throws {
        let response = try await send(method, path, query: query, streaming: true)
        var pending = Data()
        for try await buffer in response.body {
            pending.append(contentsOf: buffer.readableBytesView)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending[pending.startIndex..<newline]
                pending = Data(pending[pending.index(after: newline)...])
                guard !line.isEmpty else { continue }
                guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(line)) else {
                    throw ColmeiaClientError.badResponse("\(what) that is not JSON")
                }
                try await handle(value)
            }
        }
    }
}
