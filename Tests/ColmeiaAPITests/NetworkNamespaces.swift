import Foundation

/// Hosts for multi-node tests: one network namespace per node, each with a veth on a bridge
/// of the host namespace and an address of its own (loopback up), so that nodes reach each
/// other only through their node addresses, and the test reaches them from the host
/// namespace through the bridge. Removed when released.
final class NetworkNamespaces {
    let names: [String]
    let bridge: String
    /// `192.168.N`: the bridge is `.1`, node `i` is `.(i + 2)`.
    let prefix: String
    private let veths: [String]

    init(count: Int) throws {
        let id = Int.random(in: 1_000..<10_000)
        let octet = Int.random(in: 100..<250)
        prefix = "192.168.\(octet)"
        bridge = "cmb\(id)"
        names = (0..<count).map { "cm\(id)n\($0)" }
        veths = (0..<count).map { "cmv\(id)\($0)" }
        try Self.sh(["ip", "link", "add", bridge, "type", "bridge"])
        try Self.sh(["ip", "addr", "add", "\(prefix).1/24", "dev", bridge])
        try Self.sh(["ip", "link", "set", bridge, "up"])
        // An engine with iptables may have set FORWARD to DROP with bridge netfilter on.
        _ = try? Self.sh(["iptables", "-I", "FORWARD", "-i", bridge, "-o", bridge, "-j", "ACCEPT"])
        for (index, name) in names.enumerated() {
            let peer = "cmp\(id)\(index)"
            try Self.sh(["ip", "netns", "add", name])
            try Self.sh(["ip", "link", "add", veths[index], "type", "veth", "peer", "name", peer])
            try Self.sh(["ip", "link", "set", peer, "netns", name])
            try Self.sh(["ip", "link", "set", veths[index], "master", bridge])
            try Self.sh(["ip", "link", "set", veths[index], "up"])
            try Self.sh(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"])
            try Self.sh(["ip", "netns", "exec", name, "ip", "link", "set", peer, "name", "eth0"])
            try Self.sh(["ip", "netns", "exec", name, "ip", "addr", "add", "\(address(index))/24", "dev", "eth0"])
            try Self.sh(["ip", "netns", "exec", name, "ip", "link", "set", "eth0", "up"])
        }
    }

    deinit {
        for name in names { _ = try? Self.sh(["ip", "netns", "del", name]) }
        for veth in veths { _ = try? Self.sh(["ip", "link", "del", veth]) }
        _ = try? Self.sh(["iptables", "-D", "FORWARD", "-i", bridge, "-o", bridge, "-j", "ACCEPT"])
        _ = try? Self.sh(["ip", "link", "del", bridge])
    }

    /// Node `index`'s address.
    func address(_ index: Int) -> String { "\(prefix).\(index + 2)" }

    /// The host namespace's address on the bridge (where test clients connect from).
    var hostAddress: String { "\(prefix).1" }

    /// Whether this machine can make namespaces (root, with `ip`).
    static var available: Bool {
        geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
            || geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/sbin/ip")
    }

    /// Runs `arguments`; throws with its output when it fails.
    @discardableResult
    static func sh(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw HarnessError("\(arguments.joined(separator: " ")): \(text)")
        }
        return text
    }
}
