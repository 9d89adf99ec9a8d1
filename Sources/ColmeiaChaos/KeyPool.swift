import ColmeiaRaft
import Foundation

/// The registers the clients share: a few configs and services at a time, each retired after
/// some operations (and a new one created) so that every key's history stays small enough to
/// check exhaustively, while clients still race on the same versions.
public final class KeyPool: @unchecked Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case config
        case service
    }

    public struct Key: Sendable, Hashable {
        public var name: String
        public var kind: Kind
    }

    public enum Choice: Sendable {
        case create(Key)
        case use(Key)
    }

    private let lock = NSLock()
    private var active: [Key] = []
    private var uses: [Key: Int] = [:]
    private var all: [Key] = []
    private var created: [Kind: Int] = [:]
    let targets: [Kind: Int]
    let usesPerKey: Int

    public init(configs: Int = 4, services: Int = 2, usesPerKey: Int = 60) {
        targets = [.config: configs, .service: services]
        self.usesPerKey = usesPerKey
    }

    /// A key to create when a kind is short of keys, else an active key to use.
    public func choose(using generator: inout DeterministicRandom) -> Choice? {
        lock.withLock {
            for kind in Kind.allCases where active.filter({ $0.kind == kind }).count < (targets[kind] ?? 0) {
                let number = (created[kind] ?? 0) + 1
                created[kind] = number
                let key = Key(name: "chaos-\(kind.rawValue)-\(number)", kind: kind)
                active.append(key)
                all.append(key)
                uses[key] = 0
                return .create(key)
            }
            guard let key = active.randomElement(using: &generator) else { return nil }
            let count = (uses[key] ?? 0) + 1
            uses[key] = count
            if count >= usesPerKey { active.removeAll { $0 == key } }
            return .use(key)
        }
    }

    /// Every key the run has named.
    public var keys: [Key] { lock.withLock { all } }
}
