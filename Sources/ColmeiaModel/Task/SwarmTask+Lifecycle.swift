extension SwarmTask {
    /// The orchestrator still wants this task (desired state `ready` or `running`, or
    /// `complete` for a job's task, which runs until it exits).
    public var isWanted: Bool { desiredState <= .complete }

    /// The task stopped on its own or was stopped: its observed state is past `running`.
    public var hasEnded: Bool { status.state > .running }

    /// The task never reached a node's agent (still `new` or `pending`).
    public var isUnassigned: Bool { status.state <= .pending }

    /// Whether this task runs the given template (the `_up-to-date` test).
    public func runs(_ template: TaskSpec) -> Bool { spec == template }
}

extension SwarmTask {
    /// Some network the task attaches to has not given it an address yet (it is full).
    public var isWaitingForAddresses: Bool { networksAttachments.contains { $0.addresses.isEmpty } }
}
