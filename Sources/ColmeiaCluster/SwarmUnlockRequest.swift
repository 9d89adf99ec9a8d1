/// The body of `POST /swarm/unlock` (what `docker swarm unlock` sends).
package struct SwarmUnlockRequest: Decodable, Sendable {
    package var unlockKey: String

    enum CodingKeys: String, CodingKey {
        case unlockKey = "UnlockKey"
    }
}
