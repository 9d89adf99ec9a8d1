import Foundation

/// One network namespace per manager, each with a veth on a bridge of the host namespace and
/// an address of 10.77.0.0/24 (the bridge is .1, manager `i` is `.(i + 2)`), as the API tests'
/// `NetworkNamespaces` make them. Every name starts with `cchaos`, so that a run removes what
/// a killed run left behind. Partitions are `iptables` rules in the managers' namespaces.
public final class NetworkLab: @unchecked Sendable {
    public static let prefix = "cchaos"
    public static let bridge = "cchaos-br"
    public let count: Int

    public init(count: Int) throws {
        self.count = count
        try Shell.run(["ip", "link", "add", Self.bridge, "type", "bridge"])
        try Shell.run(["ip", "addr", "add", "10.77.0.1/24", "dev", Self.bridge])
        try Shell.run(["ip", "link", "set", Self.bridge, "up"])
        // An engine with iptables may have set FORWARD to DROP with bridge netfilter on.
        Shell.tryRun(["iptables", "-I", "FORWARD", "-i", Self.bridge, "-o", Self.bridge, "-j", "ACCEPT"])
        for index in 0..<count {
            let namespace = Self.namespace(index)
            let peer = "\(Self.prefix)-p\(index)"
            try Shell.run(["ip", "netns", "add", namespace])
            try Shell.run(["ip", "link", "add", Self.veth(index), "type", "veth", "peer", "name", peer])
            try Shell.run(["ip", "link", "set", peer, "netns", namespace])
            try Shell.run(["ip", "link", "set", Self.veth(index), "master", Self.bridge])
            try Shell.run(["ip", "link", "set", Self.veth(index), "up"])
            try inside(index, ["ip", "link", "set", "lo", "up"])
            try inside(index, ["ip", "link", "set", peer, "name", "eth0"])
            try inside(index, ["ip", "addr", "add", "\(Self.address(index))/24", "dev", "eth0"])
            try inside(index, ["ip", "link", "set", "eth0", "up"])
        }
    }

    public static func namespace(_ index: Int) -> String { "\(prefix)-n\(index)" }
    static func veth(_ index: Int) -> String { "\(prefix)-v\(index)" }
    public static func address(_ index: Int) -> String { "10.77.0.\(index + 2)" }

    /// Runs a command inside manager `index`'s namespace.
    @discardableResult
    public func inside(_ index: Int, _ arguments: [String]) throws -> String {
        try Shell.run(["ip", "netns", "exec", Self.namespace(index)] + arguments)
    }

    /// Packets from `source` no longer reach `destination` (one way).
    public func drop(from source: Int, to destination: Int) throws {
        try inside(destination, ["iptables", "-A", "INPUT", "-s", Self.address(source), "-j", "DROP"])
    }

    /// Takes manager `index`'s link down or up.
    public func link(_ index: Int, up: Bool) throws {
        try inside(index, ["ip", "link", "set", "eth0", up ? "up" : "down"])
    }

    /// Every rule gone and every link up.
    public func heal() throws {
        for index in 0..<count {
            try inside(index, ["iptables", "-F", "INPUT"])
            try link(index, up: true)
        }
    }

    /// Pids of the processes in manager `index`'s namespace.
    public static func pids(_ index: Int) -> [Int32] {
        ((try? Shell.run(["ip", "netns", "pids", namespace(index)])) ?? "")
            .split(whereSeparator: \.isNewline).compactMap { Int32($0) }
    }

    public func remove() {
        Self.removeAll(count: count)
    }

    /// Removes the namespaces, veths and bridge of this run or of an earlier one (by prefix),
    /// killing what still runs inside those namespaces (only this program's managers do).
    public static func removeAll(count: Int? = nil) {
        let listed = ((try? Shell.run(["ip", "netns", "list"])) ?? "").split(whereSeparator: \.isNewline)
            .compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0.hasPrefix(prefix + "-n") }
        for name in listed {
            let pids = ((try? Shell.run(["ip", "netns", "pids", name])) ?? "").split(whereSeparator: \.isNewline).compactMap { Int32($0) }
            for pid in pids {
                kill(pid, SIGCONT)
                kill(pid, SIGKILL)
            }
            Shell.tryRun(["ip", "netns", "del", name])
        }
        let links = ((try? Shell.run(["ip", "-o", "link", "show"])) ?? "").split(whereSeparator: \.isNewline)
            .compactMap { line -> String? in
                let fields = line.split(separator: " ")
                guard fields.count > 1 else { return nil }
                let name = fields[1].split(separator: "@").first.map(String.init)?.trimmingCharacters(in: CharacterSet(charactersIn: ":"))
                return name.flatMap { $0.hasPrefix(prefix + "-") ? $0 : nil }
            }
        for name in links where name != bridge { Shell.tryRun(["ip", "link", "del", name]) }
        if links.contains(bridge) {
            Shell.tryRun(["iptables", "-D", "FORWARD", "-i", bridge, "-o", bridge, "-j", "ACCEPT"])
            Shell.tryRun(["ip", "link", "del", bridge])
        }
    }
}
