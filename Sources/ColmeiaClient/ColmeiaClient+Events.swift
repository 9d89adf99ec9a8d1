import ColmeiaModel
import Foundation

extension ColmeiaClient {
    /// `GET /events`: calls `handle` with each event (one JSON object a line) until the
    /// stream ends (`until` reached) or the task is cancelled.
    public func events(since: String? = nil, until: String? = nil, filters: [String: [String]] = [:],
                       handle: (JSONValue) async throws -> Void) async throws {
        var query = Self.filtersQuery(filters)
        if let since { query.append(("since", since)) }
        if let until { query.append(("until", until)) }
        let response = try await send(.GET, "/events", query: query, streaming: true)
        var pending = Data()
        for try await buffer in response.body {
            pending.append(contentsOf: buffer.readableBytesView)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending[pending.startIndex..<newline]
                pending = Data(pending[pending.index(after: newline)...])
                guard !line.isEmpty else { continue }
                guard let event = try? JSONDecoder().decode(JSONValue.self, from: Data(line)) else {
                    throw ColmeiaClientError.badResponse("an event that is not JSON")
                }
                try await handle(event)
            }
        }
    }
}
