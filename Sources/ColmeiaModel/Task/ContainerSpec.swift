/// The container a task runs. Durations are nanoseconds.
public struct ContainerSpec: Sendable, Hashable, PreservesUnknownFields {
    public var image: String
    public var labels: [String: String]
    /// Overrides the image's entrypoint.
    public var command: [String]
    public var args: [String]
    public var hostname: String
    /// `KEY=value` entries.
    public var env: [String]
    public var dir: String
    public var user: String
    public var groups: [String]
    /// Whether an init process runs as PID 1 (`Init`).
    public var initProcess: Bool?
    public var stopSignal: String
    public var tty: Bool
    public var openStdin: Bool
    public var readOnly: Bool
    public var mounts: [Mount]
    public var stopGracePeriod: Int64?
    public var healthcheck: HealthConfig?
    public var hosts: [String]
    public var dnsConfig: DNSConfig?
    public var secrets: [SecretReference]
    public var configs: [ConfigReference]
    public var isolation: String
    public var sysctls: [String: String]
    public var capabilityAdd: [String]
    public var capabilityDrop: [String]
    public var ulimits: [Ulimit]
    public var oomScoreAdj: Int64
    /// Registry credentials for pulling the image (`X-Registry-Auth` of `docker service
    /// create --with-registry-auth`): kept in the log and sent to the nodes that run the
    /// task, never shown by the API (see ``redactedForAPI()``).
    public var pullOptions: PullOptions?
    /// Members this type does not model, kept for round trips.
    public var extra: [String: JSONValue]

    public init(
        image: String = "",
        labels: [String: String] = [:],
        command: [String] = [],
        args: [String] = [],
        hostname: String = "",
        env: [String] = [],
        dir: String = "",
        user: String = "",
        groups: [String] = [],
        initProcess: Bool? = nil,
        stopSignal: String = "",
        tty: Bool = false,
        openStdin: Bool = false,
        readOnly: Bool = false,
        mounts: [Mount] = [],
        stopGracePeriod: Int64? = nil,
        healthcheck: HealthConfig? = nil,
        hosts: [String] = [],
        dnsConfig: DNSConfig? = nil,
        secrets: [SecretReference] = [],
        configs: [ConfigReference] = [],
        isolation: String = "",
        sysctls: [String: String] = [:],
        capabilityAdd: [String] = [],
        capabilityDrop: [String] = [],
        ulimits: [Ulimit] = [],
        oomScoreAdj: Int64 = 0,
        pullOptions: PullOptions? = nil,
        extra: [String: JSONValue] = [:]
    ) {
        self.image = image
        self.labels = labels
        self.command = command
        self.args = args
        self.hostname = hostname
        self.env = env
        self.dir = dir
        self.user = user
        self.groups = groups
        self.initProcess = initProcess
        self.stopSignal = stopSignal
        self.tty = tty
        self.openStdin = openStdin
        self.readOnly = readOnly
        self.mounts = mounts
        self.stopGracePeriod = stopGracePeriod
        self.healthcheck = healthcheck
        self.hosts = hosts
        self.dnsConfig = dnsConfig
        self.secrets = secrets
        self.configs = configs
        self.isolation = isolation
        self.sysctls = sysctls
        self.capabilityAdd = capabilityAdd
        self.capabilityDrop = capabilityDrop
        self.ulimits = ulimits
        self.oomScoreAdj = oomScoreAdj
        self.pullOptions = pullOptions
        self.extra = extra
    }
}

extension ContainerSpec: Codable {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case image = "Image"
        case labels = "Labels"
        case command = "Command"
        case args = "Args"
        case hostname = "Hostname"
        case env = "Env"
        case dir = "Dir"
        case user = "User"
        case groups = "Groups"
        case initProcess = "Init"
        case stopSignal = "StopSignal"
        case tty = "TTY"
        case openStdin = "OpenStdin"
        case readOnly = "ReadOnly"
        case mounts = "Mounts"
        case stopGracePeriod = "StopGracePeriod"
        case healthcheck = "Healthcheck"
        case hosts = "Hosts"
        case dnsConfig = "DNSConfig"
        case secrets = "Secrets"
        case configs = "Configs"
        case isolation = "Isolation"
        case sysctls = "Sysctls"
        case capabilityAdd = "CapabilityAdd"
        case capabilityDrop = "CapabilityDrop"
        case ulimits = "Ulimits"
        case oomScoreAdj = "OomScoreAdj"
        case pullOptions = "PullOptions"
    }

    public init(from decoder: any Decoder) throws {
        let fields = try JSONObjectReader<CodingKeys>(decoder)
        image = try fields(.image, as: String.self) ?? ""
        labels = try fields(.labels, as: [String: String].self) ?? [:]
        command = try fields(.command, as: [String].self) ?? []
        args = try fields(.args, as: [String].self) ?? []
        hostname = try fields(.hostname, as: String.self) ?? ""
        env = try fields(.env, as: [String].self) ?? []
        dir = try fields(.dir, as: String.self) ?? ""
        user = try fields(.user, as: String.self) ?? ""
        groups = try fields(.groups, as: [String].self) ?? []
        initProcess = try fields(.initProcess, as: Bool.self)
        stopSignal = try fields(.stopSignal, as: String.self) ?? ""
        tty = try fields(.tty, as: Bool.self) ?? false
        openStdin = try fields(.openStdin, as: Bool.self) ?? false
        readOnly = try fields(.readOnly, as: Bool.self) ?? false
        mounts = try fields(.mounts, as: [Mount].self) ?? []
        stopGracePeriod = try fields(.stopGracePeriod, as: Int64.self)
        healthcheck = try fields(.healthcheck, as: HealthConfig.self)
        hosts = try fields(.hosts, as: [String].self) ?? []
        dnsConfig = try fields(.dnsConfig, as: DNSConfig.self)
        secrets = try fields(.secrets, as: [SecretReference].self) ?? []
        configs = try fields(.configs, as: [ConfigReference].self) ?? []
        isolation = try fields(.isolation, as: String.self) ?? ""
        sysctls = try fields(.sysctls, as: [String: String].self) ?? [:]
        capabilityAdd = try fields(.capabilityAdd, as: [String].self) ?? []
        capabilityDrop = try fields(.capabilityDrop, as: [String].self) ?? []
        ulimits = try fields(.ulimits, as: [Ulimit].self) ?? []
        oomScoreAdj = try fields(.oomScoreAdj, as: Int64.self) ?? 0
        pullOptions = try fields(.pullOptions, as: PullOptions.self)
        extra = try fields.extra()
    }

    public func encode(to encoder: any Encoder) throws {
        var fields = JSONObjectWriter<CodingKeys>(encoder)
        try fields.omitEmpty(image, .image)
        try fields.omitEmpty(labels, .labels)
        try fields.omitEmpty(command, .command)
        try fields.omitEmpty(args, .args)
        try fields.omitEmpty(hostname, .hostname)
        try fields.omitEmpty(env, .env)
        try fields.omitEmpty(dir, .dir)
        try fields.omitEmpty(user, .user)
        try fields.omitEmpty(groups, .groups)
        try fields.ifPresent(initProcess, .initProcess)
        try fields.omitEmpty(stopSignal, .stopSignal)
        try fields.omitEmpty(tty, .tty)
        try fields.omitEmpty(openStdin, .openStdin)
        try fields.omitEmpty(readOnly, .readOnly)
        try fields.omitEmpty(mounts, .mounts)
        try fields.ifPresent(stopGracePeriod, .stopGracePeriod)
        try fields.ifPresent(healthcheck, .healthcheck)
        try fields.omitEmpty(hosts, .hosts)
        try fields.ifPresent(dnsConfig, .dnsConfig)
        try fields.omitEmpty(secrets, .secrets)
        try fields.omitEmpty(configs, .configs)
        try fields.omitEmpty(isolation, .isolation)
        try fields.omitEmpty(sysctls, .sysctls)
        try fields.omitEmpty(capabilityAdd, .capabilityAdd)
        try fields.omitEmpty(capabilityDrop, .capabilityDrop)
        try fields.omitEmpty(ulimits, .ulimits)
        try fields.omitEmpty(oomScoreAdj, .oomScoreAdj)
        try fields.ifPresent(pullOptions, .pullOptions)
        try fields.extra(extra)
    }
}
