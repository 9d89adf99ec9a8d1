/// The body of `POST /swarm/unlock` (what `docker swarm unlock` sends).
struct SwarmUnlockRequest: Decodable, Sendable {
    var unlockKey: String

    enum CodingKeys: String, CodingKey {
        case unlockKey = "UnlockKey"
    }
}
