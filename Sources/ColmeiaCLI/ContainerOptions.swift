import ArgumentParser
import ColmeiaModel

/// `service create`'s flags for the container's own settings, with docker's syntax:
/// mounts, read-only root, capabilities, sysctls, ulimits, DNS, extra hosts, groups and the
/// log driver.
public struct ContainerOptions: ParsableArguments {
    public init() {}

    @Option(help: "Attach a filesystem mount to the service (type=bind|volume|tmpfs,source=,target=,readonly,…)")
    var mount: [String] = []
    @Flag(name: .customLong("read-only"), help: "Mount the container's root filesystem as read only") var readOnly = false
    @Option(name: .customLong("cap-add"), help: "Add Linux capabilities") var capAdd: [String] = []
    @Option(name: .customLong("cap-drop"), help: "Drop Linux capabilities") var capDrop: [String] = []
    @Option(help: "Sysctl options (key=value)") var sysctl: [String] = []
    @Option(help: "Ulimit options (name=soft[:hard])") var ulimit: [String] = []
    @Option(help: "Set custom DNS servers") var dns: [String] = []
    @Option(name: .customLong("dns-search"), help: "Set custom DNS search domains") var dnsSearch: [String] = []
    @Option(name: .customLong("dns-option"), help: "Set DNS options") var dnsOption: [String] = []
    /// docker's `service create --host`; `--host` is this CLI's global `-H, --host`, so the
    /// flag takes `docker run`'s name.
    @Option(name: .customLong("add-host"), help: "Add a custom host-to-IP mapping (host:ip); docker service create's --host")
    var host: [String] = []
    @Option(help: "Set one or more supplementary user groups for the container") var group: [String] = []
    @Option(name: .customLong("log-driver"), help: "Logging driver for service") var logDriver: String?
    @Option(name: .customLong("log-opt"), help: "Logging driver options") var logOpt: [String] = []

    /// Applies the flags that were given.
    func apply(to spec: inout ServiceSpec) throws(CLIError) {
        var container = spec.taskTemplate.containerSpec ?? ContainerSpec()
        for text in mount { container.mounts.append(try MountSpec.parse(text)) }
        if readOnly { container.readOnly = true }
        container.capabilityAdd += Self.capabilities(capAdd)
        container.capabilityDrop += Self.capabilities(capDrop)
        for entry in sysctl {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw CLIError("invalid argument \"\(entry)\" for \"--sysctl\" flag: sysctl '\(entry)' is not allowed")
            }
            container.sysctls[parts[0]] = parts[1]
        }
        for entry in ulimit { container.ulimits.append(try Self.ulimit(entry)) }
        if !dns.isEmpty || !dnsSearch.isEmpty || !dnsOption.isEmpty {
            container.dnsConfig = DNSConfig(nameservers: dns, search: dnsSearch, options: dnsOption)
        }
        for entry in host { container.hosts.append(try Self.hostLine(entry)) }
        container.groups += group
        spec.taskTemplate.containerSpec = container
        if let logDriver {
            spec.taskTemplate.logDriver = Driver(name: logDriver, options: ServiceSpecBuilder.labels(logOpt))
        } else if !logOpt.isEmpty {
            throw CLIError("invalid argument \"\(logOpt[0])\" for \"--log-opt\" flag: --log-opt needs --log-driver")
        }
    }

    /// Capability names as docker sends them: upper case with `CAP_` (`ALL` stays `ALL`),
    /// without repeats, in the order given.
    static func capabilities(_ names: [String]) -> [String] {
        var seen: Set<String> = []
        return names.compactMap { name in
            let upper = name.uppercased()
            let normalized = upper == "ALL" || upper.hasPrefix("CAP_") ? upper : "CAP_" + upper
            return seen.insert(normalized).inserted ? normalized : nil
        }
    }

    /// `nofile=1024:2048` (or `nofile=1024`, soft = hard).
    static func ulimit(_ text: String) throws(CLIError) -> Ulimit {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        let limits = parts.count == 2 ? parts[1].split(separator: ":", maxSplits: 1).map { Int64($0) } : []
        guard parts.count == 2, !limits.isEmpty, limits.allSatisfy({ $0 != nil }), let soft = limits[0] else {
            throw CLIError("invalid argument \"\(text)\" for \"--ulimit\" flag: invalid ulimit argument: \(text)")
        }
        let hard = limits.count == 2 ? (limits[1] ?? soft) : soft
        guard soft <= hard else {
            throw CLIError("invalid argument \"\(text)\" for \"--ulimit\" flag: ulimit soft limit must be less than or equal to hard limit: \(soft) > \(hard)")
        }
        return Ulimit(name: parts[0], hard: hard, soft: soft)
    }

    /// `host:ip` (or `host=ip`) → the swarm's `IP host` line.
    static func hostLine(_ text: String) throws(CLIError) -> String {
        let separator: Character = text.contains("=") ? "=" : ":"
        guard let split = text.firstIndex(of: separator) else {
            throw CLIError("invalid argument \"\(text)\" for \"--add-host\" flag: bad format for add-host: \"\(text)\"")
        }
        let name = String(text[..<split])
        var address = String(text[text.index(after: split)...])
        if address.hasPrefix("["), address.hasSuffix("]") { address = String(address.dropFirst().dropLast()) }
        guard !name.isEmpty, !address.isEmpty else {
            throw CLIError("invalid argument \"\(text)\" for \"--add-host\" flag: bad format for add-host: \"\(text)\"")
        }
        return address + " " + name
    }
}
