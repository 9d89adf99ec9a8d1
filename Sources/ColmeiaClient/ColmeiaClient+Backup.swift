import Foundation

extension ColmeiaClient {
    /// `GET /colmeia/v1/backup`: an online backup, handed to `handle` piece by piece as the
    /// manager streams it. nil `passphrase`: the swarm's unlock key seals it (autolock).
    /// Returns the first and last log index it covers.
    public func backup(passphrase: String?, follow: UInt64? = nil,
                       handle: ([UInt8]) async throws -> Void) async throws -> (first: UInt64, last: UInt64) {
        let headers = passphrase.map { [("X-Colmeia-Backup-Passphrase", $0)] } ?? []
        let query = follow.map { [("follow", String($0))] } ?? []
        let response = try await send(.GET, "/colmeia/v1/backup", query: query, streaming: true, headers: headers)
        for try await buffer in response.body {
            try await handle(Array(buffer.readableBytesView))
        }
        let first = response.headers.first(name: "X-Colmeia-Backup-First-Index").flatMap(UInt64.init) ?? 0
        let last = response.headers.first(name: "X-Colmeia-Backup-Last-Index").flatMap(UInt64.init) ?? 0
        return (first, last)
    }
}
