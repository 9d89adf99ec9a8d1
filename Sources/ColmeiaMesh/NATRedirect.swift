import Foundation

/// The node's NAT rules that bring its containers' connections to service and task
/// addresses (the cluster's subnets, which no host routes) to the mesh: a chain per
/// container bridge, `CMESH-<bridge>`, jumped to from `PREROUTING` for packets coming in
/// on that bridge, redirecting TCP to the overlay subnets to the mesh's port there.
enum NATRedirect {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func chain(for bridge: String) -> String { "CMESH-" + bridge }

    /// Makes the bridge's chain redirect TCP for `subnets` to `port` (replacing what it held).
    static func install(bridge: String, subnets: [String], port: Int) throws {
        let chain = chain(for: bridge)
        if (try? iptables(["-t", "nat", "-L", chain, "-n"])) == nil {
            try iptables(["-t", "nat", "-N", chain])
        }
        try iptables(["-t", "nat", "-F", chain])
        for subnet in subnets {
            try iptables(["-t", "nat", "-A", chain, "-d", subnet, "-p", "tcp", "-j", "REDIRECT", "--to-ports", String(port)])
        }
        if (try? iptables(["-t", "nat", "-C", "PREROUTING", "-i", bridge, "-j", chain])) == nil {
            try iptables(["-t", "nat", "-I", "PREROUTING", "-i", bridge, "-j", chain])
        }
    }

    /// Removes the bridge's chain and the jump to it.
    static func remove(bridge: String) {
        let chain = chain(for: bridge)
        while (try? iptables(["-t", "nat", "-D", "PREROUTING", "-i", bridge, "-j", chain])) != nil {}
        _ = try? iptables(["-t", "nat", "-F", chain])
        _ = try? iptables(["-t", "nat", "-X", chain])
    }

    @discardableResult
    static func iptables(_ arguments: [String]) throws -> String {
        let process = Process()
        let candidates = ["/usr/sbin/iptables", "/sbin/iptables", "/usr/bin/iptables"]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure(description: "iptables not found: containers cannot reach service addresses")
        }
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-w"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure(description: "iptables \(arguments.joined(separator: " ")): \(text.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return text
    }
}
