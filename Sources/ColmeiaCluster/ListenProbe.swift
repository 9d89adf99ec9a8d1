import Foundation
import NIOCore
import NIOPosix

/// Checks, before a node is admitted anywhere, that its cluster port can be bound, so that
/// a `swarm join` whose listen address is taken fails with nothing left behind (the
/// manager would otherwise record a node that never comes up).
package enum ListenProbe {
    static func check(_ address: String) async throws {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else {
            throw DockerAPIError(.badRequest, "invalid listen address \(address)")
        }
        let host = String(address[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port).get()
            try await channel.close()
        } catch {
            throw DockerAPIError(.badRequest, "listen tcp \(address): \(error)")
        }
    }
}
